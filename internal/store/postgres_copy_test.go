package store

import (
	"context"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// copyEdgeResults have the values a hand-encoded COPY can get wrong:
// microseconds, times before 2000, negative and large durations, empty and
// non-ASCII text, several errors.
func copyEdgeResults() []Result {
	mk := func(key string, ts time.Time, r result.Result) Result {
		r.Timestamp = ts
		return Result{EndpointKey: key, AgentID: "ağent-ü", Result: r}
	}
	return []Result{
		mk("a_x", time.Date(2026, 11, 25, 1, 2, 3, 456789999, time.UTC), result.Result{Success: true, Connected: true, HTTPStatus: 200,
			Duration: 1500 * time.Microsecond, CertificateExpiration: -90 * time.Minute, DomainExpiration: 1 << 50,
			Hostname: "例え.jp", IP: "::1", DNSRCode: "NOERROR",
			ConditionResults: []result.ConditionResult{{Condition: "[STATUS] == 200", Success: true}, {Condition: "", Success: false}}}),
		mk("a_y", time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.FixedZone("x", 3600)), result.Result{
			Errors: []string{"dial tcp: refused", "ünïcode \t tab"}}),
	}
}

func TestPostgresCopyStoresEveryValueAsGiven(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter string // makes the columns differ from the hand encoding's types
	}{
		{"hand encoded", ""},
		{"through pgx, other column types", `ALTER TABLE endpoint_results ALTER COLUMN status TYPE INTEGER`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dc := driverCases[1]
			cfg := dc.config(t)
			s := open(t, cfg)
			raw := dc.raw(t, cfg)
			if tc.alter != "" {
				if _, err := raw.exec(ctx, tc.alter); err != nil {
					t.Fatal(err)
				}
				// Connections opened before the change cached the old types.
				if err := s.Close(ctx); err != nil {
					t.Fatal(err)
				}
				s = open(t, cfg)
			}
			in := copyEdgeResults()
			if err := s.WriteBatch(ctx, &Batch{Results: in}); err != nil {
				t.Fatal(err)
			}
			rows, err := raw.query(ctx, `SELECT r.agent_id, r.success, r.errors, r.connected, r.status, r.dns_rcode,
				r.certificate_expiration, r.domain_expiration, r.hostname, r.ip, r.duration, r.timestamp,
				(SELECT string_agg(c.condition || '=' || c.success::text, ',' ORDER BY c.endpoint_result_condition_id)
				 FROM endpoint_result_conditions c WHERE c.endpoint_result_id = r.endpoint_result_id)
				FROM endpoint_results r ORDER BY r.endpoint_result_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			i := 0
			for ; rows.Next(); i++ {
				var (
					agent, errs, rcode, host, ip string
					success, connected           bool
					status, cert, domain, dur    int64
					ts                           time.Time
					conds                        *string
				)
				if err := rows.Scan(&agent, &success, &errs, &connected, &status, &rcode, &cert, &domain, &host, &ip, &dur, &ts, &conds); err != nil {
					t.Fatal(err)
				}
				want := in[i]
				wantConds := ""
				for j, c := range want.ConditionResults {
					if j > 0 {
						wantConds += ","
					}
					wantConds += c.Condition + "=" + map[bool]string{true: "true", false: "false"}[c.Success]
				}
				gotConds := ""
				if conds != nil {
					gotConds = *conds
				}
				if agent != want.AgentID || success != want.Success || errs != joinErrors(want.Errors) || connected != want.Connected ||
					status != int64(want.HTTPStatus) || rcode != want.DNSRCode || cert != int64(want.CertificateExpiration) ||
					domain != int64(want.DomainExpiration) || host != want.Hostname || ip != want.IP || dur != int64(want.Duration) ||
					!ts.Equal(want.Timestamp.UTC().Truncate(time.Microsecond)) || gotConds != wantConds {
					t.Errorf("row %d:\n got %q %v %q %v %d %q %d %d %q %q %d %s %q\nwant %+v", i,
						agent, success, errs, connected, status, rcode, cert, domain, host, ip, dur, ts, gotConds, want)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if i != len(in) {
				t.Fatalf("%d rows stored, want %d", i, len(in))
			}
		})
	}
}
