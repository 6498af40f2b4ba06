package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestReplaceAssignmentsReplacesTheWholeSet(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s := open(t, cfg)
		if err := s.UpsertEndpoints(ctx, []Endpoint{{Key: "core_api"}, {Key: "core_web"}, {Key: "edge_cdn"}}); err != nil {
			t.Fatal(err)
		}
		list := func() []Assignment {
			t.Helper()
			got, err := s.ListAssignments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := list(); len(got) != 0 {
			t.Fatalf("new store has assignments %+v", got)
		}

		first := []Assignment{
			{EndpointKey: "core_web", AgentID: "eu"},
			{EndpointKey: "core_api", AgentID: "us"},
			{EndpointKey: "core_api", AgentID: "eu"},
			{EndpointKey: "core_api", AgentID: "eu"}, // duplicates are ignored
			{EndpointKey: "edge_cdn", AgentID: LocalAgentID},
		}
		if err := s.ReplaceAssignments(ctx, first); err != nil {
			t.Fatal(err)
		}
		want := []Assignment{
			{EndpointKey: "core_api", AgentID: "eu"},
			{EndpointKey: "core_api", AgentID: "us"},
			{EndpointKey: "core_web", AgentID: "eu"},
			{EndpointKey: "edge_cdn", AgentID: LocalAgentID},
		}
		if got := list(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after first replace:\n got %+v\nwant %+v", got, want)
		}

		// A reload that moves edge_cdn to eu and drops core_web's agent.
		second := []Assignment{{EndpointKey: "core_api", AgentID: "eu"}, {EndpointKey: "edge_cdn", AgentID: "eu"}}
		if err := s.ReplaceAssignments(ctx, second); err != nil {
			t.Fatal(err)
		}
		if got := list(); !reflect.DeepEqual(got, second) {
			t.Fatalf("after second replace:\n got %+v\nwant %+v", got, second)
		}

		// An unknown endpoint fails the whole replacement: the set stays.
		err := s.ReplaceAssignments(ctx, []Assignment{{EndpointKey: "core_api", AgentID: "us"}, {EndpointKey: "gone", AgentID: "eu"}})
		if err == nil || !strings.Contains(err.Error(), `endpoint "gone"`) || !strings.Contains(err.Error(), "UpsertEndpoints") {
			t.Errorf("unknown endpoint: err = %v; want one naming the endpoint and the fix", err)
		}
		if got := list(); !reflect.DeepEqual(got, second) {
			t.Errorf("a failed replace changed the set:\n got %+v\nwant %+v", got, second)
		}

		err = s.ReplaceAssignments(ctx, []Assignment{{EndpointKey: "core_api"}})
		if err == nil || !strings.Contains(err.Error(), "agent id") {
			t.Errorf("empty agent id: err = %v; want one naming the field", err)
		}

		// Deleting an endpoint deletes its assignments.
		raw := dc.raw(t, cfg)
		if _, err := raw.exec(ctx, `DELETE FROM endpoints WHERE endpoint_key = 'edge_cdn'`); err != nil {
			t.Fatal(err)
		}
		if got, want := list(), second[:1]; !reflect.DeepEqual(got, want) {
			t.Errorf("after deleting edge_cdn:\n got %+v\nwant %+v", got, want)
		}

		if err := s.ReplaceAssignments(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if got := list(); len(got) != 0 {
			t.Errorf("replace with nothing left %+v", got)
		}
	})
}
