package resultschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// encodeUnknown is encode with AppendUnknownLogRecord.
func encodeUnknown(res *result.Result) (plog.Logs, plog.LogRecord) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	SetResource(rl.Resource(), "offline-agent")
	lr := AppendUnknownLogRecord(rl.ScopeLogs().AppendEmpty(), httpEndpoint(), endpoint.TypeHTTP, res, observed)
	return ld, lr
}

func TestFailureOfAnOfflineAgentIsMarkedUnknown(t *testing.T) {
	ld, lr := encodeUnknown(failure())

	v, ok := lr.Attributes().Get(AttrUnknown)
	require.True(t, ok)
	assert.True(t, v.Bool())
	assert.Equal(t, plog.SeverityNumberWarn, lr.SeverityNumber())
	assert.Regexp(t, `^core/api: unknown, agent offline: failed in 3ms \(HTTP 503\): Get `, lr.Body().Str())

	got, err := DecodeLogs(ld)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, got[0].Unknown)
	want := *failure()
	want.Hostname = ""
	assert.Equal(t, want, got[0].Result, "the record still says what the probe saw")
	assert.False(t, got[0].Result.Success, "success stays false for consumers that do not know the attribute")
}

func TestSuccessIsNeverUnknown(t *testing.T) {
	ld, lr := encodeUnknown(fullSuccess())
	_, ok := lr.Attributes().Get(AttrUnknown)
	assert.False(t, ok, "a success proves the agent was online")
	assert.Equal(t, "core/api: succeeded in 123ms (HTTP 200)", lr.Body().Str())

	got, err := DecodeLogs(ld)
	require.NoError(t, err)
	assert.False(t, got[0].Unknown)
	assert.True(t, got[0].Result.Success)
}

func TestOrdinaryFailureHasNoUnknownAttribute(t *testing.T) {
	ld, lr := encode("a", httpEndpoint(), endpoint.TypeHTTP, failure())
	_, ok := lr.Attributes().Get(AttrUnknown)
	assert.False(t, ok, "the attribute is optional: absent unless true")
	got, err := DecodeLogs(ld)
	require.NoError(t, err)
	assert.False(t, got[0].Unknown)
}

func TestDecodeRejectsABadUnknownAttribute(t *testing.T) {
	tests := []struct {
		name   string
		res    *result.Result
		modify func(lr plog.LogRecord)
		want   string
	}{
		{name: "unknown on a success", res: fullSuccess(), modify: func(lr plog.LogRecord) { lr.Attributes().PutBool(AttrUnknown, true) },
			want: "attribute quorate.result.unknown is true on a successful result"},
		{name: "unknown as a string", res: failure(), modify: func(lr plog.LogRecord) { lr.Attributes().PutStr(AttrUnknown, "true") },
			want: "attribute quorate.result.unknown is Str, want Bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, lr := encode("a", httpEndpoint(), endpoint.TypeHTTP, tt.res)
			tt.modify(lr)
			_, err := Decode(lr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
