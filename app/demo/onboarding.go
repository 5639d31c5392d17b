package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/onboarding"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// demoNewcomer is one of the three curators the demo's hiring took on,
// at her own point of onboarding.
type demoNewcomer struct {
	email, name string
	// startedDaysAgo is when the plan started; stage how far she got.
	startedDaysAgo int
	stage          int
}

// Onboarding stages of the demo newcomers.
const (
	stageContract = iota // HR has the signed contract
	stageReading         // and every regulation read, the quiz passed
	stageShadowed        // and a day with the mentor, then let start early
)

var demoNewcomers = []demoNewcomer{
	{"newcomer01@demo.test", "Алиса Новикова", 1, stageContract},
	{"newcomer02@demo.test", "Вера Гончарова", 5, stageReading},
	{"newcomer03@demo.test", "Маргарита Белова", 11, stageShadowed},
}

// seedOnboarding puts the three newcomers at their points of onboarding
// (their plans come from the curators' default template: the contract,
// the regulations the knowledge base requires of curators with their
// quiz, a day with the senior curator and five supervised reviews) and
// thanks three curators.
func seedOnboarding(ctx context.Context, r *run) error {
	hr, err := r.person(ctx, "hr@demo.test")
	if err != nil {
		return err
	}
	mentor, err := r.person(ctx, "senior@demo.test")
	if err != nil {
		return err
	}
	for _, n := range demoNewcomers {
		person, err := r.newcomer(ctx, n)
		if err != nil {
			return fmt.Errorf("newcomer %s: %w", n.email, err)
		}
		if err := r.onboard(ctx, n, person, hr, mentor); err != nil {
			return fmt.Errorf("onboarding of %s: %w", n.email, err)
		}
	}
	return seedRecognitions(ctx, r)
}

// person is the demo's member with the email.
func (r *run) person(ctx context.Context, email string) (*identity.Person, error) {
	return r.svc.Identity.ActivePersonByEmail(ctx, r.orgID, email)
}

// newcomer returns the hired newcomer; if the hiring demo has not hired
// her, she joins as a curator the way a hire does.
func (r *run) newcomer(ctx context.Context, n demoNewcomer) (*identity.Person, error) {
	p, err := r.person(ctx, n.email)
	if !errors.Is(err, errs.ErrNotFound) {
		return p, err
	}
	u, _, err := r.svc.Identity.EnsureDemoUser(ctx, identity.UserSpec{Email: n.email, Name: n.name, Password: Password})
	if err != nil {
		return nil, err
	}
	if err := r.svc.Identity.EnsureMember(ctx, r.orgID, u.ID, []string{"curator"}); err != nil {
		return nil, err
	}
	return r.person(ctx, n.email)
}

