package integration

import (
	"strings"
	"testing"
)

func TestValidSignature(t *testing.T) {
	body := []byte(`{"events":[]}`)
	good := Sign("cosig_secret", body)
	cases := []struct {
		name, header string
		want         bool
	}{
		{"exact", good, true},
		{"upper-case hex", "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), true},
		{"surrounding spaces", "  " + good + " ", true},
		{"missing", "", false},
		{"no scheme", strings.TrimPrefix(good, "sha256="), false},
		{"other scheme", "sha1=" + strings.TrimPrefix(good, "sha256="), false},
		{"not hex", "sha256=zz", false},
		{"truncated", good[:len(good)-2], false},
		{"other key", Sign("cosig_other", body), false},
	}
	for _, c := range cases {
		if got := validSignature("cosig_secret", body, c.header); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if validSignature("cosig_secret", append(body, '\n'), good) {
		t.Error("a changed body verified")
	}
}

func TestRedactJSON(t *testing.T) {
	cases := []struct {
		name, in, want string
		changed        bool
	}{
		{"nested and case-insensitive", `{"a":{"name":"Иван Петров"},"list":["x","IVAN@mail.ru"]}`, `{"a":{"name":"[erased]"},"list":["x","[erased]"]}`, true},
		{"inside text", `{"text":"это иван петров пишет"}`, `{"text":"это [erased] пишет"}`, true},
		{"numbers kept", `{"n":1.50,"name":"Иван Петров"}`, `{"n":1.50,"name":"[erased]"}`, true},
		{"nothing to do", `{"name":"Анна"}`, `{"name":"Анна"}`, false},
		{"not JSON", `{`, `{`, false},
	}
	for _, c := range cases {
		got, changed := redactJSON([]byte(c.in), []string{"Иван Петров", "ivan@mail.ru"})
		if string(got) != c.want || changed != c.changed {
			t.Errorf("%s: %s (%v), want %s (%v)", c.name, got, changed, c.want, c.changed)
		}
	}
}

func TestNormalizeData(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a": "plain"}`, `{"a": "plain"}`}, // no escapes: kept byte for byte
		{`{"a":"\u0418\u0432\u0430\u043d","b":2.0}`, `{"a":"Иван","b":2.0}`},
		{`{"html":"\u003cb\u003e","q":"say \"hi\""}`, `{"html":"<b>","q":"say \"hi\""}`},
	}
	for _, c := range cases {
		if got := string(normalizeData([]byte(c.in))); got != c.want {
			t.Errorf("%s: %s, want %s", c.in, got, c.want)
		}
	}
	if got := normalizeData([]byte(`{"a":"x\u0000y"}`)); got != nil {
		t.Errorf("data with NUL: %s, want nil", got)
	}
}

func TestRetryScheduleGivesUpAfterMaxAttempts(t *testing.T) {
	if MaxAttempts != 6 || len(RetrySchedule) != 5 {
		t.Fatalf("MaxAttempts %d with %d waits", MaxAttempts, len(RetrySchedule))
	}
	for i := 1; i < len(RetrySchedule); i++ {
		if RetrySchedule[i] <= RetrySchedule[i-1] {
			t.Fatalf("wait %d (%s) does not grow", i, RetrySchedule[i])
		}
	}
}
