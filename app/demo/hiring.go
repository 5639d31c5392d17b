package demo

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// NewcomerPassword is the password the three demo hires chose when they
// accepted their offers: a hire's password passes the strength rules,
// which the published demo password is kept out of.
const NewcomerPassword = "Novichok-kurator-2026!"

// NewcomerCount is how many curators the demo's hiring took on; they are
// curators in onboarding, beside the CuratorCount who are at work.
const NewcomerCount = 3

// demoVacancy is one of the demo school's two openings and how many of its
// candidates stand at each stage (besides the three hires of the first).
type demoVacancy struct {
	title, focus, pay string
	headcount         int
	atStage           []stageCount
}

type stageCount struct {
	key string
	n   int
}

var demoVacancies = []demoVacancy{
	{title: "Куратор курса «Практическая психология»", focus: "Проверка домашних заданий и сопровождение учеников в чате потока",
		pay: "Оклад 15 000 ₽ + 120 ₽ за проверенную работу + премия по KPI (CSI, SLA)", headcount: 4,
		atStage: []stageCount{{"applied", 3}, {"screening", 2}, {"test_task", 2}, {"interview", 1}, {"offer", 1}, {"rejected", 4}, {"reserve", 3}}},
	{title: "Куратор курса «Психология отношений»", focus: "Ответы в чате и проверка рефлексивных заданий",
		pay: "Оклад 12 000 ₽ + 100 ₽ за проверенную работу + премия по KPI", headcount: 2,
		atStage: []stageCount{{"applied", 4}, {"screening", 3}, {"test_task", 2}, {"interview", 2}, {"rejected", 3}, {"reserve", 2}}},
}

// The path each stage is reached by, from the start.
var stagePath = map[string][]string{
	"applied":   nil,
	"screening": {"screening"},
	"test_task": {"screening", "test_task"},
	"interview": {"screening", "test_task", "interview"},
	"offer":     {"screening", "test_task", "interview"},
	"rejected":  {"screening", "rejected"},
	"reserve":   {"screening", "test_task", "interview", "reserve"},
}

var demoSources = []string{hiring.SourceJobSite, hiring.SourceJobSite, hiring.SourceReferral, hiring.SourceFormerStudent, hiring.SourceOther}

var reserveTags = [][]string{{"гештальт", "чат"}, {"кпт", "проверка"}, {"наставник"}, {"чат", "вечерние смены"}, {"проверка", "тексты"}}

