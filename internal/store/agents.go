package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// laterLastSeen keeps the later of the stored and the new last-seen time.
const laterLastSeen = `CASE
	WHEN excluded.last_seen IS NULL THEN agents.last_seen
	WHEN agents.last_seen IS NULL OR excluded.last_seen > agents.last_seen THEN excluded.last_seen
	ELSE agents.last_seen END`

func (c *core) UpsertAgents(ctx context.Context, agents []Agent) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.w.inTx(ctx, func(d db) error {
		for _, a := range agents {
			if a.ID == "" {
				return errors.New("upsert agent: id is required")
			}
			if _, err := d.exec(ctx, `
				INSERT INTO agents (agent_id, agent_name, last_seen, stale_after_ms) VALUES ($1, $2, $3, $4)
				ON CONFLICT (agent_id) DO UPDATE SET agent_name = excluded.agent_name,
					stale_after_ms = excluded.stale_after_ms, last_seen = `+laterLastSeen,
				a.ID, a.Name, nullTime(a.LastSeen), a.StaleAfter.Milliseconds()); err != nil {
				return fmt.Errorf("upsert agent %q: %w", a.ID, err)
			}
		}
		return nil
	})
}

func (c *core) TouchAgents(ctx context.Context, seen map[string]time.Time) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.w.inTx(ctx, func(d db) error { return touchAgents(ctx, d, seen) })
}

// touchAgents moves agents' last contact forward in the transaction d.
func touchAgents(ctx context.Context, d db, seen map[string]time.Time) error {
	if len(seen) == 0 {
		return nil
	}
	st, err := prepare(ctx, d, `
		INSERT INTO agents (agent_id, agent_name, last_seen) VALUES ($1, '', $2)
		ON CONFLICT (agent_id) DO UPDATE SET last_seen = `+laterLastSeen)
	if err != nil {
		return fmt.Errorf("touch agents: %w", err)
	}
	defer st.close()
	// In id order, so that concurrent writers lock rows in the same order.
	for _, id := range slices.Sorted(maps.Keys(seen)) {
		if err := st.exec(ctx, id, nullTime(seen[id])); err != nil {
			return fmt.Errorf("touch agent %q: %w", id, err)
		}
	}
	return nil
}

func (c *core) ListAgents(ctx context.Context) ([]Agent, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rs, err := c.r.query(ctx, `SELECT `+agentColumns+` FROM agents ORDER BY agent_id`)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	defer rs.Close()
	var out []Agent
	for rs.Next() {
		a, err := scanAgent(rs)
		if err != nil {
			return nil, fmt.Errorf("list agents: %w", err)
		}
		out = append(out, a)
	}
	return out, rs.Err()
}
