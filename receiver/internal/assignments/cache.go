package assignments

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// cacheFormat versions the cache file; a file of another format is ignored.
const cacheFormat = 1

// cacheFile is what is stored on disk: the central's answer plus when it was
// saved. It may hold probe secrets (headers, SSH passwords), hence 0600; it
// never holds the agent's token.
type cacheFile struct {
	Format  int       `json:"format"`
	SavedAt time.Time `json:"saved_at"`
	Snapshot
}

// ErrOtherAgent is returned by LoadCache for a cache written for another
// agent id, which must not be probed under this one.
var ErrOtherAgent = errors.New("the cache holds another agent's assignments")

// LoadCache reads the assignments saved for agentID at path, and when they
// were saved. A missing file is an error satisfying errors.Is(err,
// os.ErrNotExist).
func LoadCache(path, agentID string) (*Snapshot, time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	var f cacheFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, time.Time{}, fmt.Errorf("cache file %s: %w", path, err)
	}
	if f.Format != cacheFormat {
		return nil, time.Time{}, fmt.Errorf("cache file %s: format %d, want %d", path, f.Format, cacheFormat)
	}
	if f.AgentID != agentID {
		return nil, time.Time{}, fmt.Errorf("cache file %s: agent %q, not %q: %w", path, f.AgentID, agentID, ErrOtherAgent)
	}
	if f.Endpoints == nil {
		f.Endpoints = []endpoint.Endpoint{} // no endpoints is a valid assignment
	}
	s := f.Snapshot
	return &s, f.SavedAt, nil
}

// SaveCache writes s to path atomically: a temporary file in the same
// directory, synced, then renamed over path, so a crash leaves either the
// old or the new file and never half of one. Missing directories are created
// 0700 and the file is 0600.
func SaveCache(path string, s *Snapshot, now time.Time) (err error) {
	b, err := json.Marshal(cacheFile{Format: cacheFormat, SavedAt: now.UTC(), Snapshot: *s})
	if err != nil {
		return fmt.Errorf("encoding the assignments cache: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the cache directory: %w", err)
	}
	// CreateTemp makes the file 0600 and gives it a name no one can guess.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("creating the cache file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing the cache file: %w", err)
	}
	return nil
}
