// Package validate holds the input rules every entry point shares: the HTTP
// API (after huma's schema checks), each row of a CSV import and each
// inbound LMS event run the same validator/v10 tags over the same domain
// input structs, so that one record is refused alike wherever it comes from.
//
// A refused value is named where it came from (body.email, rows[12].email,
// events[3].data.email) and never echoed: it may be a password or a
// student's personal data.
package validate

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// MaxMoney is the largest amount, in minor units (kopecks), that any money
// field accepts: ten billion roubles, far above any school's order and far
// below what int64 arithmetic on sums could overflow.
const MaxMoney = 1_000_000_000_000

// MoneyMessage and DateMessage are how an amount beyond MaxMoney and a
// value that is no date are refused, on every entry point.
const (
	MoneyMessage = "must be between 0 and 1000000000000 minor units"
	DateMessage  = "must be a date such as 2026-03-02"
)

var rules = newValidator()

type nowKey struct{}

// messages explain each tag to the person who sent the value.
var messages = map[string]string{
	"required":   "is required",
	"email":      "must be an email address",
	"phone":      "must be a phone number in international format, such as +7 900 123-45-67",
	"telegram":   "must be a Telegram handle: 5–32 letters, digits or underscores, starting with a letter",
	"iso4217":    "must be an ISO 4217 currency code such as RUB",
	"fact":       "must lie between 2000-01-01 and five minutes from now",
	"plan":       "must lie between 2000-01-01 and 2100-01-01",
	"httpurl":    "must be an http or https URL",
	"singleline": "must be valid UTF-8 without control characters",
	"text":       "must be valid UTF-8 without control characters other than tab and line breaks",
	"money":      MoneyMessage,
	"uuid":       "must be a UUID",
	"date":       DateMessage,
	"plandate":   "must be a date from 2000-01-01 to 2099-12-31",
}

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	must := func(tag string, fn validator.Func) {
		if err := v.RegisterValidation(tag, fn); err != nil {
			panic(err)
		}
	}
	mustCtx := func(tag string, fn validator.FuncCtx) {
		if err := v.RegisterValidationCtx(tag, fn); err != nil {
			panic(err)
		}
	}
	must("phone", func(fl validator.FieldLevel) bool { return IsPhone(fl.Field().String()) })
	must("telegram", func(fl validator.FieldLevel) bool { return telegramHandle.MatchString(fl.Field().String()) })
	must("httpurl", func(fl validator.FieldLevel) bool { return IsHTTPURL(fl.Field().String()) })
	must("singleline", func(fl validator.FieldLevel) bool { return IsSingleLine(fl.Field().String()) })
	must("text", func(fl validator.FieldLevel) bool { return IsText(fl.Field().String()) })
	must("money", func(fl validator.FieldLevel) bool { n := fl.Field().Int(); return n >= 0 && n <= MaxMoney })
	must("date", func(fl validator.FieldLevel) bool {
		_, err := time.Parse(time.DateOnly, fl.Field().String())
		return err == nil
	})
	must("plandate", func(fl validator.FieldLevel) bool {
		d, err := time.Parse(time.DateOnly, fl.Field().String())
		return err == nil && clock.IsPlan(d)
	})
	mustCtx("fact", func(ctx context.Context, fl validator.FieldLevel) bool {
		t, ok := timeOf(fl)
		return ok && clock.IsFact(t, nowOf(ctx))
	})
	must("plan", func(fl validator.FieldLevel) bool {
		t, ok := timeOf(fl)
		return ok && clock.IsPlan(t)
	})
	return v
}

// Struct checks v's tags as of now (for "fact" times) and answers nil or an
// *errs.ValidationError whose locations start with prefix ("body.",
// "rows[12].", "events[3].data.").
func Struct(now time.Time, prefix string, v any) error {
	err := rules.StructCtx(context.WithValue(context.Background(), nowKey{}, now), v)
	var fields validator.ValidationErrors
	if !errors.As(err, &fields) {
		return err
	}
	out := &errs.ValidationError{}
	for _, f := range fields {
		out.Fields = append(out.Fields, errs.FieldError{Location: prefix + fieldPath(f.Namespace()), Message: message(f)})
	}
	return out
}

// fieldPath drops the struct's own name from a namespace such as
// "StudentInput.contacts[0].email".
func fieldPath(namespace string) string {
	_, rest, found := strings.Cut(namespace, ".")
	if !found {
		return namespace
	}
	return rest
}

func message(f validator.FieldError) string {
	if m, ok := messages[f.Tag()]; ok {
		return m
	}
	switch f.Tag() {
	case "max":
		return "is longer or larger than " + f.Param() + " allows"
	case "min":
		return "is shorter or smaller than " + f.Param() + " allows"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(f.Param(), " ", ", ")
	}
	return "is not valid (" + f.Tag() + ")"
}

func nowOf(ctx context.Context) time.Time {
	if now, ok := ctx.Value(nowKey{}).(time.Time); ok {
		return now
	}
	return time.Now()
}

func timeOf(fl validator.FieldLevel) (time.Time, bool) {
	t, ok := fl.Field().Interface().(time.Time)
	return t, ok
}

var (
	telegramHandle = regexp.MustCompile(`^@?[A-Za-z][A-Za-z0-9_]{4,31}$`)
	e164           = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	phoneDecor     = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "\u00a0", "")
)

// IsPhone reports whether s is an E.164 number once the usual spaces,
// dashes and brackets are taken out ("+7 (900) 123-45-67").
func IsPhone(s string) bool { return e164.MatchString(phoneDecor.Replace(s)) }

// IsHTTPURL reports whether s is an absolute http or https URL with a host:
// javascript:, data: and file: links are refused wherever a URL is stored.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && IsSingleLine(s)
}

// IsSingleLine reports whether s is valid UTF-8 without any control
// character: names, emails, identifiers, filters.
func IsSingleLine(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// IsText reports whether s is valid UTF-8 whose only control characters are
// tab and line breaks: messages, comments, feedback.
func IsText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
	}) < 0
}
