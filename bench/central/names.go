package main

import (
	"fmt"

	"github.com/quorate/quorate/internal/endpoint"
)

// The setup and load commands must agree on agents, tokens and endpoints:
// both derive them from the same counts through these functions.

// group holds every benchmark endpoint.
const group = "bench"

// markerName is the endpoint of the marker results; no bulk result touches
// it, so its quorate_results_total series counts markers only.
const markerName = "marker"

func agentID(i int) string { return fmt.Sprintf("agent-%02d", i+1) }

// agentToken is a throwaway bearer token: the central listens on loopback
// only and its monitoring file lives in a temporary directory.
func agentToken(i int) string { return fmt.Sprintf("quorate-bench-token-%02d", i+1) }

func endpointName(j int) string { return fmt.Sprintf("ep-%05d", j+1) }

func markerKey() string { return endpoint.Key(group, markerName) }

// targetURL is never probed (there is no agent); it only fills the records.
func targetURL(name string) string { return "http://127.0.0.1:18080/" + name }
