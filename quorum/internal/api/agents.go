package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// AgentResponse is one entry of the agents listing.
type AgentResponse struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// LastSeen is when the agent's last result arrived, nil when never.
	LastSeen   *time.Time `json:"last_seen"`
	Stale      bool       `json:"stale"`
	StaleAfter string     `json:"stale_after"`
}

func (h *handler) agents(w http.ResponseWriter, r *http.Request) {
	cfg := h.src.Config()
	if cfg == nil {
		h.unavailable(w, "monitoring config not loaded yet")
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	h.writeJSON(w, http.StatusOK, listAgents(cfg, h.src.Agents()))
}

// listAgents joins the config's agents with their liveness. The config
// decides which agents exist; an agent the state machine does not know yet
// (just added) shows as never seen.
func listAgents(cfg *monitoring.Config, statuses []state.AgentStatus) []AgentResponse {
	byID := make(map[string]state.AgentStatus, len(statuses))
	for _, st := range statuses {
		byID[st.ID] = st
	}
	out := make([]AgentResponse, 0, len(cfg.Agents))
	for _, a := range cfg.Agents {
		entry := AgentResponse{ID: a.ID, Name: a.Name, StaleAfter: a.StaleAfter.String()}
		if st, ok := byID[a.ID]; ok {
			entry.Stale = st.Stale
			if st.StaleAfter > 0 {
				entry.StaleAfter = st.StaleAfter.String()
			}
			if !st.LastSeen.IsZero() {
				seen := st.LastSeen.UTC()
				entry.LastSeen = &seen
			}
		}
		out = append(out, entry)
	}
	slices.SortFunc(out, func(x, y AgentResponse) int { return strings.Compare(x.ID, y.ID) })
	return out
}
