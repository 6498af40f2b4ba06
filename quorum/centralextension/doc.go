//go:generate go tool mdatagen metadata.yaml

// Package centralextension is the `quorate_central` extension: the central
// collector's quorum engine (internal/engine) as a collector component.
//
// It is at once
//   - the server authenticator of the otlp receiver (auth: {authenticator:
//     quorate_central}): a bearer token maps to one agent, whose id goes into
//     client.Info.Auth for the quorum processor; an unknown token is a 401;
//   - an HTTP and gRPC server middleware of the otlp receiver (middlewares:
//     [{id: quorate_central}]): it answers 429 with Retry-After, before the
//     request body is read, when the agent is over its rate-per-second.
//     confighttp runs the authenticator first, then the middlewares, so the
//     middleware sees the agent the authenticator found (without `auth` it
//     authenticates by itself);
//   - the agent API server (GET /api/v1/agents/{id}/assignments,
//     GET /api/v1/agents) on its own endpoint, `api`;
//   - the Prometheus product metrics server on its own endpoint, `metrics`;
//   - the owner of the engine, which the quorum processor finds by the
//     extension's component ID.
package centralextension // import "github.com/quorate/quorate/quorum/centralextension"
