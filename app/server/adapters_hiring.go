package server

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/school"
)

// hiringAccounts answers the hiring module's questions about people from
// the identity module, and creates a hire's account in the hiring
// transaction.
type hiringAccounts struct{ identity *identity.Service }

func (a hiringAccounts) AddCurator(ctx context.Context, tx bun.IDB, orgID, email, name, password string) (string, bool, error) {
	hire, err := a.identity.AddMemberIn(ctx, tx, orgID, identity.NewMember{Email: email, Name: name, Password: password,
		Roles: []string{hiring.HiredRole}})
	if err != nil {
		return "", false, err
	}
	return hire.UserID, hire.Invited, nil
}

func (a hiringAccounts) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return a.identity.MemberNames(ctx, orgID, userIDs)
}

func (a hiringAccounts) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	_, err := a.identity.ActivePerson(ctx, orgID, userID)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Tenures reads every curator membership of the school, page by page; a
// disabled membership's last change is when the curator left.
func (a hiringAccounts) Tenures(ctx context.Context, orgID string) ([]hiring.Tenure, error) {
	const pageSize = 200
	var out []hiring.Tenure
	after := ""
	for {
		page, err := a.identity.ListMembers(ctx, orgID, identity.MemberFilter{Role: hiring.HiredRole, Limit: pageSize, AfterID: after})
		if err != nil {
			return nil, err
		}
		more := len(page) > pageSize
		if more {
			page = page[:pageSize]
		}
		for _, m := range page {
			t := hiring.Tenure{UserID: m.UserID, JoinedAt: m.CreatedAt}
			if m.Status == identity.StatusDisabled {
				left := m.UpdatedAt
				t.LeftAt = &left
			}
			out = append(out, t)
		}
		if !more {
			return out, nil
		}
		after = page[pageSize-1].ID
	}
}

// hiringCatalog names the school's courses and cohorts for vacancies.
type hiringCatalog struct{ school *school.Service }

func (c hiringCatalog) Labels(ctx context.Context, orgID string) (map[string]string, map[string]string, error) {
	l, err := c.school.Labels(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	return l.Courses, l.Cohorts, nil
}

// hiringSubmissions lends homework submissions to the calibration set,
// with the student's personal values for hiring to remove from the text.
type hiringSubmissions struct {
	homework *homework.Service
	school   *school.Service
}

func (h hiringSubmissions) CalibrationSource(ctx context.Context, orgID, submissionID string) (*hiring.SourceWork, error) {
	w, err := h.homework.CalibrationWork(ctx, orgID, submissionID)
	if err != nil {
		return nil, err
	}
	out := &hiring.SourceWork{Text: w.Text, Links: w.Links}
	for _, r := range w.Rubric {
		out.Rubric = append(out.Rubric, hiring.RubricLine{Key: r.Key, Title: r.Title, MaxPoints: r.MaxPoints})
	}
	st, err := h.school.Student(ctx, orgID, w.StudentID)
	if err != nil {
		return nil, err
	}
	out.StudentValues = append(out.StudentValues, st.FullName)
	for _, v := range []*string{st.Email, st.Telegram, st.Phone} {
		if v != nil && *v != "" {
			out.StudentValues = append(out.StudentValues, *v)
		}
	}
	return out, nil
}
