package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// slaConversations is how many answered demo conversations there are.
const slaConversations = 90

// slaWaits are how long ago the students of the conversations still
// waiting wrote, counted back from the seed's hour: some within the
// two-hour target, some past it. Each day the demo is seeded on has its
// own waiting conversations.
var slaWaits = []time.Duration{20 * time.Minute, 55 * time.Minute, 150 * time.Minute, 6 * time.Hour, 26 * time.Hour, 50 * time.Hour}

// slaWindowDays is how many days before the week the demo was first
// seeded the answered conversations begin: from slaWindowDays to six.
const slaWindowDays = 21

var demoQuestions = []string{
	"Здравствуйте! Не могу найти запись вебинара", "Подскажите, до какого числа сдать задание?",
	"Не открывается урок про привязанность", "Можно перенести дедлайн? Заболела",
	"Где взять шаблон для итогового проекта?", "Проверьте, пожалуйста, мою работу, я исправила",
	"Не пришёл доступ к модулю", "Как записаться на супервизию?", "У меня не грузится видео",
	"Можно уточнить критерии оценки?", "Когда будет следующий эфир?", "Не понимаю задание 3, объясните, пожалуйста",
}

var demoFollowUps = []string{"И ещё вопрос", "Прикладываю скриншот", "Это срочно, завтра дедлайн", "Ау?", "Уточню: речь про модуль 2"}

var demoReplies = []string{
	"Добрый день! Ссылка на запись в личном кабинете, раздел «Материалы».", "Срок — до воскресенья 23:59.",
	"Посмотрела, всё открывается. Попробуйте обновить страницу.", "Да, переносим на неделю, выздоравливайте!",
	"Шаблон прикрепила в чат.", "Приняла работу на проверку.", "Доступ открыла, проверьте, пожалуйста.",
}

// demoThanks need no reply: none of them starts a response clock.
var demoThanks = []string{"Спасибо!", "спасибо большое", "Благодарю", "ок", "👍", "Понятно, спасибо", "Спасибо 🙏", "ок, спасибо большое!"}

