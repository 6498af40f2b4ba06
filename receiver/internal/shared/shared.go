// Package shared lets the pipelines that use one receiver configuration share
// one receiver instance, as contrib's sharedcomponent does: the collector
// creates the receiver once per pipeline signal (logs, metrics) with the same
// config pointer, and both must feed from a single scheduler.
package shared

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map holds one instance per key (the receiver's *Config).
type Map[K comparable, V component.Component] struct {
	mu    sync.Mutex
	items map[K]*Component[V]
}

// NewMap returns an empty map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{items: map[K]*Component[V]{}}
}

// LoadOrStore returns the instance for key, creating it with create the first
// time. A failed create stores nothing.
func (m *Map[K, V]) LoadOrStore(key K, create func() (V, error)) (*Component[V], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.items[key]; ok {
		return c, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	c := &Component[V]{value: v}
	c.remove = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.items[key] == c {
			delete(m.items, key)
		}
	}
	m.items[key] = c
	return c, nil
}

// Len is the number of live instances.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Component starts its instance on the first Start and shuts it down on the
// first Shutdown, which also forgets it, so a collector reload builds a fresh
// one. The collector shuts all receivers down together, so the first
// Shutdown is the right moment for every pipeline.
type Component[V component.Component] struct {
	value V

	startOnce sync.Once
	startErr  error
	stopOnce  sync.Once
	stopErr   error
	remove    func()
}

// Unwrap is the shared instance.
func (c *Component[V]) Unwrap() V { return c.value }

// Start implements component.Component.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.startOnce.Do(func() { c.startErr = c.value.Start(ctx, host) })
	return c.startErr
}

// Shutdown implements component.Component.
func (c *Component[V]) Shutdown(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.stopErr = c.value.Shutdown(ctx)
		c.remove()
	})
	return c.stopErr
}
