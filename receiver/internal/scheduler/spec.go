package scheduler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/probe"
)

// specHash identifies what a target probes and how, so Update can tell a
// changed target from an unchanged one. encoding/json sorts map keys, which
// makes the hash stable.
func specHash(t *probe.Target) (string, error) {
	b, err := json.Marshal(struct {
		Endpoint *endpoint.Endpoint
		Options  probe.Options
	}{t.Endpoint, t.Options})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