// seedSLA sends three weeks of student conversations, up to the seed's
// hour, through the message.created handler: bursts, night messages, bot
// auto-replies, thanks after answers, most answers within the two-hour
// target and some late, and a few conversations of the seed's day still
// waiting. The handler applies the SLA rules; one transaction holds every
// message the school does not have yet. Conversations already present are
// skipped, so seeding twice changes nothing; fixed random seeds keep the
// demo the same. A seed on a later day answers what earlier ones left
// waiting and leaves its own day's conversations waiting.
func seedSLA(ctx context.Context, r *run) error {
	svc := r.svc.SLA
	if err := seedSLASettings(ctx, svc, r.orgID); err != nil {
		return err
	}
	cal, err := bizcal.New(DemoCalendarSpec())
	if err != nil {
		return err
	}
	writers := writingSeats(r.fates)
	var convs []demoConv
	for i := 1; i <= slaConversations; i++ {
		convs = append(convs, demoConversation(cal, writers, i, r.tl))
	}
	convs = append(convs, waitingConversations(cal, writers, r.tl.now)...)
	planned := map[string]plannedConv{}
	var evs []events.Inbound
	for _, conv := range convs {
		missing, err := missingMessages(ctx, svc, r.orgID, conv)
		if err != nil {
			return err
		}
		planned[conv.id] = plannedConv{demoConv: conv, adding: len(missing) > 0}
		for _, m := range missing {
			ev, err := inbound(r.orgID, sla.EventMessageCreated, "demo-"+m["external_id"].(string), r.tl.now, m)
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
	}
	answers, err := staleAnswers(ctx, r, cal, planned)
	if err != nil {
		return err
	}
	return applyEvents(ctx, svc.DB, svc.EventHandlers(), append(evs, answers...))
}

// waitingConversations are the seed's day's conversations still waiting
// for an answer, named after the day.
func waitingConversations(cal *bizcal.Calendar, writers []demoSeat, now time.Time) []demoConv {
	day := now.In(moscow).Format("20060102")
	rnd := rand.New(rand.NewSource(int64(idHash(day))))
	var out []demoConv
	for k, wait := range slaWaits {
		conv := newConversation(rnd, writers, fmt.Sprintf("demo-wait-%s-%d", day, k+1))
		conv.exchange(rnd, cal, now.Add(-wait).Truncate(time.Minute), now, false)
		out = append(out, conv)
	}
	return out
}

// plannedConv is a conversation of this seed's plan, and whether the seed
// adds messages to it.
type plannedConv struct {
	demoConv
	adding bool
}

// staleAnswers are the curators' replies to the demo conversations an
// earlier seed left waiting, sent when each reply is due to have come: a
// seed days later finds them answered, as they would be, instead of
// breached for days. A conversation this seed adds messages to gets its
// answers from the plan, and one the plan has waiting since the clock
// started is left waiting. A reply is named after the clock it answers.
func staleAnswers(ctx context.Context, r *run, cal *bizcal.Calendar, planned map[string]plannedConv) ([]events.Inbound, error) {
	clocks, err := r.svc.SLA.OpenClocks(ctx, r.orgID, sla.ClockFilter{Limit: maxDemoRows})
	if err != nil {
		return nil, err
	}
	var out []events.Inbound
	for _, c := range clocks {
		conv, err := r.svc.SLA.Conversation(ctx, r.orgID, c.ConversationID)
		if err != nil {
			return nil, err
		}
		ext := deref(conv.ExternalID)
		if p, ok := planned[ext]; !strings.HasPrefix(ext, "demo-") || (ok && (p.adding || p.waitsSince(c.StartedAt))) {
			continue
		}
		rnd := rand.New(rand.NewSource(int64(idHash(c.ID))))
		reply := cal.AddBusiness(c.LastStudentMessageAt, demoDelay(rnd))
		if reply.After(r.tl.now) {
			continue
		}
		student, err := r.svc.School.Student(ctx, r.orgID, conv.StudentID)
		if err != nil {
			return nil, err
		}
		seat, ok := seatOf(deref(student.ExternalID))
		if !ok {
			continue
		}
		m := map[string]any{"external_id": ext + "-reply-" + c.ID, "conversation_external_id": ext, "channel": conv.Channel,
			"student_external_id": seat.studentID(), "direction": "staff", "author_kind": "staff", "author_email": seat.curatorEmail(),
			"kind": "text", "text": demoReplies[rnd.Intn(len(demoReplies))], "sent_at": reply.UTC().Format(time.RFC3339)}
		ev, err := inbound(r.orgID, sla.EventMessageCreated, "demo-"+m["external_id"].(string), r.tl.now, m)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// seatOf is the demo student with the external id.
func seatOf(externalID string) (demoSeat, bool) {
	var n int
	if _, err := fmt.Sscanf(externalID, "s-%d", &n); err != nil {
		return demoSeat{}, false
	}
	seats := demoSeats()
	if n < 1 || n > len(seats) || seats[n-1].studentID() != externalID {
		return demoSeat{}, false
	}
	return seats[n-1], true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// missingMessages are the messages of conv the school does not have: none
// when its last one is recorded, all of them when its first one is not.
func missingMessages(ctx context.Context, svc *sla.Service, orgID string, conv demoConv) ([]map[string]any, error) {
	has := func(m map[string]any) (bool, error) { return svc.MessageExists(ctx, orgID, m["external_id"].(string)) }
	if done, err := has(conv.messages[len(conv.messages)-1]); err != nil || done {
		return nil, err
	}
	if begun, err := has(conv.messages[0]); err != nil || !begun {
		return conv.messages, err
	}
	var out []map[string]any
	for _, m := range conv.messages {
		seen, err := has(m)
		if err != nil {
			return nil, err
		}
		if !seen {
			out = append(out, m)
		}
	}
	return out, nil
}

func seedSLASettings(ctx context.Context, svc *sla.Service, orgID string) error {
	st, err := svc.Settings(ctx, orgID)
	if err != nil || st.Version > 0 {
		return err
	}
	_, err = svc.SaveSettings(ctx, orgID, 0, sla.SettingsInput{QuietStart: "23:00", QuietEnd: "08:00"})
	if errors.Is(err, errs.ErrPreconditionFailed) {
		return nil
	}
	return err
}

type demoConv struct {
	id, sid, curator, channel string
	messages                  []map[string]any
	// waiting is when the student began the exchange that still waits for
	// an answer; zero when every exchange is answered.
	waiting time.Time
}

// waitsSince reports whether the conversation is planned to wait for an
// answer since started, give or take the hour the plan moves by.
func (c demoConv) waitsSince(started time.Time) bool {
	return !c.waiting.IsZero() && !started.Before(c.waiting.Add(-time.Hour))
}

// newConversation opens a conversation of one of writers in one of the
// channels, Telegram most often.
func newConversation(rnd *rand.Rand, writers []demoSeat, id string) demoConv {
	seat := writers[rnd.Intn(len(writers))]
	channel := []string{"telegram", "telegram", "telegram", "lms_comment", "email"}[rnd.Intn(5)]
	return demoConv{id: id, sid: seat.studentID(), curator: seat.curatorEmail(), channel: channel}
}

func (c *demoConv) add(dir, author, kind, text string, at time.Time) {
	m := map[string]any{"external_id": fmt.Sprintf("%s-m%02d", c.id, len(c.messages)+1), "conversation_external_id": c.id,
		"channel": c.channel, "student_external_id": c.sid, "direction": dir, "author_kind": author, "kind": kind, "text": text,
		"sent_at": at.UTC().Format(time.RFC3339)}
	if author == "staff" {
		m["author_email"] = c.curator
	}
	c.messages = append(c.messages, m)
}

// exchange adds a burst of student messages from at, perhaps a bot
// auto-reply, and — when answered and the answer comes before now — the
// curator's answer after a business delay (mostly within two hours,
// sometimes not) and often a thanks. It returns when the student may
// write next, or zero when the exchange still waits.
func (c *demoConv) exchange(rnd *rand.Rand, cal *bizcal.Calendar, at, now time.Time, answered bool) time.Time {
	c.waiting = at
	c.add("student", "student", "text", demoQuestions[rnd.Intn(len(demoQuestions))], at)
	for b := rnd.Intn(3); b > 0; b-- { // a burst
		at = at.Add(time.Duration(1+rnd.Intn(4)) * time.Minute)
		c.add("student", "student", "text", demoFollowUps[rnd.Intn(len(demoFollowUps))], at)
	}
	if rnd.Intn(3) == 0 {
		c.add("staff", "bot", "text", "Спасибо за сообщение! Куратор ответит в рабочее время.", at.Add(5*time.Second))
	}
	reply := cal.AddBusiness(at, demoDelay(rnd))
	if !answered || reply.After(now) {
		return time.Time{}
	}
	c.add("staff", "staff", "text", demoReplies[rnd.Intn(len(demoReplies))], reply)
	c.waiting = time.Time{}
	at = reply.Add(time.Duration(1+rnd.Intn(20)) * time.Minute)
	if rnd.Intn(2) == 0 && at.Before(now) {
		c.add("student", "student", "text", demoThanks[rnd.Intn(len(demoThanks))], at)
	}
	if rnd.Intn(6) == 0 && at.Add(time.Minute).Before(now) {
		c.add("student", "student", "sticker", "", at.Add(time.Minute))
	}
	return at.Add(time.Duration(3+rnd.Intn(48)) * time.Hour)
}

// demoConversation builds the i-th answered conversation from a random
// source of its own: one to four exchanges over the three weeks before the
// week the demo was first seeded. Every message lies before now: a next
// exchange begins only when it ends well before now, and one whose answer
// would come later waits for it. A plan made later only adds to it.
func demoConversation(cal *bizcal.Calendar, writers []demoSeat, i int, tl timeline) demoConv {
	rnd := rand.New(rand.NewSource(int64(5000 + i)))
	conv := newConversation(rnd, writers, fmt.Sprintf("demo-conv-%03d", i))
	at := demoStart(rnd, i, tl.anchor)
	exchanges := 1 + rnd.Intn(4)
	for e := 0; e < exchanges && !at.IsZero() && (e == 0 || at.Before(tl.now.Add(-36*time.Hour))); e++ {
		at = conv.exchange(rnd, cal, at, tl.now, true)
	}
	return conv
}

// writingSeats are the students who write to their curators: those still
// studying in the running cohorts.
func writingSeats(fates map[int]demoFate) []demoSeat {
	var out []demoSeat
	for _, seat := range demoSeats() {
		if seat.cohort.status != school.CohortFinished && fates[seat.n].status == school.EnrollmentActive {
			out = append(out, seat)
		}
	}
	return out
}

// demoStart spreads first messages over the days from slaWindowDays to
// six before the anchor Monday, a fifth of them late in the evening or at
// night.
func demoStart(rnd *rand.Rand, i int, anchor time.Time) time.Time {
	day := time.Date(anchor.Year(), anchor.Month(), anchor.Day(), 0, 0, 0, 0, moscow).AddDate(0, 0, -slaWindowDays+(i*7)%(slaWindowDays-5))
	hour := 9 + rnd.Intn(12)
	if rnd.Intn(5) == 0 {
		hour = []int{22, 23, 0, 1, 7}[rnd.Intn(5)]
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hour, rnd.Intn(60), 0, 0, moscow)
}

// demoDelay is a curator's business response time: mostly between one and
// two hours, within the two-hour target, and about one in seven late.
func demoDelay(rnd *rand.Rand) time.Duration {
	if rnd.Intn(7) == 0 {
		return time.Duration(125+rnd.Intn(240)) * time.Minute
	}
	return time.Duration(60+rnd.Intn(59)) * time.Minute
}