// seedHiring opens two vacancies with 38 candidates across the pipeline
// (five of them in the talent reserve) and hires the three newcomers of
// the onboarding demo through the offer path: each accepts her offer, which
// creates her account, her curator membership and her onboarding plan.
// A school that has vacancies already is left as it is, so seeding twice
// changes nothing.
func seedHiring(ctx context.Context, r *run) error {
	h := r.svc.Hiring
	if existing, err := h.Vacancies(ctx, r.orgID, hiring.VacancyFilter{Limit: 1}); err != nil || len(existing) > 0 {
		return err
	}
	hr, err := r.person(ctx, "hr@demo.test")
	if err != nil {
		return err
	}
	mentor, err := r.person(ctx, "senior@demo.test")
	if err != nil {
		return err
	}
	ctx = reqctx.With(ctx, &reqctx.Meta{OperationID: "demo-seed", Principal: &reqctx.Principal{Kind: reqctx.ActorUser, UserID: hr.UserID, Name: "hr@demo.test"}})
	reasons, err := h.Reasons(ctx, r.orgID)
	if err != nil {
		return err
	}
	stages, err := h.Stages(ctx, r.orgID)
	if err != nil {
		return err
	}
	stageID := map[string]string{}
	for _, st := range stages {
		stageID[st.Key] = st.ID
	}
	rnd := rand.New(rand.NewSource(17))
	seq := 0
	for vi, dv := range demoVacancies {
		v, err := h.CreateVacancy(ctx, r.orgID, hiring.VacancyInput{Title: dv.title, Focus: dv.focus, Headcount: dv.headcount, PayScheme: dv.pay,
			Status: hiring.VacancyOpen})
		if err != nil {
			return err
		}
		for _, sc := range dv.atStage {
			for i := 0; i < sc.n; i++ {
				seq++
				name := demoPersonName(rnd)
				email := fmt.Sprintf("candidate%02d@example.ru", seq)
				c, err := h.CreateCandidate(ctx, r.orgID, hiring.CandidateInput{FullName: name, Email: &email,
					Source: demoSources[seq%len(demoSources)]}, r.wall.AddDate(1, 0, 0))
				if err != nil {
					return err
				}
				a, err := h.Apply(ctx, r.orgID, c.ID, v.ID, "")
				if err != nil {
					return err
				}
				if a, err = walkStages(ctx, h, r.orgID, a, stagePath[sc.key], stageID, reasons[seq%len(reasons)].ID); err != nil {
					return err
				}
				if sc.key == "reserve" {
					if err := keepInReserve(ctx, h, r, c.ID, reserveTags[(seq+vi)%len(reserveTags)]); err != nil {
						return err
					}
				}
				if sc.key == "offer" {
					if _, err := h.CreateOffer(ctx, r.orgID, a.ID, hiring.OfferInput{StartDate: r.wall.AddDate(0, 0, 14).Format("2006-01-02"),
						PayScheme: dv.pay, MentorID: &mentor.UserID}); err != nil {
						return err
					}
				}
			}
		}
		if vi == 0 {
			if err := hireNewcomers(ctx, h, r, v.ID, stageID, dv.pay, mentor.UserID); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkStages moves an application along path; a rejection cites reasonID.
func walkStages(ctx context.Context, h *hiring.Service, orgID string, a *hiring.Application, path []string, stageID map[string]string, reasonID string) (*hiring.Application, error) {
	for _, key := range path {
		in := hiring.MoveInput{StageID: stageID[key]}
		if key == "rejected" {
			in.ReasonID = &reasonID
		}
		var err error
		if a, err = h.Move(ctx, orgID, a.ID, a.Version, in); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func keepInReserve(ctx context.Context, h *hiring.Service, r *run, candidateID string, tags []string) error {
	c, err := h.Candidate(ctx, r.orgID, candidateID)
	if err != nil {
		return err
	}
	on := r.wall.AddDate(0, 2, 0).Format("2006-01-02")
	_, err = h.SetReserve(ctx, r.orgID, c.ID, c.Version, hiring.ReserveInput{InReserve: true, Tags: tags, RecontactOn: &on})
	return err
}

// hireNewcomers takes the onboarding demo's three newcomers through the
// first vacancy to an accepted offer.
func hireNewcomers(ctx context.Context, h *hiring.Service, r *run, vacancyID string, stageID map[string]string, pay, mentorID string) error {
	for _, n := range demoNewcomers {
		email := n.email
		c, err := h.CreateCandidate(ctx, r.orgID, hiring.CandidateInput{FullName: n.name, Email: &email, Source: hiring.SourceReferral},
			r.wall.AddDate(1, 0, 0))
		if err != nil {
			return err
		}
		a, err := h.Apply(ctx, r.orgID, c.ID, vacancyID, "")
		if err != nil {
			return err
		}
		if a, err = walkStages(ctx, h, r.orgID, a, stagePath["interview"], stageID, ""); err != nil {
			return err
		}
		offer, err := h.CreateOffer(ctx, r.orgID, a.ID, hiring.OfferInput{StartDate: r.wall.Format("2006-01-02"), PayScheme: pay, MentorID: &mentorID})
		if err != nil {
			return err
		}
		if _, err := h.AcceptByLink(ctx, offer.Token, NewcomerPassword); err != nil {
			return fmt.Errorf("hire of %s: %w", n.email, err)
		}
	}
	return nil
}
