package spill

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fileStorage starts a real file_storage extension in dir and returns a
// client for the agent exporter; reopen it on the same dir to restart.
func fileStorage(t *testing.T, dir string) (storage.Client, func()) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	client, err := ext.(storage.Extension).GetClient(context.Background(), component.KindExporter, component.MustNewID("agent"), "queue")
	require.NoError(t, err)
	closed := false
	stop := func() {
		if closed {
			return
		}
		closed = true
		assert.NoError(t, client.Close(context.Background()))
		assert.NoError(t, ext.Shutdown(context.Background()))
	}
	t.Cleanup(stop)
	return client, stop
}

func numbered(first, count int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("quorate.agent.id", "a1")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range count {
		sl.LogRecords().AppendEmpty().Body().SetInt(int64(first + i))
	}
	return ld
}

func bodies(ld plog.Logs) []int {
	var out []int
	for _, rl := range ld.ResourceLogs().All() {
		id, _ := rl.Resource().Attributes().Get("quorate.agent.id")
		if id.Str() != "a1" {
			panic("resource attributes lost")
		}
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				out = append(out, int(lr.Body().Int()))
			}
		}
	}
	return out
}

func span(from, to int) []int {
	out := []int{}
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func popAll(t *testing.T, d *Disk, maxRecords int) []int {
	t.Helper()
	var out []int
	for d.Len() > 0 {
		ld, err := d.PopFront(context.Background(), maxRecords)
		require.NoError(t, err)
		require.LessOrEqual(t, ld.LogRecordCount(), maxRecords)
		out = append(out, bodies(ld)...)
	}
	return out
}

func TestAppendAndPopKeepOrder(t *testing.T) {
	ctx := context.Background()
	client, _ := fileStorage(t, t.TempDir())
	d, err := Open(ctx, client)
	require.NoError(t, err)
	require.NoError(t, d.Append(ctx, numbered(0, 3)))
	require.NoError(t, d.Append(ctx, numbered(3, 10)))
	require.NoError(t, d.Append(ctx, numbered(13, 1)))
	assert.Equal(t, 14, d.Len())
	assert.Equal(t, 3, d.Batches())
	assert.Equal(t, span(0, 14), popAll(t, d, 4), "a batch larger than asked is split")
	assert.Zero(t, d.Batches())
}

func TestPrependPutsBatchesInFront(t *testing.T) {
	ctx := context.Background()
	client, _ := fileStorage(t, t.TempDir())
	d, err := Open(ctx, client)
	require.NoError(t, err)
	require.NoError(t, d.Append(ctx, numbered(5, 2)))
	require.NoError(t, d.Prepend(ctx, []plog.Logs{numbered(0, 2), numbered(2, 3)}))
	assert.Equal(t, 7, d.Len())
	assert.Equal(t, span(0, 7), popAll(t, d, 100))
}

func TestDiskSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	client, stop := fileStorage(t, dir)
	d, err := Open(ctx, client)
	require.NoError(t, err)
	require.NoError(t, d.Append(ctx, numbered(0, 4)))
	require.NoError(t, d.Append(ctx, numbered(4, 4)))
	ld, err := d.PopFront(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, span(0, 3), bodies(ld))
	stop()

	client, _ = fileStorage(t, dir)
	d, err = Open(ctx, client)
	require.NoError(t, err)
	assert.Equal(t, 5, d.Len())
	assert.Equal(t, span(3, 8), popAll(t, d, 100))
}

func TestDropFrontCountsWhatWent(t *testing.T) {
	ctx := context.Background()
	client, _ := fileStorage(t, t.TempDir())
	d, err := Open(ctx, client)
	require.NoError(t, err)
	require.NoError(t, d.Append(ctx, numbered(0, 3)))
	require.NoError(t, d.Append(ctx, numbered(3, 3)))
	n, err := d.DropFront(ctx, 4)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	n, err = d.DropFront(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "only two were left")
	assert.Zero(t, d.Len())
}

func TestUnreadableBatchIsRemovedAndCounted(t *testing.T) {
	ctx := context.Background()
	client, _ := fileStorage(t, t.TempDir())
	d, err := Open(ctx, client)
	require.NoError(t, err)
	require.NoError(t, d.Append(ctx, numbered(0, 3)))
	require.NoError(t, d.Append(ctx, numbered(3, 2)))
	// Damage the first batch behind the queue's back: header says 3.
	require.NoError(t, client.Set(ctx, key(d.head), []byte{0, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff}))

	_, err = d.PopFront(ctx, 100)
	var lost *LostError
	require.ErrorAs(t, err, &lost)
	assert.Equal(t, 3, lost.Records)
	assert.Equal(t, 2, d.Len())
	assert.Equal(t, span(3, 5), popAll(t, d, 100))
}

func TestOpenRefusesForeignBookkeeping(t *testing.T) {
	ctx := context.Background()
	client, _ := fileStorage(t, t.TempDir())
	require.NoError(t, client.Set(ctx, metaKey, []byte("not ours")))
	_, err := Open(ctx, client)
	assert.ErrorContains(t, err, "storage holds something else")
}
