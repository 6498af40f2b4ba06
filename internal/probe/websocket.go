package probe

import (
	"context"

	"github.com/quorate/quorate/internal/result"
)

// STUB: replaced by the real prober.
func probeWebSocket(ctx context.Context, t *Target, res *result.Result) { res.AddError("not implemented") }
