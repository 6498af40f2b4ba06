package inprocess

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/client"
)

type forged struct{}

func (forged) GetAttribute(string) any     { return "local" }
func (forged) GetAttributeNames() []string { return []string{attrAgentID} }

func TestAgentID(t *testing.T) {
	tests := []struct {
		name   string
		ctx    context.Context
		want   string
		wantOK bool
	}{
		{name: "marked context names its agent", ctx: NewContext(context.Background(), "local"), want: "local", wantOK: true},
		{name: "plain context is not in-process", ctx: context.Background()},
		{name: "client info without auth is not in-process", ctx: client.NewContext(context.Background(), client.Info{})},
		{name: "other auth data with the same attribute is not in-process",
			ctx: client.NewContext(context.Background(), client.Info{Auth: forged{}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := AgentID(tt.ctx)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("AgentID = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
