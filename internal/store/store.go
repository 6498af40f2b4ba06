package store

import (
	"context"
	"errors"
	"time"
)

// ErrClosed is returned by every method called after Close.
var ErrClosed = errors.New("store is closed")

// Store is the central's storage. Implementations are safe for concurrent use.
type Store interface {
	// UpsertAgents records agents by id; a non-zero LastSeen only ever moves
	// last_seen forward.
	UpsertAgents(ctx context.Context, agents []Agent) error
	// TouchAgents moves the last-seen time of agents forward, creating unknown
	// agents with an empty name.
	TouchAgents(ctx context.Context, seen map[string]time.Time) error
	// ListAgents returns every agent ordered by id.
	ListAgents(ctx context.Context) ([]Agent, error)

	// UpsertEndpoints records endpoints by key (name, group, checksum).
	UpsertEndpoints(ctx context.Context, endpoints []Endpoint) error

	// ReplaceAssignments replaces every stored assignment (which agents
	// monitor which endpoint) with as, in one transaction. Every endpoint
	// must be recorded (UpsertEndpoints); duplicates are ignored.
	ReplaceAssignments(ctx context.Context, as []Assignment) error
	// ListAssignments returns the stored assignments ordered by endpoint
	// key and agent id.
	ListAssignments(ctx context.Context) ([]Assignment, error)

	// WriteResults writes results synchronously, in transactions of at most
	// Batching.MaxBatchSize results (up to Batching.Workers at once), and adds
	// them to the uptime buckets. Results of unknown endpoints create the
	// endpoint. On error, other batches of the call may have been written.
	WriteResults(ctx context.Context, results []Result) error
	// WriteBatch writes b (results, events, state) in one transaction, the
	// central's group commit. Unlike WriteResults it does not add b's results
	// to the hourly uptime buckets in that transaction: their sums wait in
	// memory, summed with those of later batches, until a batch with
	// FlushUptimes (or Close) writes them, so a bucket is upserted once per
	// flush rather than once per batch. A crash therefore loses the uptime
	// sums of at most the results written since the last flush; the results
	// themselves, events and state are durable when WriteBatch returns.
	WriteBatch(ctx context.Context, b *Batch) error
	// Enqueue hands results to the background writer, which writes them in
	// batches of Batching.MaxBatchSize or every Batching.FlushInterval. It
	// blocks while Batching.QueueSize results are waiting (back-pressure) until
	// ctx is done. A batch that keeps failing is dropped after retries and
	// reported to Config.OnWriteError and the logger.
	Enqueue(ctx context.Context, results ...Result) error
	// Flush returns once every result enqueued before the call is written (or
	// dropped after failing, see Config.OnWriteError).
	Flush(ctx context.Context) error

	// RecordEvents stores events; Details must be valid JSON or empty.
	RecordEvents(ctx context.Context, events []Event) error
	// ListEvents returns events matching f, oldest first by event time (ids
	// break ties): concurrent transactions may number events out of the
	// order they happened in.
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)

	// SaveAgentRuns upserts per-agent runs, unique on (endpoint, checksum, agent).
	SaveAgentRuns(ctx context.Context, runs []AgentRun) error
	// DeleteAgentRuns removes the runs of an endpoint whose checksum is not in
	// keep (alerts removed or changed), returning how many were removed.
	DeleteAgentRuns(ctx context.Context, endpointKey string, keep []string) (int64, error)
	// LoadAgentRuns returns every stored run, for restart recovery.
	LoadAgentRuns(ctx context.Context) ([]AgentRun, error)

	// SaveQuorumStates upserts quorum states, unique on (endpoint, alert index).
	SaveQuorumStates(ctx context.Context, states []QuorumState) error
	// LoadQuorumStates returns every stored quorum state, for restart recovery.
	LoadQuorumStates(ctx context.Context) ([]QuorumState, error)

	// UptimeBuckets returns hourly buckets of one endpoint (AgentID empty) or
	// of one endpoint and agent, oldest first.
	UptimeBuckets(ctx context.Context, f UptimeFilter) ([]UptimeBucket, error)
	// CountResults counts stored results matching f.
	CountResults(ctx context.Context, f ResultFilter) (int64, error)

	// Prune applies the retention settings relative to now. The caller
	// schedules it.
	Prune(ctx context.Context, now time.Time) (PruneStats, error)

	// SchemaVersion is the highest applied migration.
	SchemaVersion(ctx context.Context) (int, error)

	// Close flushes enqueued results (bounded by ctx) and releases the
	// database.
	Close(ctx context.Context) error
}
