package auth

import (
	"net/http"
	"testing"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
		wantOK  bool
	}{
		{name: "bearer scheme", headers: []string{"Bearer s3cret"}, want: "s3cret", wantOK: true},
		{name: "scheme is case-insensitive", headers: []string{"bEaReR s3cret"}, want: "s3cret", wantOK: true},
		{name: "blanks around the token are ignored", headers: []string{"  Bearer   s3cret  "}, want: "s3cret", wantOK: true},
		{name: "token68 characters are kept", headers: []string{"Bearer abc-._~+/=="}, want: "abc-._~+/==", wantOK: true},
		{name: "missing header", headers: nil},
		{name: "empty header", headers: []string{""}},
		{name: "scheme without token", headers: []string{"Bearer"}},
		{name: "scheme with blank token", headers: []string{"Bearer    "}},
		{name: "basic scheme", headers: []string{"Basic czNjcmV0"}},
		{name: "scheme prefix only", headers: []string{"Bearers s3cret"}},
		{name: "token without scheme", headers: []string{"s3cret"}},
		{name: "blank inside the token", headers: []string{"Bearer s3 cret"}},
		{name: "repeated header is ambiguous", headers: []string{"Bearer a", "Bearer b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.headers {
				h.Add("Authorization", v)
			}
			got, ok := BearerToken(h)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.headers, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
