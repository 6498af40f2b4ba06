package alertmanager

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   []string // substrings of the error; none: valid
	}{
		{name: "off by default", change: func(*Config) {}},
		{name: "a base url", change: func(c *Config) { c.URL = "http://127.0.0.1:9093" }},
		{name: "a url with a route prefix and basic auth", change: func(c *Config) { c.URL = "https://u:p@am.internal/alertmanager/" }},
		{name: "endpoint instead of url", change: func(c *Config) { c.Endpoint = "http://127.0.0.1:9093" },
			want: []string{"endpoint: not used here; write Alertmanager's address as url"}},
		{name: "no scheme", change: func(c *Config) { c.URL = "127.0.0.1:9093" },
			want: []string{"url: must start with http:// or https://"}},
		{name: "a password is not repeated in the error", change: func(c *Config) { c.URL = "http://u:hunter2@am:9093/?x" },
			want: []string{`url: "http://u:xxxxx@am:9093/?x" must not have a query`}},
		{name: "no resend", change: func(c *Config) { c.URL, c.ResendInterval = "http://am:9093", 0 },
			want: []string{"resend_interval: 0s must be greater than 0"}},
		{name: "labels that Alertmanager or Quorate would not take", change: func(c *Config) {
			c.URL = "http://am:9093"
			c.Labels = map[string]string{"severity": "critical", "endpoint_key": "x", "bad-name": "x", "empty": ""}
		}, want: []string{
			`labels: "bad-name" is not a valid label name`,
			`labels: "empty" has an empty value`,
			`labels: "endpoint_key" is set by Quorate`,
		}},
		{name: "labels without a url", change: func(c *Config) { c.Labels = map[string]string{"severity": "critical"} },
			want: []string{"labels: set, but url is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Equal(t, 1, strings.Count(err.Error(), w), "want %q once in:\n%s", w, err)
			}
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	assert.False(t, c.Enabled())
	assert.Equal(t, 10*time.Second, c.Timeout)
	assert.Equal(t, time.Minute, c.ResendInterval)
}
