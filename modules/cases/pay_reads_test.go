package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

func TestPayReadsCreditedCases(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
		orgID, otherOrg := s.NewSchool("pay-cases").Org.ID, s.NewSchool("pay-cases-other").Org.ID
		curator := ids.New()
		// submission writes a case as moderation left it.
		submission := func(org string, curatorID *string, status string, video bool, at time.Time) string {
			t.Helper()
			c := &cases.Submission{ID: ids.New(), OrgID: org, StudentID: ids.New(), EnrollmentID: ids.New(), CohortID: ids.New(),
				CourseID: ids.New(), CuratorID: curatorID, Source: "curator", Body: str("Было трудно, стало понятно"), Video: video,
				Status: status, SubmittedAt: at, CreatedAt: at, UpdatedAt: at, Version: 1}
			if _, err := s.DB.NewInsert().Model(c).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		text := submission(orgID, &curator, cases.StatusApproved, false, from)
		video := submission(orgID, &curator, cases.StatusPublished, true, day(10))
		archived := submission(orgID, &curator, cases.StatusArchived, false, day(11))
		submission(orgID, &curator, cases.StatusPending, true, day(12))                 // not moderated yet
		submission(orgID, &curator, cases.StatusRejected, true, day(13))                // refused
		submission(orgID, nil, cases.StatusApproved, true, day(14))                     // credits nobody
		submission(orgID, &curator, cases.StatusApproved, true, from.Add(-time.Second)) // February's
		submission(orgID, &curator, cases.StatusApproved, true, to)                     // April's
		submission(otherOrg, &curator, cases.StatusApproved, true, day(15))             // another school's

		got, err := s.Services.Cases.CreditedCases(s.Ctx(), orgID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := []cases.CreditedCase{
			{ID: text, CuratorID: curator, Kind: cases.CaseKindText, SubmittedAt: from},
			{ID: video, CuratorID: curator, Kind: cases.CaseKindVideo, SubmittedAt: day(10)},
			{ID: archived, CuratorID: curator, Kind: cases.CaseKindText, SubmittedAt: day(11)},
		}
		if len(got) != len(want) {
			t.Fatalf("want %d cases, got %+v", len(want), got)
		}
		for i := range want {
			if !got[i].SubmittedAt.Equal(want[i].SubmittedAt) || got[i].SubmittedAt.Location() != time.UTC {
				t.Errorf("case %d submitted at %v, want %v in UTC", i, got[i].SubmittedAt, want[i].SubmittedAt)
			}
			got[i].SubmittedAt = want[i].SubmittedAt
			if got[i] != want[i] {
				t.Errorf("case %d:\n got %+v\nwant %+v", i, got[i], want[i])
			}
		}
	})
}
