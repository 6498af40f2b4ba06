package alertmanager

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
)

// Defaults.
const (
	DefaultTimeout = 10 * time.Second
	// DefaultResendInterval is Prometheus's resend delay: well under
	// Alertmanager's default resolve_timeout of 5m.
	DefaultResendInterval = time.Minute
)

// Config is the `alertmanager` section of the quorate_central extension.
type Config struct {
	// URL is Alertmanager's base URL, e.g. http://127.0.0.1:9093 (plus a
	// --web.route-prefix when it has one); alerts go to URL/api/v2/alerts.
	// Empty turns the notifier off. Basic auth in it is used, never logged.
	URL string `mapstructure:"url"`
	// ClientConfig holds timeout, headers, tls, auth, proxy_url: the
	// collector's HTTP client settings. Its endpoint key is not used.
	confighttp.ClientConfig `mapstructure:",squash"`
	// ResendInterval is how often every firing alert is posted again, so
	// that Alertmanager does not resolve it on its own (each post says it
	// ends 4 intervals later unless posted again).
	ResendInterval time.Duration `mapstructure:"resend_interval"`
	// Labels are added to every alert, e.g. severity or cluster, for
	// routing. They cannot replace Quorate's own labels.
	Labels map[string]string `mapstructure:"labels"`
}

// DefaultConfig is off (no url) with the defaults above.
func DefaultConfig() Config {
	cc := confighttp.NewDefaultClientConfig()
	cc.Timeout = DefaultTimeout
	return Config{ClientConfig: cc, ResendInterval: DefaultResendInterval}
}

// Enabled reports whether alerts are posted at all.
func (c *Config) Enabled() bool { return c.URL != "" }

// labelName is Alertmanager's classic label name syntax, which every
// version accepts.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// Validate checks the url and the extra labels; the embedded client
// settings are validated by the collector on their own. Errors name the
// key under alertmanager.
func (c *Config) Validate() error {
	var errs []error
	if c.Endpoint != "" {
		errs = append(errs, errors.New("endpoint: not used here; write Alertmanager's address as url, e.g. url: http://127.0.0.1:9093"))
	}
	if !c.Enabled() {
		if len(c.Labels) > 0 {
			errs = append(errs, errors.New("labels: set, but url is empty so nothing is posted; set url to Alertmanager's address"))
		}
		return errors.Join(errs...)
	}
	if err := checkURL(c.URL); err != nil {
		errs = append(errs, err)
	}
	if c.ResendInterval <= 0 {
		errs = append(errs, fmt.Errorf("resend_interval: %s must be greater than 0; keep it under Alertmanager's resolve_timeout, e.g. %s", c.ResendInterval, DefaultResendInterval))
	}
	names := make([]string, 0, len(c.Labels))
	for name := range c.Labels {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case !labelName.MatchString(name):
			errs = append(errs, fmt.Errorf("labels: %q is not a valid label name: use letters, digits and underscores, not starting with a digit", name))
		case slices.Contains(ownLabels, name):
			errs = append(errs, fmt.Errorf("labels: %q is set by Quorate on every alert and cannot be replaced; choose another name", name))
		case c.Labels[name] == "":
			errs = append(errs, fmt.Errorf("labels: %q has an empty value, which Alertmanager drops; give it a value or remove it", name))
		}
	}
	return errors.Join(errs...)
}

// checkURL accepts an absolute http(s) URL without query or fragment. The
// error shows the URL redacted: it may carry a password.
func checkURL(raw string) error {
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		// Not shown: without a scheme, a password cannot be told apart.
		return errors.New("url: must start with http:// or https://, e.g. http://127.0.0.1:9093")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("url: not a valid URL; write Alertmanager's base address, e.g. http://127.0.0.1:9093")
	}
	shown := u.Redacted()
	switch {
	case u.Host == "":
		return fmt.Errorf("url: %q has no host, e.g. http://127.0.0.1:9093", shown)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("url: %q must not have a query or fragment; give the base address only (alerts go to <url>/api/v2/alerts)", shown)
	}
	return nil
}
