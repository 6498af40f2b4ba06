package agentexporter

import "go.opentelemetry.io/collector/pdata/plog"

// AgentIDAttribute is the resource attribute naming the agent of a result.
const AgentIDAttribute = "quorate.agent.id"

// stampAgentID sets quorate.agent.id on every resource, overwriting another
// value: central attributes results by this attribute (and checks it
// against the token), so it must be this agent's whatever the pipeline did.
func stampAgentID(ld plog.Logs, agentID string) {
	for _, rl := range ld.ResourceLogs().All() {
		rl.Resource().Attributes().PutStr(AgentIDAttribute, agentID)
	}
}
