// Package cleartext tells when an agent's bearer token would cross the
// network unencrypted, so the receiver and the exporter can warn about it.
package cleartext

import (
	"net"
	"net/url"
)

// OffLoopback reports an http:// URL whose host is not this machine.
// https:// URLs, loopback addresses, localhost and unparsable URLs are not.
func OffLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
