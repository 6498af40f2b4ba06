package store

import (
	"net/url"
	"regexp"
	"strings"
)

// redactDSN hides the password of a PostgreSQL DSN, in URL or key=value form,
// so that the DSN can appear in logs.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return kvPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

// kvPassword matches password=... in key=value DSNs, quoted or not.
var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// dsnSecrets returns the strings of dsn that must never appear in output: the
// password wherever it is given, and the raw DSN itself.
func dsnSecrets(dsn string, password string) []string {
	var s []string
	if password != "" {
		s = append(s, password, url.QueryEscape(password), url.PathEscape(password))
	}
	if u, err := url.Parse(dsn); err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			s = append(s, p)
		}
		if p := u.Query().Get("password"); p != "" {
			s = append(s, p)
		}
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		if v := strings.Trim(m[2], "'"); v != "" {
			s = append(s, v)
		}
	}
	return s
}

// redactedError hides secrets in the text of an error while keeping it
// inspectable with errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr replaces every secret in err's message with xxxxx.
func redactErr(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if len(s) >= 1 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
