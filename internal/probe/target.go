package probe

import (
	"context"

	"github.com/quorate/quorate/internal/result"
)

// STUB: replaced by the real implementation.
func hostname(t *Target) string                                    { return "" }
func resolveIP(ctx context.Context, t *Target, res *result.Result) {}
