// Package store persists what the central collector learns: agents, endpoints,
// probe results with the agent that produced them, events, hourly uptime
// buckets, per-agent failure/success runs and the quorum state of every alert.
//
// Two drivers implement the same Store interface: SQLite (modernc.org/sqlite,
// pure Go, the embedded default) and PostgreSQL (pgx/v5, pooled, COPY for
// results). The schema extends Gatus's, so an existing Gatus database (SQLite
// or PostgreSQL) is upgraded in place on Open: its results become results of
// the agent "local" and no row is lost.
package store
