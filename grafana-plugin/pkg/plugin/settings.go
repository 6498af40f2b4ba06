package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/quorate/quorate/internal/store"
)

// Settings are a data source's jsonData and secureJsonData (see the
// plugin's README for each key).
type Settings struct {
	Driver       string
	Host         string
	Database     string
	User         string
	SSLMode      string
	Schema       string
	Path         string
	MaxOpenConns int
	// Password is secureJsonData.password; never logged.
	Password string
	// applicationName tells a DBA which data source a session serves.
	applicationName string
}

// jsonData is the plain part of the settings as Grafana stores it.
type jsonData struct {
	Driver       string          `json:"driver"`
	Host         string          `json:"host"`
	Database     string          `json:"database"`
	User         string          `json:"user"`
	SSLMode      string          `json:"sslMode"`
	Schema       string          `json:"schema"`
	Path         string          `json:"path"`
	MaxOpenConns json.RawMessage `json:"maxOpenConns"`
}

// maxOpenConnsLimit keeps a typo from opening hundreds of connections.
const maxOpenConnsLimit = 100

// ParseSettings reads and checks the settings, applying the defaults. The
// error lists every problem, each naming its key.
func ParseSettings(s backend.DataSourceInstanceSettings) (Settings, error) {
	var jd jsonData
	if len(bytes.TrimSpace(s.JSONData)) > 0 {
		if err := json.Unmarshal(s.JSONData, &jd); err != nil {
			return Settings{}, fmt.Errorf("jsonData: not a JSON object of settings: %w", err)
		}
	}
	out := Settings{
		Driver:   strings.TrimSpace(jd.Driver),
		Host:     strings.TrimSpace(jd.Host),
		Database: strings.TrimSpace(jd.Database),
		User:     strings.TrimSpace(jd.User),
		SSLMode:  strings.TrimSpace(jd.SSLMode),
		Schema:   strings.TrimSpace(jd.Schema),
		Path:     strings.TrimSpace(jd.Path),
		Password: s.DecryptedSecureJSONData["password"],
		// PostgreSQL keeps the first 63 bytes.
		applicationName: truncate("grafana "+ID+" "+s.UID, 63),
	}
	var errs []error
	switch out.Driver {
	case store.DriverPostgres:
		if out.Host == "" {
			out.Host = store.DefaultReaderHost
		}
		if out.SSLMode == "" {
			out.SSLMode = store.DefaultReaderSSLMode
		}
		if out.Database == "" {
			errs = append(errs, errors.New("jsonData.database: required with driver postgres; give the database the Quorate central writes"))
		}
		if out.User == "" {
			errs = append(errs, errors.New("jsonData.user: required with driver postgres"))
		}
		if !slices.Contains(store.ReaderSSLModes, out.SSLMode) {
			errs = append(errs, fmt.Errorf("jsonData.sslMode: %q is not supported; use one of %s", out.SSLMode, strings.Join(store.ReaderSSLModes, ", ")))
		}
	case store.DriverSQLite:
		if out.Path == "" {
			errs = append(errs, errors.New("jsonData.path: required with driver sqlite; give the database file the Quorate central writes (storage.path of its config)"))
		}
	case "":
		errs = append(errs, fmt.Errorf("jsonData.driver: required; use %q or %q", store.DriverPostgres, store.DriverSQLite))
	default:
		errs = append(errs, fmt.Errorf("jsonData.driver: %q is not supported; use %q or %q", out.Driver, store.DriverPostgres, store.DriverSQLite))
	}
	n, err := parseCount("jsonData.maxOpenConns", jd.MaxOpenConns, store.DefaultReaderMaxConns, maxOpenConnsLimit)
	if err != nil {
		errs = append(errs, err)
	}
	out.MaxOpenConns = n
	if len(errs) > 0 {
		return Settings{}, errors.Join(errs...)
	}
	// What is left (a host:port that does not parse, a bad path) the
	// store's own check names with the same keys.
	cfg := out.readerConfig()
	if err := cfg.Validate(); err != nil {
		lines := strings.Split(err.Error(), "\n")
		for i := range lines {
			lines[i] = "jsonData." + lines[i]
		}
		return Settings{}, errors.New(strings.Join(lines, "\n"))
	}
	return out, nil
}

// readerConfig is the store reader's view of the settings.
func (s Settings) readerConfig() store.ReaderConfig {
	return store.ReaderConfig{
		Driver:   s.Driver,
		Path:     s.Path,
		Host:     s.Host,
		Database: s.Database,
		User:     s.User,
		Password: s.Password,
		SSLMode:  s.SSLMode,
		Schema:   s.Schema,
		MaxConns: s.MaxOpenConns,

		ApplicationName: s.applicationName,
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// String describes where the data source reads, for logs and messages;
// never the password.
func (s Settings) String() string {
	if s.Driver == store.DriverSQLite {
		return fmt.Sprintf("sqlite file %q", s.Path)
	}
	d := fmt.Sprintf("postgres %s database %q user %q", s.Host, s.Database, s.User)
	if s.Schema != "" {
		d += fmt.Sprintf(" schema %q", s.Schema)
	}
	return d
}
