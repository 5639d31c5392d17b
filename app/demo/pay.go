package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/curatorops/curatorops/modules/pay"
)

// demoPaySpec is a scheme like the reference school's after its rebuild:
// every curator has a fixed part, is paid per reviewed homework, and earns
// KPI bonuses for her students' completion and satisfaction and for the
// video cases she collects, with a commission on the upsells of her
// students.
func demoPaySpec() pay.Spec {
	return pay.Spec{Components: []pay.Component{
		{Key: "fixed", Title: "Оклад", Kind: pay.KindFixed, Amount: 1_500_000},
		{Key: "reviews", Title: "Проверка домашних заданий", Kind: pay.KindPiece, Resubmissions: pay.ResubmissionsEach,
			Rates: []pay.PieceRate{{AssignmentType: "regular", Rate: 15_000}, {AssignmentType: "final_project", Rate: 50_000}}},
		{Key: "completion", Title: "Доходимость до модуля 3", Kind: pay.KindKPI, Metric: pay.MetricCompletion, Module: 3,
			Direction: pay.HigherIsBetter, MinSample: 5, Weight: "1", TierMode: pay.TiersStep,
			Tiers: []pay.Tier{{From: "0", To: "40", Amount: 0}, {From: "40", To: "60", Amount: 300_000}, {From: "60", Amount: 600_000}}},
		{Key: "csi", Title: "CSI учеников", Kind: pay.KindKPI, Metric: pay.MetricCSI, Direction: pay.HigherIsBetter, MinSample: 5,
			Weight: "1", TierMode: pay.TiersStep,
			Tiers: []pay.Tier{{From: "0", To: "80", Amount: 0}, {From: "80", To: "90", Amount: 200_000}, {From: "90", Amount: 400_000}}},
		{Key: "cases", Title: "Видеокейсы", Kind: pay.KindKPI, Metric: pay.MetricCasesVideo, Direction: pay.HigherIsBetter, Weight: "1",
			TierMode: pay.TiersProgressive, Tiers: []pay.Tier{{From: "0", Amount: 100_000}}, Cap: ptr(int64(500_000))},
		{Key: "upsell", Title: "Допродажи", Kind: pay.KindCommission, Percent: "10"},
	}}
}

// seedPay sets the scheme up for every curator from the month before last,
// then walks last month through its whole life — calculated, reviewed,
// approved by the head and by finance, locked and exported — and
// calculates the current month and sends it to review, where curator01
// disputes her review line. A school that has pay periods already is left
// alone.
func seedPay(ctx context.Context, r *run) error {
	if periods, err := r.svc.Pay.Periods(ctx, r.orgID); err != nil || len(periods) > 0 {
		return err
	}
	roles := map[string]string{}
	for _, role := range []string{"head_of_service", "finance"} {
		id, err := r.firstWithRole(ctx, role)
		if err != nil {
			return err
		}
		roles[role] = id
	}
	head, finance := actingAs(ctx, roles["head_of_service"]), actingAs(ctx, roles["finance"])
	now := r.wall.In(mustZone("Europe/Moscow"))
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	lastMonth := thisMonth.AddDate(0, -1, 0)
	sc, err := r.svc.Pay.CreateScheme(head, r.orgID, "Кураторы: оклад, проверки и KPI", demoPaySpec(),
		"Все кураторы получают оклад; бонусы за доходимость, CSI и видеокейсы")
	if err != nil {
		return err
	}
	if err := assignEveryCurator(ctx, r, head, sc.Versions[0].ID, lastMonth.AddDate(0, -1, 0)); err != nil {
		return err
	}
	if err := closeMonth(head, finance, r, lastMonth.Format("2006-01")); err != nil {
		return err
	}
	return reviewMonth(head, r, thisMonth.Format("2006-01"))
}

func assignEveryCurator(ctx context.Context, r *run, head context.Context, versionID string, from time.Time) error {
	for _, role := range []string{"curator", "senior_curator"} {
		people, err := r.svc.Identity.ActivePeople(ctx, r.orgID, role)
		if err != nil {
			return err
		}
		for _, p := range people {
			if strings.HasPrefix(p.Email, "newcomer") {
				continue // in onboarding: not on the scheme yet
			}
			if _, _, err := r.svc.Pay.Assign(head, r.orgID, p.UserID, versionID, from.Format(time.DateOnly)); err != nil {
				return fmt.Errorf("assigning %s: %w", p.Email, err)
			}
		}
	}
	return nil
}

// closeMonth takes a month from calculation to its exports.
func closeMonth(head, finance context.Context, r *run, month string) error {
	svc := r.svc.Pay
	p, err := svc.OpenPeriod(head, r.orgID, month)
	if err != nil {
		return err
	}
	if p, err = svc.Calculate(head, r.orgID, p.ID, p.Version); err != nil {
		return err
	}
	for _, step := range []struct {
		ctx    context.Context
		action string
	}{{head, "submit"}, {head, "approve"}, {finance, "approve-finance"}, {finance, "lock"}} {
		if p, err = svc.Transition(step.ctx, r.orgID, p.ID, step.action, "", p.Version); err != nil {
			return fmt.Errorf("%s: %w", step.action, err)
		}
	}
	for _, format := range []string{pay.FormatXLSX, pay.Format1C} {
		if _, _, err := svc.RecordExport(finance, r.orgID, p.ID, format); err != nil {
			return err
		}
	}
	return nil
}

// reviewMonth calculates the current month so far and sends it to review;
// curator01 disputes her review line.
func reviewMonth(head context.Context, r *run, month string) error {
	svc := r.svc.Pay
	p, err := svc.OpenPeriod(head, r.orgID, month)
	if err != nil {
		return err
	}
	if p, err = svc.Calculate(head, r.orgID, p.ID, p.Version); err != nil {
		return err
	}
	if p, err = svc.Transition(head, r.orgID, p.ID, "submit", "", p.Version); err != nil {
		return err
	}
	curator, err := r.person(head, "curator01@demo.test")
	if err != nil {
		return err
	}
	st, err := svc.StatementOf(head, r.orgID, p.ID, curator.UserID, pay.Viewer{SeesAll: true})
	if err != nil {
		return err
	}
	for _, l := range st.Lines {
		if l.Component == "reviews" {
			_, err := svc.Dispute(actingAs(head, curator.UserID), r.orgID, l.ID, curator.UserID,
				"В статистике не хватает двух проверок финальных проектов за прошлую неделю")
			return err
		}
	}
	return fmt.Errorf("curator01 has no review line in %s", month)
}