// onboard takes the newcomer's plan to her stage through the same calls
// people make, starting the plan when the hiring demo has not; steps
// already taken are skipped, so seeding twice changes nothing.
func (r *run) onboard(ctx context.Context, n demoNewcomer, p, hr, mentor *identity.Person) error {
	ob := r.svc.Onboarding
	all := onboarding.Reader{SeesAll: true}
	mine, err := ob.Plans(ctx, r.orgID, all, onboarding.PlanFilter{UserID: p.UserID, Limit: 1})
	if err != nil {
		return err
	}
	var planID string
	if len(mine) > 0 {
		planID = mine[0].Plan.ID
	} else if err := ob.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		planID, err = ob.StartPlan(ctx, tx, r.orgID, p.UserID, "curator", r.wall.AddDate(0, 0, -n.startedDaysAgo), &mentor.UserID)
		return err
	}); err != nil {
		return err
	}
	v, err := ob.Plan(ctx, r.orgID, planID, all)
	if err != nil {
		return err
	}
	asHR := onboarding.Reader{UserID: hr.UserID, SeesAll: true, Manages: true}
	asMentor := onboarding.Reader{UserID: mentor.UserID}
	unread := false
	for _, st := range v.Items {
		if st.DoneAt != nil {
			continue
		}
		switch {
		case st.Item.Kind == onboarding.KindSign:
			_, err = ob.CompleteItem(ctx, r.orgID, planID, st.Item.ID, asHR, "Договор № К-2026-"+n.email[8:10])
		case st.Item.Kind == onboarding.KindShadow && n.stage >= stageShadowed && v.Plan.MentorID != nil:
			asMentor.UserID = *v.Plan.MentorID
			_, err = ob.CompleteItem(ctx, r.orgID, planID, st.Item.ID, asMentor, "Разобрали вместе 12 работ и два чата с учениками")
		case st.Item.Kind == onboarding.KindRegulation || st.Item.Kind == onboarding.KindQuiz:
			unread = true
		}
		if err != nil {
			return err
		}
	}
	if n.stage >= stageReading && unread {
		if err := r.readRegulations(ctx, p); err != nil {
			return err
		}
	}
	if n.stage < stageShadowed {
		return nil
	}
	v, err = ob.Plan(ctx, r.orgID, planID, all)
	if err != nil || v.ActivatedAt() != nil {
		return err
	}
	_, err = ob.Activate(ctx, r.orgID, planID, v.Plan.Version,
		"Поток стартует раньше плана; пять проверок под контролем пройдёт с первыми учениками")
	return err
}

// readRegulations passes the quizzes and acknowledges every regulation
// the knowledge base requires of curators, as the newcomer.
func (r *run) readRegulations(ctx context.Context, p *identity.Person) error {
	quizzes := map[string][]kb.Question{}
	for _, reg := range demoRegulations() {
		quizzes[reg.title] = reg.quiz
	}
	arts, err := r.svc.KB.Articles(ctx, kb.Viewer{SeesAll: true}, r.orgID, kb.ArticleFilter{Status: kb.StatusPublished, Limit: 200})
	if err != nil {
		return err
	}
	ackCtx := reqctx.With(ctx, &reqctx.Meta{OperationID: "seed-demo", IP: "198.51.100.31",
		UserAgent: "Mozilla/5.0 (demo seed)", Principal: reqctx.From(ctx).Principal})
	for i := range arts {
		a := &arts[i]
		required := false
		for _, role := range a.RequiredRoles {
			required = required || role == "curator"
		}
		if !required {
			continue
		}
		if err := acknowledgeAsDemo(ackCtx, r.svc.KB, r.orgID, a, *p, quizzes[a.Title]); err != nil {
			return fmt.Errorf("regulation %q: %w", a.Title, err)
		}
	}
	return nil
}

// demoRecognitions are the reference school's non-material motivation.
var demoRecognitions = []struct {
	email, kind, title, text string
}{
	{"curator01@demo.test", onboarding.RecognitionThanks, "Благодарность за лучший CSI потока",
		"Средняя оценка учеников 4,9 из 5 за весенний поток — спасибо за внимание к каждому!"},
	{"curator02@demo.test", onboarding.RecognitionCertificate, "Сертификат наставника",
		"Прошла обучение наставников и провела адаптацию двух новых кураторов."},
	{"curator03@demo.test", onboarding.RecognitionThanks, "Благодарность за кейсы",
		"Собрала 7 отзывов и видеокейсов учеников за месяц."},
}

func seedRecognitions(ctx context.Context, r *run) error {
	ob := r.svc.Onboarding
	existing, err := ob.Recognitions(ctx, r.orgID, onboarding.RecognitionFilter{Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	for _, rec := range demoRecognitions {
		p, err := r.person(ctx, rec.email)
		if err != nil {
			return fmt.Errorf("recognition of %s: %w", rec.email, err)
		}
		if _, err := ob.Recognize(ctx, r.orgID, onboarding.RecognitionInput{UserID: p.UserID, Kind: rec.kind, Title: rec.title, Text: rec.text}); err != nil {
			return err
		}
	}
	return nil
}
