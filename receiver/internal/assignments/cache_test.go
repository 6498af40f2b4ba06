package assignments

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorate/quorate/internal/endpoint"
)

func TestCacheRoundTripsPrivately(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "quorate")
	path := filepath.Join(dir, "assignments-eu.json")
	ep := httpEndpoint("api")
	ep.SSH = &endpoint.SSHConfig{Username: "probe", Password: "ssh-secret"}
	snap := &Snapshot{AgentID: agentID, Checksum: "abc", Endpoints: []endpoint.Endpoint{ep}}
	saved := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	require.NoError(t, SaveCache(path, snap, saved))
	got, at, err := LoadCache(path, agentID)
	require.NoError(t, err)
	assert.Equal(t, snap, got)
	assert.True(t, saved.Equal(at))

	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the cache may hold probe secrets")
	dinfo, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dinfo.Mode().Perm())
}

func TestSaveCacheReplacesTheFileWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "assignments.json")
	require.NoError(t, os.WriteFile(path, []byte("an older, world-readable file"), 0o644))

	snap := &Snapshot{AgentID: agentID, Checksum: "v2", Endpoints: []endpoint.Endpoint{}}
	require.NoError(t, SaveCache(path, snap, time.Now()))
	got, _, err := LoadCache(path, agentID)
	require.NoError(t, err)
	assert.Equal(t, "v2", got.Checksum)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file may be left behind")
	assert.Equal(t, "assignments.json", entries[0].Name())
}

func TestSaveCacheFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	err := SaveCache(filepath.Join(blocker, "assignments.json"), &Snapshot{AgentID: agentID}, time.Now())
	require.Error(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestLoadCacheRefusesWhatIsNotThisAgentsCache(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	other := filepath.Join(dir, "other.json")
	require.NoError(t, SaveCache(other, &Snapshot{AgentID: "us", Checksum: "x"}, time.Now()))

	tests := []struct {
		name    string
		path    string
		wantIs  error
		wantMsg string
	}{
		{name: "missing", path: filepath.Join(dir, "missing.json"), wantIs: os.ErrNotExist},
		{name: "another agent", path: other, wantIs: ErrOtherAgent},
		{name: "corrupt", path: write("corrupt.json", `{"format":1,"agent_id":"eu","endpoints":[`), wantMsg: "unexpected end of JSON input"},
		{name: "unknown format", path: write("future.json", `{"format":2,"agent_id":"eu"}`), wantMsg: "format 2, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := LoadCache(tt.path, agentID)
			require.Error(t, err)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestLoadCacheOfNoEndpointsIsAnEmptyAssignment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.json")
	require.NoError(t, SaveCache(path, &Snapshot{AgentID: agentID, Checksum: "c"}, time.Now()))
	got, _, err := LoadCache(path, agentID)
	require.NoError(t, err)
	assert.NotNil(t, got.Endpoints)
	assert.Empty(t, got.Endpoints)
}
