package probe

import (
	"context"

	"github.com/quorate/quorate/internal/result"
)

// STUB: replaced by the real implementation.
func lookupDomainExpiration(ctx context.Context, t *Target, res *result.Result) {}
