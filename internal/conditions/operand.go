package conditions

import (
	"strconv"
	"strings"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// Placeholders, function prefixes and the marker of an unresolvable value, as
// users write them in Gatus configurations.
const (
	placeholderStatus                = "[STATUS]"
	placeholderIP                    = "[IP]"
	placeholderResponseTime          = "[RESPONSE_TIME]"
	placeholderDNSRCode              = "[DNS_RCODE]"
	placeholderConnected             = "[CONNECTED]"
	placeholderCertificateExpiration = "[CERTIFICATE_EXPIRATION]"
	placeholderDomainExpiration      = "[DOMAIN_EXPIRATION]"
	placeholderBody                  = "[BODY]"

	lenPrefix      = "len("
	hasPrefix      = "has("
	patPrefix      = "pat("
	anyPrefix      = "any("
	functionSuffix = ")"

	invalidSuffix = " (INVALID)"
)

// source is where an operand's value comes from.
type source uint8

const (
	srcConstant source = iota // literal text, or a function of an unknown placeholder
	srcStatus
	srcIP
	srcResponseTime
	srcDNSRCode
	srcConnected
	srcCertificateExpiration
	srcDomainExpiration
	srcBody     // the whole body, trimmed
	srcBodyPath // a JSON path into the body
)

// function is the len() or has() wrapped around a placeholder. pat() and any()
// are not functions here: Gatus treats them as text until it compares.
type function uint8

const (
	fnNone function = iota
	fnLen
	fnHas
)

// operand is one side of a condition, classified once by Parse the way Gatus
// classifies it on every evaluation.
type operand struct {
	text     string // as written, trimmed: what the display shows
	invalid  string // text + " (INVALID)", shown when a path does not resolve
	constant string // the value of a srcConstant operand
	src      source
	fn       function
	path     jsonPath // for srcBodyPath
	// asDuration makes the numeric display print the value as a duration:
	// Gatus does so for the expiration placeholders and for operands written
	// as durations (48h).
	asDuration bool
}

var placeholders = map[string]source{
	placeholderStatus:                srcStatus,
	placeholderIP:                    srcIP,
	placeholderResponseTime:          srcResponseTime,
	placeholderDNSRCode:              srcDNSRCode,
	placeholderConnected:             srcConnected,
	placeholderCertificateExpiration: srcCertificateExpiration,
	placeholderDomainExpiration:      srcDomainExpiration,
	placeholderBody:                  srcBody,
}

func newOperand(text string) operand {
	o := operand{text: text, invalid: text + invalidSuffix}
	inner := text
	if strings.HasSuffix(text, functionSuffix) {
		switch {
		case strings.HasPrefix(text, lenPrefix):
			o.fn, inner = fnLen, text[len(lenPrefix):len(text)-len(functionSuffix)]
		case strings.HasPrefix(text, hasPrefix):
			o.fn, inner = fnHas, text[len(hasPrefix):len(text)-len(functionSuffix)]
		}
	}
	// Placeholder names are case-insensitive, JSON paths are not.
	upper := strings.ToUpper(inner)
	if src, ok := placeholders[upper]; ok {
		o.src = src
	} else if strings.HasPrefix(upper, placeholderBody+".") || strings.HasPrefix(upper, placeholderBody+"[") {
		o.src = srcBodyPath
		o.path = parseJSONPath(strings.TrimPrefix(inner[len(placeholderBody):], "."))
	} else {
		o.src = srcConstant
		switch o.fn {
		case fnHas:
			o.constant = "false"
		case fnLen:
			o.constant = o.invalid
		default:
			o.constant = text
		}
	}
	_, err := time.ParseDuration(text)
	o.asDuration = err == nil || text == placeholderCertificateExpiration || text == placeholderDomainExpiration
	return o
}

// resolve is the operand's value for one result. Text taken from the body is
// a view of it (see bytesView) and must not outlive the evaluation.
func (o *operand) resolve(r *result.Result) value {
	switch o.src {
	case srcStatus:
		return o.fromInt(int64(r.HTTPStatus))
	case srcResponseTime:
		return o.fromInt(r.Duration.Milliseconds())
	case srcCertificateExpiration:
		return o.fromInt(r.CertificateExpiration.Milliseconds())
	case srcDomainExpiration:
		return o.fromInt(r.DomainExpiration.Milliseconds())
	case srcIP:
		return o.fromText(r.IP)
	case srcDNSRCode:
		return o.fromText(r.DNSRCode)
	case srcConnected:
		return o.fromText(strconv.FormatBool(r.Connected))
	case srcBody:
		return o.fromBody(r.Body)
	case srcBodyPath:
		return o.fromPath(r.Body)
	default:
		return textValue(o.constant)
	}
}

func (o *operand) fromInt(n int64) value {
	switch o.fn {
	case fnHas:
		return textValue("true") // a formatted integer is never empty
	case fnLen:
		var buf [24]byte
		return intValue(int64(len(strconv.AppendInt(buf[:0], n, 10))))
	default:
		return intValue(n)
	}
}

func (o *operand) fromText(s string) value {
	switch o.fn {
	case fnHas:
		return textValue(strconv.FormatBool(s != ""))
	case fnLen:
		return intValue(int64(len(s)))
	default:
		return textValue(s)
	}
}

// fromBody is [BODY] on its own: the trimmed body, except that len() counts
// the elements of a JSON array body and otherwise the untrimmed bytes.
func (o *operand) fromBody(body []byte) value {
	trimmed := strings.TrimSpace(bytesView(body))
	switch o.fn {
	case fnHas:
		return textValue(strconv.FormatBool(trimmed != ""))
	case fnLen:
		if !looksLikeArray(body) {
			return intValue(int64(len(body)))
		}
		if at, ok := rootPath.walk(body); ok {
			return intValue(int64(jsonLen(body, at)))
		}
		return intValue(int64(len(trimmed)))
	default:
		return textValue(trimmed)
	}
}

// fromPath is [BODY].path: the value at the path, or the operand marked
// (INVALID) when the body is not JSON or the path leads nowhere.
func (o *operand) fromPath(body []byte) value {
	if o.path.empty && !looksLikeArray(body) {
		// `[BODY].` names the whole body, untrimmed, and always exists.
		switch o.fn {
		case fnHas:
			return textValue("true")
		case fnLen:
			return intValue(int64(len(body)))
		default:
			return textValue(bytesView(body))
		}
	}
	at, ok := o.path.walk(body)
	switch {
	case o.fn == fnHas:
		return textValue(strconv.FormatBool(ok))
	case !ok:
		return textValue(o.invalid)
	case o.fn == fnLen:
		return intValue(int64(jsonLen(body, at)))
	default:
		return textValue(jsonText(body, at))
	}
}

// numericText is how the numeric comparators display a resolved number.
func (o *operand) numericText(n int64) string {
	if o.asDuration {
		return formatDuration(time.Duration(n) * time.Millisecond)
	}
	return strconv.FormatInt(n, 10)
}
