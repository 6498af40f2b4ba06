package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/quorate/quorate/quorum/internal/auth"
)

// The errors below carry a gRPC status because the otlp receiver turns one
// into the matching answer on both transports: Unauthenticated is HTTP 401,
// ResourceExhausted with RetryInfo is 429 with Retry-After, PermissionDenied
// is 403 and InvalidArgument 400. None of them is retried by an OTLP
// exporter except the 429, which is what the agent should do.

// StatusUnauthenticated is the answer to a request without a valid token.
func StatusUnauthenticated() *status.Status {
	return status.New(codes.Unauthenticated, "quorate: missing or unknown bearer token; send the agent's token as Authorization: Bearer <token>")
}

// StatusRateLimited is the answer to a request over the agent's
// rate-per-second. The retry delay is whole seconds, rounded up, because
// Retry-After and the receiver's conversion of it are whole seconds.
func StatusRateLimited(agentID string, retryAfter time.Duration) *status.Status {
	secs := auth.RetryAfterSeconds(retryAfter)
	st := status.New(codes.ResourceExhausted,
		fmt.Sprintf("quorate: agent %q is over its rate-per-second; retry after %ds", agentID, secs))
	if withInfo, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(time.Duration(secs) * time.Second)}); err == nil {
		st = withInfo
	}
	return st
}

// StatusRejected is the answer to a batch of which some results were
// rejected (the others were accepted and must not be sent again): 403 when
// the agent reported what it may not, 400 when records were malformed only.
func StatusRejected(agentID string, total int, rejected map[string]int) *status.Status {
	code := codes.InvalidArgument
	var parts []string
	n := 0
	for _, reason := range slices.Sorted(maps.Keys(rejected)) {
		parts = append(parts, fmt.Sprintf("%s: %d", reason, rejected[reason]))
		n += rejected[reason]
		if reason != ReasonMalformed {
			code = codes.PermissionDenied
		}
	}
	return status.New(code, fmt.Sprintf("quorate: rejected %d of %d records of agent %q (%s); the other records were accepted, do not resend them",
		n, total, agentID, strings.Join(parts, ", ")))
}
