package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Assignment says that an agent monitors an endpoint (the endpoint's
// monitored-by in the central's monitoring config).
type Assignment struct {
	EndpointKey string
	AgentID     string
}

func compareAssignments(a, b Assignment) int {
	if c := strings.Compare(a.EndpointKey, b.EndpointKey); c != 0 {
		return c
	}
	return strings.Compare(a.AgentID, b.AgentID)
}

func (c *core) ReplaceAssignments(ctx context.Context, as []Assignment) error {
	if err := c.check(); err != nil {
		return err
	}
	for i, a := range as {
		if a.EndpointKey == "" || a.AgentID == "" {
			return fmt.Errorf("replace assignments: assignment %d (endpoint %q, agent %q): endpoint key and agent id are both required", i, a.EndpointKey, a.AgentID)
		}
	}
	as = slices.Clone(as)
	slices.SortFunc(as, compareAssignments)
	as = slices.Compact(as)
	return c.w.inTx(ctx, func(d db) error {
		if _, err := d.exec(ctx, `DELETE FROM endpoint_agents`); err != nil {
			return fmt.Errorf("replace assignments: clear: %w", err)
		}
		for _, a := range as {
			n, err := d.exec(ctx, `INSERT INTO endpoint_agents (endpoint_id, agent_id)
				SELECT endpoint_id, $2 FROM endpoints WHERE endpoint_key = $1`, a.EndpointKey, a.AgentID)
			if err != nil {
				return fmt.Errorf("replace assignments: endpoint %q agent %q: %w", a.EndpointKey, a.AgentID, err)
			}
			if n == 0 {
				return fmt.Errorf("replace assignments: endpoint %q (monitored by agent %q) is not recorded; record it with UpsertEndpoints first", a.EndpointKey, a.AgentID)
			}
		}
		return nil
	})
}

func (c *core) ListAssignments(ctx context.Context) ([]Assignment, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rs, err := c.r.query(ctx, `SELECT e.endpoint_key, a.agent_id
		FROM endpoint_agents a JOIN endpoints e ON e.endpoint_id = a.endpoint_id
		ORDER BY e.endpoint_key, a.agent_id`)
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	defer rs.Close()
	var out []Assignment
	for rs.Next() {
		var a Assignment
		if err := rs.Scan(&a.EndpointKey, &a.AgentID); err != nil {
			return nil, fmt.Errorf("list assignments: %w", err)
		}
		out = append(out, a)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	return out, nil
}
