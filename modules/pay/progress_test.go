package pay_test

import (
	"net/http"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/platform/progress"
)

// TestPayProgress: a calculation reports its four steps and an export one
// unit per statement written, each reaching its total, to a
// tracker in the context (the console's background jobs); the results are
// the API's.
func TestPayProgress(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		p := newPayMonth(t, s, "progress")
		head, fin := p.sc.People["head_of_service"], p.sc.People["finance"]
		var sc scheme
		s.Do(post, p.sc.Path("/pay-schemes"), map[string]any{"name": "Кураторы", "spec": monthSpec(3_000_000, 10_000)}, head.Auth()).
			Expect(http.StatusCreated).Decode(&sc)
		for _, user := range []string{p.x.UserID, p.y.UserID, p.z.UserID} {
			s.Do(post, p.sc.Path("/pay-assignments"), map[string]any{"user_id": user, "scheme_version_id": sc.Versions[0].ID,
				"effective_from": "2026-03-01"}, head.Auth()).Expect(http.StatusCreated)
		}
		var march period
		s.Do(post, p.sc.Path("/pay-periods"), map[string]any{"month": "2026-03"}, head.Auth()).Expect(http.StatusCreated).Decode(&march)

		calc := &progress.Tracker{}
		got, err := s.Services.Pay.Calculate(progress.With(s.Ctx(), calc), p.org, march.ID, march.Version)
		if err != nil {
			t.Fatal(err)
		}
		if done, total := calc.State(); done != 4 || total != 4 {
			t.Fatalf("calculation progress %d / %d, want 4 / 4 steps", done, total)
		}
		var api period
		s.Do(http.MethodGet, p.sc.Path("/pay-periods/"+march.ID), nil, head.Auth()).Expect(http.StatusOK).Decode(&api)
		if api.Status != "calculated" || api.Calculation != got.Calculation || api.Version != got.Version {
			t.Fatalf("the calculated period %+v, the API's %+v", got, api)
		}

		march = api
		p.step(t, &march, "submit", head, nil)
		p.step(t, &march, "approve", head, nil)
		p.step(t, &march, "approve-finance", fin, nil)
		p.step(t, &march, "lock", fin, nil)
		exp := &progress.Tracker{}
		e, created, err := s.Services.Pay.RecordExport(progress.With(s.Ctx(), exp), p.org, march.ID, pay.FormatCSV)
		if err != nil || !created {
			t.Fatalf("export: %v, created %v", err, created)
		}
		if done, total := exp.State(); done != 3 || total != 3 {
			t.Fatalf("export progress %d / %d, want 3 / 3", done, total)
		}
		var detail struct {
			Status  string
			Exports []struct{ ID, Checksum string }
		}
		s.Do(http.MethodGet, p.sc.Path("/pay-periods/"+march.ID), nil, fin.Auth()).Expect(http.StatusOK).Decode(&detail)
		if detail.Status != "exported" || len(detail.Exports) != 1 || detail.Exports[0].ID != e.ID || detail.Exports[0].Checksum != e.Checksum {
			t.Fatalf("the export %s %s, the API's %+v", e.ID, e.Checksum, detail)
		}
	})
}
