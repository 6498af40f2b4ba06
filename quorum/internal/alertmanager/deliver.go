package alertmanager

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// maxBatch is how many alerts one request carries at most.
const maxBatch = 500

// firingFor is how long past a post a firing alert is said to last: like
// Prometheus, four resend intervals, so Alertmanager resolves it on its own
// only if the central stops posting (it is down, or cannot reach it).
const firingFor = 4

// Start posts the alerts firing now (restored after a restart, they get no
// new Fired) and then keeps posting in the background.
func (n *Notifier) Start() {
	n.mu.Lock()
	if n.started || n.shutdown {
		n.mu.Unlock()
		return
	}
	n.started = true
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.mu.Unlock()

	n.reconcile()
	go n.run(ctx)
	n.signal()
}

// Shutdown stops the background posting and makes one last attempt, bounded
// by ctx, to post what is pending. Firing alerts are not resolved: a
// restarted central posts them again, and if it stays down Alertmanager
// resolves them when their endsAt passes.
func (n *Notifier) Shutdown(ctx context.Context) error {
	n.mu.Lock()
	if n.shutdown {
		n.mu.Unlock()
		return nil
	}
	n.shutdown = true
	started := n.started
	n.mu.Unlock()
	if started {
		n.cancel() // an in-flight post is put back in pending
		close(n.stop)
		<-n.done
	}
	if err := n.deliver(ctx); err != nil {
		n.mu.Lock()
		left := len(n.pending)
		n.mu.Unlock()
		n.logger.Warn("Alerts not posted to Alertmanager before shutdown", zap.Int("alerts", left), zap.Error(err))
		return err
	}
	return nil
}

// run posts on every wake-up and resend tick, backing off while posts fail.
func (n *Notifier) run(ctx context.Context) {
	defer close(n.done)
	resend := time.NewTicker(n.resend)
	defer resend.Stop()
	retry := time.NewTimer(n.retryMax)
	retry.Stop()
	defer retry.Stop()
	var backoff time.Duration // > 0 while posts fail
	failing := false
	for {
		select {
		case <-n.stop:
			return
		case <-n.wake:
			if backoff > 0 {
				continue // the retry timer posts it
			}
		case <-retry.C:
		case <-resend.C:
			n.reconcile()
			if backoff > 0 {
				continue
			}
		}
		err := n.deliver(ctx)
		switch {
		case err == nil:
			if failing {
				n.logger.Info("Alertmanager accepts alerts again", zap.String("url", n.client.String()))
			}
			failing, backoff = false, 0
			n.mu.Lock()
			n.overflowed = false
			n.mu.Unlock()
		case ctx.Err() != nil:
			return
		default:
			if !failing {
				n.logger.Warn("Posting alerts to Alertmanager failed; retrying with backoff", zap.Error(err))
			} else {
				n.logger.Debug("Posting alerts to Alertmanager failed again", zap.Error(err))
			}
			failing = true
			backoff = min(max(2*backoff, n.retryFirst), n.retryMax)
			retry.Reset(backoff)
		}
	}
}

// keyed is a pending post with its key, so a failed one can be put back.
type keyed struct {
	key   alertKey
	alert Alert
}

// deliver posts everything pending, maxBatch at a time. A batch that
// Alertmanager refused (4xx other than 429) is logged and dropped: sending
// it again would be refused again. On any other error what was not posted
// goes back to pending, unless a newer version of it arrived meanwhile, and
// the error is returned.
func (n *Notifier) deliver(ctx context.Context) error {
	n.mu.Lock()
	if len(n.pending) == 0 {
		n.mu.Unlock()
		return nil
	}
	batch := make([]keyed, 0, len(n.pending))
	for k, a := range n.pending {
		batch = append(batch, keyed{k, a})
	}
	n.pending = map[alertKey]Alert{}
	n.mu.Unlock()

	endsAt := n.wallNow().Add(firingFor * n.resend)
	for start := 0; start < len(batch); start += maxBatch {
		chunk := batch[start:min(start+maxBatch, len(batch))]
		alerts := make([]Alert, len(chunk))
		for i, p := range chunk {
			alerts[i] = p.alert
			if alerts[i].EndsAt.IsZero() {
				alerts[i].EndsAt = endsAt
			}
		}
		err := n.client.Post(ctx, alerts)
		if err == nil {
			continue
		}
		if refused(err) {
			n.logger.Error("Alertmanager refused alerts; they are dropped", zap.Int("alerts", len(alerts)), zap.Error(err))
			continue
		}
		n.requeue(batch[start:])
		return err
	}
	return nil
}

// requeue puts back posts that failed, unless newer ones replaced them.
func (n *Notifier) requeue(ps []keyed) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range ps {
		if _, newer := n.pending[p.key]; !newer {
			n.queue(p.key, p.alert)
		}
	}
}

// refused: Alertmanager answered that the alerts themselves are wrong.
func refused(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code/100 == 4 && se.Code != http.StatusTooManyRequests
}
