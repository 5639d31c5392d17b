package console

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Languages of the console, the first the default.
var languages = []language.Tag{language.Russian, language.English}

var matcher = language.NewMatcher(languages)

// locale is the language a page is rendered in and the school's time zone,
// with the formatting of numbers, money and dates that go with them.
type locale struct {
	Lang    string // "ru" or "en"
	msgs    map[string]string
	printer *message.Printer
	zone    *time.Location
}

// localeFor picks the language: the person's choice (the language switch
// keeps it in a cookie), else Accept-Language, else Russian.
func localeFor(req *http.Request) *locale {
	tag := languages[0]
	if ck, err := req.Cookie(langCookie); err == nil && (ck.Value == "ru" || ck.Value == "en") {
		tag = language.Make(ck.Value)
	} else if accept := req.Header.Get("Accept-Language"); accept != "" {
		prefs, _, _ := language.ParseAcceptLanguage(accept)
		_, i, conf := matcher.Match(prefs...)
		if conf != language.No {
			tag = languages[i]
		}
	}
	base, _ := tag.Base()
	l := &locale{Lang: base.String(), printer: message.NewPrinter(tag), zone: time.UTC}
	l.msgs = catalog[l.Lang]
	return l
}

// setZone makes dates show in the school's time zone.
func (l *locale) setZone(name string) {
	if loc, err := time.LoadLocation(name); err == nil {
		l.zone = loc
	}
}

// T is the message of key, formatted with args; a missing key shows
// itself, which a test catches.
func (l *locale) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok {
		msg, ok = catalog["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Int is a count with the locale's grouping (1 234 / 1,234).
func (l *locale) Int(n int) string { return l.printer.Sprint(number.Decimal(n)) }

// Dec is a number with up to digits decimals.
func (l *locale) Dec(v float64, digits int) string {
	return l.printer.Sprint(number.Decimal(v, number.MaxFractionDigits(digits), number.MinFractionDigits(digits)))
}

// Pct is a percentage with one decimal, or a dash for a figure without
// data (never 0).
func (l *locale) Pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return l.Dec(*v, 1) + "\u00a0%"
}

// Opt is an optional figure with digits decimals, or a dash.
func (l *locale) Opt(v *float64, digits int) string {
	if v == nil {
		return "—"
	}
	return l.Dec(*v, digits)
}

// Money is kopecks as roubles with two decimals and the currency sign.
func (l *locale) Money(kopecks int64) string {
	s := l.Dec(float64(kopecks)/100, 2)
	if l.Lang == "ru" {
		return s + "\u00a0₽"
	}
	return "RUB\u00a0" + s
}

// MoneyPtr is Money of an optional amount.
func (l *locale) MoneyPtr(kopecks *int64) string {
	if kopecks == nil {
		return "—"
	}
	return l.Money(*kopecks)
}

// Time is a moment in the school's time zone.
func (l *locale) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(l.zone)
	if l.Lang == "ru" {
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("Jan 2, 2006 15:04")
}

// TimePtr is Time of an optional moment.
func (l *locale) TimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return l.Time(*t)
}

// Date is a day in the school's time zone.
func (l *locale) Date(t time.Time) string {
	t = t.In(l.zone)
	if l.Lang == "ru" {
		return t.Format("02.01.2006")
	}
	return t.Format("Jan 2, 2006")
}

// Month names a month ("2026-03") for a chart's axis.
func (l *locale) Month(key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	if l.Lang == "ru" {
		return ruMonths[t.Month()-1] + " " + t.Format("06")
	}
	return t.Format("Jan 06")
}

var ruMonths = []string{"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"}

// Duration is a span as hours and minutes.
func (l *locale) Duration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	h, m := int(d.Hours()), int(math.Mod(d.Minutes(), 60))
	s := fmt.Sprintf(l.T("fmt.hm"), h, m)
	if neg {
		return "−" + s
	}
	return s
}

// Delta is a change with its sign, or a dash.
func (l *locale) Delta(v *float64) string {
	if v == nil {
		return "—"
	}
	s := l.Dec(math.Abs(*v), 1)
	switch {
	case *v > 0:
		return "+" + s
	case *v < 0:
		return "−" + s
	}
	return s
}

// Enum shows a value of an enumeration (a status, a channel) in the
// language when the catalog has it, else as it is.
func (l *locale) Enum(kind, value string) string {
	key := kind + "." + value
	if msg, ok := l.msgs[key]; ok {
		return msg
	}
	return strings.ReplaceAll(value, "_", " ")
}
