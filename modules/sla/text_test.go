package sla

import (
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
)

func TestNeedsReply(t *testing.T) {
	p := newPhraseSet(DefaultNoReplyPhrases)
	noReply := []string{
		// Thanks that close a conversation.
		"Понятно, спасибо", "ок, спасибо большое!", "Спасибо 🙏", "thanks, got it", "👍👍", "Спасибо!!!", "ок)",
		// Thanks and acknowledgements in other orders, cases and punctuation.
		"Спасибо!", "  СПАСИБО  большое!!! ", "ок.", "Благодарю", "благодарю вас!", "Большое спасибо))", "спасибо, понятно",
		"Всё понятно, спасибо!", "Принято 👌", "Договорились!", "Хорошо, договорились", "спасибки", "Спасибооооо!!!",
		"Спасибо вам большое", "спс", "Ок, поняла, спасибо", "Отлично, спасибо за помощь!", "Супер! Всё получилось 🎉",
		"Ага, ясно", "Да, спасибо", "спасибо, и вам хорошего дня", "Thank you!", "Thank you so much 🙏", "ok, thanks",
		"Great, thanks!", "cool", "Got it 👍", "Thanks a lot!!", "okay okay", "ОК", "окей)))", "ясно-понятно",
		"спасибо… 😊", "❤️", "🙏🙏", "...", ")))", "+",
	}
	needsReply := []string{
		"спасибо, а где запись?", "понятно, а дальше что?", "спасибо, но не работает ссылка", "ок, а когда дедлайн?",
		"Когда вебинар?", "1", "?", "спасибо?", "Спасибо, а можно перенести дедлайн", "Понятно. Но у меня не открывается урок",
		"Хорошо, пришлю завтра", "спасибо, уточните ещё про модуль 2", "ok, but the link is broken", "thanks, where is the recording",
		"Got it, one more question", "thank you, can you check my homework", "не понятно", "Здравствуйте", "Ау",
		"👍 а где запись", "спасибо 🙏 но я не получила доступ", "ок, сделаю, но завтра", "что дальше", "Проверьте, пожалуйста",
	}
	for _, text := range noReply {
		if p.needsReply(KindText, text) {
			t.Errorf("%q starts a clock, want none", text)
		}
	}
	for _, text := range needsReply {
		if !p.needsReply(KindText, text) {
			t.Errorf("%q starts no clock, want one", text)
		}
	}
	if n := len(noReply) + len(needsReply); n < 40 {
		t.Errorf("only %d phrases", n)
	}
	for _, kind := range []string{KindSticker, KindReaction, KindSystem} {
		if p.needsReply(kind, "Где запись?") {
			t.Errorf("a %s started a clock", kind)
		}
	}
	// A school's own list decides: its phrases, also several in a row.
	own := newPhraseSet([]string{"спасибо", "понятно, спасибо"})
	for text, want := range map[string]bool{"Понятно, спасибо!": false, "спасибо спасибо": false, "понятно": true, "ок": true} {
		if got := own.needsReply(KindText, text); got != want {
			t.Errorf("school list: needsReply(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestValidPhrase(t *testing.T) {
	for p, want := range map[string]bool{"спасибо": true, "👍": true, "Понятно, спасибо!": true, "!!!": false, "спасибо?": false, "": false} {
		if got := validPhrase(p); got != want {
			t.Errorf("validPhrase(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestNearestRank(t *testing.T) {
	minutes := func(ms ...int64) []int64 {
		for i := range ms {
			ms[i] *= 60
		}
		return ms
	}
	cases := []struct {
		values []int64
		p      int
		want   float64
	}{
		{nil, 50, 0},
		{minutes(7), 95, 7},
		{minutes(1, 2, 3, 4), 50, 2},
		{minutes(1, 2, 3, 4, 5), 50, 3},
		{minutes(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), 90, 90},
		{minutes(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), 95, 100},
		{[]int64{90}, 50, 1.5},
	}
	for _, c := range cases {
		if got := nearestRank(c.values, c.p); got != c.want {
			t.Errorf("p%d of %v = %v, want %v", c.p, c.values, got, c.want)
		}
	}
}

func TestQuietUntil(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	st := &Settings{QuietStart: "23:00", QuietEnd: "08:00"}
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, msk) }
	cases := []struct {
		now, want time.Time
	}{
		{at(16, 22, 59), time.Time{}},
		{at(16, 23, 0), at(17, 8, 0)},
		{at(17, 3, 0), at(17, 8, 0)},
		{at(17, 8, 0), time.Time{}},
	}
	for _, c := range cases {
		if got := quietUntil(st, msk, c.now); !got.Equal(c.want) {
			t.Errorf("quietUntil(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	day := &Settings{QuietStart: "13:00", QuietEnd: "14:00"}
	if got := quietUntil(day, msk, at(16, 13, 30)); !got.Equal(at(16, 14, 0)) {
		t.Errorf("lunch quiet hours: %v", got)
	}
	if got := quietUntil(&Settings{}, msk, at(16, 3, 0)); !got.IsZero() {
		t.Errorf("no quiet hours: %v", got)
	}
}

func demoCalendar(tb testing.TB) *bizcal.Calendar {
	day := []bizcal.Interval{{Start: "09:00", End: "21:00"}}
	cal, err := bizcal.New(bizcal.Spec{TimeZone: "Europe/Moscow",
		Weekly: bizcal.Weekly{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day,
			Saturday: []bizcal.Interval{{Start: "10:00", End: "18:00"}}},
		Holidays: bizcal.Russia2026Holidays(), WorkingDays: bizcal.Russia2026WorkingDays()})
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func TestSchedule(t *testing.T) {
	cal := demoCalendar(t)
	msk := cal.Location()
	due, warn := schedule(cal, time.Date(2026, 3, 14, 19, 0, 0, 0, msk), 2*time.Hour, 75)
	if !due.Equal(time.Date(2026, 3, 16, 11, 0, 0, 0, msk)) || !warn.Equal(time.Date(2026, 3, 16, 10, 30, 0, 0, msk)) {
		t.Errorf("Saturday 19:00 + 2h: due %v, warn %v", due.In(msk), warn.In(msk))
	}
}

// BenchmarkDueTime measures one clock's due and warning times (two
// business-time additions) on the demo calendar, over a year of starts.
func BenchmarkDueTime(b *testing.B) {
	cal := demoCalendar(b)
	starts := make([]time.Time, 4096)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range starts {
		starts[i] = base.Add(time.Duration(i) * 2131 * time.Second)
	}
	schedule(cal, starts[0], 2*time.Hour, 75) // build the calendar's segments first
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		schedule(cal, starts[i&4095], 2*time.Hour, 75)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "clocks/s")
}
