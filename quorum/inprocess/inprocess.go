// Package inprocess marks data that a component of the same collector
// produced, so the quorum processor can accept results of the in-process
// agent (the tokenless `local` agent) without a bearer token.
//
// Only Go code compiled into the binary can put the marker into a context;
// nothing a remote client sends over OTLP can, because the receivers build
// client.Info themselves and only an authenticator sets its Auth. The probe
// receiver calls NewContext before handing its results to the pipeline.
package inprocess // import "github.com/quorate/quorate/quorum/inprocess"

import (
	"context"

	"go.opentelemetry.io/collector/client"
)

// attrAgentID names the agent in the marker's attributes, as the central's
// authenticator does.
const attrAgentID = "quorate.agent.id"

// authData is the marker: an agent id in a type no other package can build.
type authData struct{ agentID string }

func (a authData) GetAttribute(name string) any {
	if name == attrAgentID {
		return a.agentID
	}
	return nil
}

func (a authData) GetAttributeNames() []string { return []string{attrAgentID} }

// NewContext returns ctx marked as carrying results that the in-process
// agent agentID produced.
func NewContext(ctx context.Context, agentID string) context.Context {
	info := client.FromContext(ctx)
	info.Auth = authData{agentID: agentID}
	return client.NewContext(ctx, info)
}

// AgentID returns the in-process agent of ctx, if NewContext marked it.
func AgentID(ctx context.Context) (string, bool) {
	a, ok := client.FromContext(ctx).Auth.(authData)
	return a.agentID, ok
}
