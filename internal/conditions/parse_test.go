package conditions

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAcceptsWhatGatusAccepts(t *testing.T) {
	for _, raw := range []string{
		"[STATUS] == 200",
		"[STATUS] != 200",
		"[STATUS] <= 200",
		"[STATUS] >= 200",
		"[STATUS] < 200",
		"[STATUS] > 200",
		"[STATUS] == any(200, 201, 202, 203)",
		"[STATUS] == [BODY].status",
		"[CONNECTED] == true",
		"[RESPONSE_TIME] < 500",
		"[IP] == 127.0.0.1",
		"[BODY] == 1",
		"[BODY].test == wat",
		"[BODY].test.wat == wat",
		"[BODY].age == [BODY].id",
		"[BODY].users[0].id == 1",
		"len([BODY].users) == 100",
		"len([BODY].data) < 5",
		"has([BODY].errors) == false",
		"has([BODY].users[0].name) == true",
		"[BODY].name == pat(john*)",
		"[CERTIFICATE_EXPIRATION] > 48h",
		"[DOMAIN_EXPIRATION] > 720h",
		"[DNS_RCODE] == NOERROR",
		"raw == raw",
		// Gatus does not check placeholders, parentheses or empty sides.
		"[UNKNOWN] == 1",
		"len([BODY].users == 100",
		"[STATUS] ==  ",
		"[status] == 200",
	} {
		t.Run(raw, func(t *testing.T) {
			c, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse(%q) = %v, want no error", raw, err)
			}
			if c.String() != raw {
				t.Errorf("String() = %q, want %q", c.String(), raw)
			}
		})
	}
}

func TestParseRejectsConditionsWithoutSpacedComparator(t *testing.T) {
	for _, tc := range []struct {
		raw        string
		wantDetail string
	}{
		{"[STATUS] ? 201", "no comparator found"},
		{"[STATUS] 200", "no comparator found"},
		{"[STATUS] = = 201", "no comparator found"},
		{"[STATUS]", "no comparator found"},
		{"[STATUS]==201", `comparator "==" needs a value on each side`},
		{"[STATUS] ==", `comparator "==" needs a value on each side`},
		{"[RESPONSE_TIME]<300", `comparator "<" needs a value on each side`},
		{"[STATUS]\t==\t200", `comparator "==" needs a value on each side`},
		{"", "the condition is empty"},
		{"   ", "the condition is empty"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			c, err := Parse(tc.raw)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tc.raw, c)
			}
			if !errors.Is(err, ErrInvalidFormat) {
				t.Errorf("error %q does not wrap ErrInvalidFormat", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "<VALUE> <COMPARATOR> <VALUE>") || !strings.Contains(msg, tc.wantDetail) {
				t.Errorf("error = %q, want the expected form and %q", msg, tc.wantDetail)
			}
		})
	}
}

func TestParseSplitsOnTheFirstComparatorGatusLooksFor(t *testing.T) {
	for _, tc := range []struct {
		raw         string
		wantCmp     comparator
		left, right string
	}{
		{"[STATUS] == 200", cmpEqual, "[STATUS]", "200"},
		{"  [STATUS]   ==   200  ", cmpEqual, "[STATUS]", "200"},
		// == is looked for before !=, whatever comes first in the text.
		{"a != b == c", cmpEqual, "a != b", "c"},
		// <= before <, >= before >.
		{"a < b <= c", cmpLessOrEqual, "a < b", "c"},
		{"a > b >= c", cmpGreaterOrEqual, "a > b", "c"},
		// Only the first two parts count.
		{"1 == 2 == 1", cmpEqual, "1", "2"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			c, err := Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if c.cmp != tc.wantCmp || c.left.text != tc.left || c.right.text != tc.right {
				t.Errorf("parsed as %q %s %q, want %q %s %q", c.left.text, c.cmp, c.right.text, tc.left, tc.wantCmp, tc.right)
			}
		})
	}
}

func TestUsesReportsWhatAProbeMustFetch(t *testing.T) {
	for _, tc := range []struct {
		raw                        string
		wantIP, wantDomain, wantBd bool
	}{
		{"[STATUS] == 200", false, false, false},
		{"[IP] == 127.0.0.1", true, false, false},
		{"len([IP]) > 0", true, false, false},
		{"[DOMAIN_EXPIRATION] > 720h", false, true, false},
		{"[BODY].status == UP", false, false, true},
		{"[BODY] == pat(*ok*)", false, false, true},
		{"[CERTIFICATE_EXPIRATION] > 48h", false, false, false},
		// Gatus looks for the upper-case text anywhere, and only for it.
		{"x[IP] == y", true, false, false},
		{"[ip] == pat(10.*)", false, false, false},
		{"[domain_expiration] > 720h", false, false, false},
		{"len([body]) > 0", false, false, false},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			c, err := Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.UsesIP(); got != tc.wantIP {
				t.Errorf("UsesIP() = %v, want %v", got, tc.wantIP)
			}
			if got := c.UsesDomainExpiration(); got != tc.wantDomain {
				t.Errorf("UsesDomainExpiration() = %v, want %v", got, tc.wantDomain)
			}
			if got := c.UsesBody(); got != tc.wantBd {
				t.Errorf("UsesBody() = %v, want %v", got, tc.wantBd)
			}
		})
	}
}
