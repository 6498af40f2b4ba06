package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Binary COPY of results, encoded by hand. pgx's CopyFrom looks up an
// encode plan for every value it writes; at tens of thousands of results a
// second that was the largest cost of the central's writers after
// PostgreSQL itself. The stream is the documented binary COPY format:
// a header, then per row a field count and each field as a length and its
// binary value, then -1.
//
// The hand encoding knows the column types of a Quorate database. A
// database whose columns have other types (an upgraded Gatus database may)
// is written through pgx's CopyFrom, which converts.

// PostgreSQL type OIDs of the columns written by hand.
const (
	oidBool      = 16
	oidInt8      = 20
	oidText      = 25
	oidTimestamp = 1114
)

var (
	resultColumnTypes    = []uint32{oidInt8, oidInt8, oidText, oidBool, oidText, oidBool, oidInt8, oidText, oidInt8, oidInt8, oidText, oidText, oidInt8, oidTimestamp}
	conditionColumnTypes = []uint32{oidInt8, oidText, oidBool}
)

// copyHeader opens a binary COPY stream: signature, flags, no extension.
var copyHeader = []byte("PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000")

// copyBuffers holds the streams being built; a batch's is hundreds of
// kilobytes.
var copyBuffers = sync.Pool{New: func() any { return new(copyStream) }}

// copyStream builds one binary COPY stream.
type copyStream struct{ buf []byte }

func (s *copyStream) begin() { s.buf = append(s.buf[:0], copyHeader...) }

func (s *copyStream) row(fields int) { s.buf = binary.BigEndian.AppendUint16(s.buf, uint16(fields)) }

func (s *copyStream) int8(v int64) {
	s.buf = binary.BigEndian.AppendUint32(s.buf, 8)
	s.buf = binary.BigEndian.AppendUint64(s.buf, uint64(v))
}

func (s *copyStream) bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	s.buf = append(binary.BigEndian.AppendUint32(s.buf, 1), b)
}

func (s *copyStream) text(v string) {
	s.buf = binary.BigEndian.AppendUint32(s.buf, uint32(len(v)))
	s.buf = append(s.buf, v...)
}

// postgresEpoch is the zero of PostgreSQL's binary timestamps.
var postgresEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// timestamp writes a timestamp without time zone: t's UTC wall clock, in
// microseconds since 2000-01-01 (truncated, as pgx does).
func (s *copyStream) timestamp(t time.Time) {
	t = t.UTC()
	us := t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - postgresEpoch.Unix()*1_000_000
	s.int8(us) // same layout: length 8, then the value
}

func (s *copyStream) end() { s.buf = binary.BigEndian.AppendUint16(s.buf, 0xFFFF) }

// handCopyable reports whether the columns of table have the types the
// hand encoding writes. The statement description is cached per
// connection by pgx, so this costs a round trip once per connection.
func handCopyable(ctx context.Context, tx pgx.Tx, table string, columns []string, types []uint32) (bool, error) {
	q := "SELECT " + strings.Join(columns, ", ") + " FROM " + table
	sd, err := tx.Conn().Prepare(ctx, q, q)
	if err != nil {
		return false, fmt.Errorf("describe %s: %w", table, err)
	}
	if len(sd.Fields) != len(types) {
		return false, nil
	}
	for i, f := range sd.Fields {
		if f.DataTypeOID != types[i] {
			return false, nil
		}
	}
	return true, nil
}

// copyStreamIn sends a finished stream with COPY ... FROM STDIN BINARY.
func copyStreamIn(ctx context.Context, tx pgx.Tx, table string, columns []string, s *copyStream) error {
	sql := "COPY " + table + " (" + strings.Join(columns, ", ") + ") FROM STDIN BINARY"
	_, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(s.buf), sql)
	return err
}

// copyResultsByHand writes results and their condition results with hand
// encoded COPY streams; ok is false when the columns' types differ from
// the ones it writes and nothing was written.
func copyResultsByHand(ctx context.Context, tx pgx.Tx, rs []Result, resultIDs, endpointIDs []int64) (ok bool, err error) {
	for _, t := range []struct {
		table   string
		columns []string
		types   []uint32
	}{
		{"endpoint_results", resultColumns, resultColumnTypes},
		{"endpoint_result_conditions", conditionColumns, conditionColumnTypes},
	} {
		if ok, err := handCopyable(ctx, tx, t.table, t.columns, t.types); !ok || err != nil {
			return false, err
		}
	}
	s := copyBuffers.Get().(*copyStream)
	defer copyBuffers.Put(s)

	s.begin()
	for i := range rs {
		r := &rs[i]
		s.row(len(resultColumns))
		s.int8(resultIDs[i])
		s.int8(endpointIDs[i])
		s.text(r.AgentID)
		s.bool(r.Success)
		s.text(joinErrors(r.Errors))
		s.bool(r.Connected)
		s.int8(int64(r.HTTPStatus))
		s.text(r.DNSRCode)
		s.int8(int64(r.CertificateExpiration))
		s.int8(int64(r.DomainExpiration))
		s.text(r.Hostname)
		s.text(r.IP)
		s.int8(int64(r.Duration))
		s.timestamp(r.Timestamp)
	}
	s.end()
	if err := copyStreamIn(ctx, tx, "endpoint_results", resultColumns, s); err != nil {
		return true, fmt.Errorf("copy results: %w", err)
	}

	conditions := 0
	for i := range rs {
		conditions += len(rs[i].ConditionResults)
	}
	if conditions == 0 {
		return true, nil
	}
	s.begin()
	for i := range rs {
		for _, c := range rs[i].ConditionResults {
			s.row(len(conditionColumns))
			s.int8(resultIDs[i])
			s.text(c.Condition)
			s.bool(c.Success)
		}
	}
	s.end()
	if err := copyStreamIn(ctx, tx, "endpoint_result_conditions", conditionColumns, s); err != nil {
		return true, fmt.Errorf("copy condition results: %w", err)
	}
	return true, nil
}
