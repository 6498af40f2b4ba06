package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// cachedEndpointID returns the id of a known endpoint key.
func (c *core) cachedEndpointID(key string) (int64, bool) {
	c.idsMu.RLock()
	defer c.idsMu.RUnlock()
	id, ok := c.ids[key]
	return id, ok
}

// endpointIDs resolves endpoint keys within one transaction. Ids it finds or
// creates reach the shared cache only on commit, so a rolled-back creation
// never leaves a dangling id behind.
type endpointIDs struct {
	c       *core
	pending map[string]int64
}

func (c *core) newEndpointIDs() *endpointIDs { return &endpointIDs{c: c, pending: map[string]int64{}} }

// commit publishes the resolved ids; call it after the transaction committed.
func (e *endpointIDs) commit() {
	if len(e.pending) == 0 {
		return
	}
	e.c.idsMu.Lock()
	for k, id := range e.pending {
		e.c.ids[k] = id
	}
	e.c.idsMu.Unlock()
}

// get returns the id of an endpoint key, creating the endpoint (with name and
// group) when it does not exist.
func (e *endpointIDs) get(ctx context.Context, d db, key, name, group string) (int64, error) {
	if id, ok := e.c.cachedEndpointID(key); ok {
		return id, nil
	}
	if id, ok := e.pending[key]; ok {
		return id, nil
	}
	if name == "" {
		name = key
	}
	if _, err := d.exec(ctx, `INSERT INTO endpoints (endpoint_key, endpoint_name, endpoint_group) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, key, name, group); err != nil {
		return 0, fmt.Errorf("create endpoint %q: %w", key, err)
	}
	var id int64
	err := queryOne(ctx, d, `SELECT endpoint_id FROM endpoints WHERE endpoint_key = $1`, []any{key}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("create endpoint %q: name %q in group %q belongs to another endpoint key; upsert the endpoint with its own name first", key, name, group)
	}
	if err != nil {
		return 0, fmt.Errorf("look up endpoint %q: %w", key, err)
	}
	e.pending[key] = id
	return id, nil
}

// writeTx runs fn in a write transaction with an endpoint resolver whose ids
// are cached once the transaction committed.
func (c *core) writeTx(ctx context.Context, fn func(d db, ids *endpointIDs) error) error {
	ids := c.newEndpointIDs()
	if err := c.w.inTx(ctx, func(d db) error { return fn(d, ids) }); err != nil {
		return err
	}
	ids.commit()
	return nil
}

func (c *core) UpsertEndpoints(ctx context.Context, eps []Endpoint) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.w.inTx(ctx, func(d db) error {
		for _, e := range eps {
			if e.Key == "" {
				return errors.New("upsert endpoint: key is required")
			}
			name := e.Name
			if name == "" {
				name = e.Key
			}
			if _, err := d.exec(ctx, `
				INSERT INTO endpoints (endpoint_key, endpoint_name, endpoint_group, configuration_checksum)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (endpoint_key) DO UPDATE SET
					endpoint_name = excluded.endpoint_name,
					endpoint_group = excluded.endpoint_group,
					configuration_checksum = excluded.configuration_checksum`,
				e.Key, name, e.Group, e.ConfigurationChecksum); err != nil {
				return fmt.Errorf("upsert endpoint %q: %w", e.Key, err)
			}
		}
		return nil
	})
}
