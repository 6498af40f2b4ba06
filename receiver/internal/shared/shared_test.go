package shared

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
)

type counting struct {
	starts, stops int
}

func (c *counting) Start(context.Context, component.Host) error { c.starts++; return nil }
func (c *counting) Shutdown(context.Context) error              { c.stops++; return nil }

func TestOneInstancePerKeyStartedAndStoppedOnce(t *testing.T) {
	m := NewMap[*int, *counting]()
	keyA, keyB := new(int), new(int)
	created := 0
	create := func() (*counting, error) { created++; return &counting{}, nil }

	a1, err := m.LoadOrStore(keyA, create)
	require.NoError(t, err)
	a2, err := m.LoadOrStore(keyA, create)
	require.NoError(t, err)
	b, err := m.LoadOrStore(keyB, create)
	require.NoError(t, err)
	assert.Same(t, a1, a2, "same key, same instance")
	assert.NotSame(t, a1.Unwrap(), b.Unwrap(), "other key, other instance")
	assert.Equal(t, 2, created)

	host := componenttest.NewNopHost()
	require.NoError(t, a1.Start(context.Background(), host))
	require.NoError(t, a2.Start(context.Background(), host))
	require.NoError(t, a1.Shutdown(context.Background()))
	require.NoError(t, a2.Shutdown(context.Background()))
	assert.Equal(t, 1, a1.Unwrap().starts)
	assert.Equal(t, 1, a1.Unwrap().stops)
	assert.Equal(t, 1, m.Len(), "a shut down instance is forgotten")

	a3, err := m.LoadOrStore(keyA, create)
	require.NoError(t, err)
	assert.NotSame(t, a1, a3, "after shutdown the key gets a fresh instance")
}

func TestFailedCreateStoresNothing(t *testing.T) {
	m := NewMap[string, *counting]()
	_, err := m.LoadOrStore("k", func() (*counting, error) { return nil, errors.New("nope") })
	require.EqualError(t, err, "nope")
	assert.Zero(t, m.Len())
}

func TestShutdownWithoutStart(t *testing.T) {
	m := NewMap[string, *counting]()
	c, err := m.LoadOrStore("k", func() (*counting, error) { return &counting{}, nil })
	require.NoError(t, err)
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Equal(t, 0, c.Unwrap().starts)
	assert.Zero(t, m.Len())
}
