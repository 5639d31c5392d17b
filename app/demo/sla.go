package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"time"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// SLA demo window: three weeks of November 2026, with the 4 November
// holiday in the middle.
var (
	slaDemoFrom = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	slaDemoDays = 19
)

// slaConversations is how many demo conversations there are.
const slaConversations = 160

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

var demoThanks = []string{"Спасибо!", "спасибо большое", "Благодарю", "ок", "👍", "Понятно, спасибо"}

// seedSLA sends three weeks of student conversations through the
// message.created handler: bursts, night messages, bot auto-replies,
// thanks after answers, and some answers late enough to breach the
// two-hour default. Conversations already present are skipped, so seeding
// twice changes nothing; a fixed random seed keeps the demo the same.
func seedSLA(ctx context.Context, svc *server.Services, orgID string) error {
	if err := seedSLASettings(ctx, svc.SLA, orgID); err != nil {
		return err
	}
	cal, err := bizcal.New(DemoCalendarSpec())
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewSource(5))
	writers := studyingSeats()
	for i := 1; i <= slaConversations; i++ {
		conv := demoConversation(rnd, cal, writers, i)
		last := conv.messages[len(conv.messages)-1]["external_id"].(string)
		if done, err := svc.SLA.MessageExists(ctx, orgID, last); err != nil || done {
			if err != nil {
				return err
			}
			continue
		}
		for _, m := range conv.messages {
			if seen, err := svc.SLA.MessageExists(ctx, orgID, m["external_id"].(string)); err != nil || seen {
				if err != nil {
					return err
				}
				continue
			}
			raw, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if err := events.Apply(ctx, svc.SLA.DB, svc.SLA.EventHandlers(), events.Inbound{OrgID: orgID, EventID: "demo-" + m["external_id"].(string),
				Type: sla.EventMessageCreated, OccurredAt: slaDemoFrom, Data: raw}); err != nil {
				return fmt.Errorf("message %s: %w", m["external_id"], err)
			}
		}
	}
	return nil
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
	id       string
	messages []map[string]any
}

// demoConversation builds the i-th conversation: one to four exchanges, each a
// burst of student messages, perhaps a bot auto-reply, the curator's answer
// after a business delay (mostly under two hours, sometimes not), and often
// a thanks. The student is one of writers.
func demoConversation(rnd *rand.Rand, cal *bizcal.Calendar, writers []demoSeat, i int) demoConv {
	seat := writers[rnd.Intn(len(writers))]
	sid := seat.studentID()
	curator := fmt.Sprintf("curator%02d@demo.test", 1+(seat.n-1)%CuratorCount)
	channel := []string{"telegram", "telegram", "telegram", "lms_comment", "email"}[rnd.Intn(5)]
	conv := demoConv{id: fmt.Sprintf("demo-conv-%03d", i)}
	add := func(dir, author, kind, text string, at time.Time) {
		m := map[string]any{"external_id": fmt.Sprintf("%s-m%02d", conv.id, len(conv.messages)+1), "conversation_external_id": conv.id,
			"channel": channel, "student_external_id": sid, "direction": dir, "author_kind": author, "kind": kind, "text": text,
			"sent_at": at.UTC().Format(time.RFC3339)}
		if author == "staff" {
			m["author_email"] = curator
		}
		conv.messages = append(conv.messages, m)
	}
	at := demoStart(rnd, i)
	exchanges := 1 + rnd.Intn(4)
	for e := 0; e < exchanges; e++ {
		add("student", "student", "text", demoQuestions[rnd.Intn(len(demoQuestions))], at)
		for b := rnd.Intn(3); b > 0; b-- { // a burst
			at = at.Add(time.Duration(1+rnd.Intn(4)) * time.Minute)
			add("student", "student", "text", demoFollowUps[rnd.Intn(len(demoFollowUps))], at)
		}
		if rnd.Intn(3) == 0 {
			add("staff", "bot", "text", "Спасибо за сообщение! Куратор ответит в рабочее время.", at.Add(5*time.Second))
		}
		lastOpen := i > slaConversations-6 && e == exchanges-1
		if lastOpen { // the last few wait still
			break
		}
		reply := cal.AddBusiness(at, demoDelay(rnd))
		add("staff", "staff", "text", demoReplies[rnd.Intn(len(demoReplies))], reply)
		at = reply.Add(time.Duration(1+rnd.Intn(20)) * time.Minute)
		if rnd.Intn(2) == 0 {
			add("student", "student", "text", demoThanks[rnd.Intn(len(demoThanks))], at)
		}
		if rnd.Intn(6) == 0 {
			add("student", "student", "sticker", "", at.Add(time.Minute))
		}
		at = at.Add(time.Duration(3+rnd.Intn(48)) * time.Hour)
	}
	return conv
}

// studyingSeats are the students of the cohorts still running: the
// conversations of the window are theirs.
func studyingSeats() []demoSeat {
	var out []demoSeat
	for _, seat := range demoSeats() {
		if seat.cohort.status != school.CohortFinished {
			out = append(out, seat)
		}
	}
	return out
}

// demoStart spreads first messages over the window, a fifth of them late
// in the evening or at night.
func demoStart(rnd *rand.Rand, i int) time.Time {
	msk, _ := time.LoadLocation("Europe/Moscow")
	day := slaDemoFrom.AddDate(0, 0, (i*7)%(slaDemoDays-3))
	hour := 9 + rnd.Intn(12)
	if rnd.Intn(5) == 0 {
		hour = []int{22, 23, 0, 1, 7}[rnd.Intn(5)]
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hour, rnd.Intn(60), 0, 0, msk)
}

// demoDelay is a curator's business response time: mostly within the
// two-hour target, about one in eight late.
func demoDelay(rnd *rand.Rand) time.Duration {
	if rnd.Intn(8) == 0 {
		return time.Duration(125+rnd.Intn(240)) * time.Minute
	}
	return time.Duration(3+rnd.Intn(110)) * time.Minute
}
