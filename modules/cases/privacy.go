package cases

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

var _ privacy.Eraser = (*Service)(nil)

// EraseSubject removes an erased student's words, video links, excerpts
// and tags from their cases and their guardians' names from the consents.
// The rows stay as an anonymous count (a case with a video still counts as
// one), and an erased case leaves every export.
func (s *Service) EraseSubject(ctx context.Context, db bun.IDB, subject privacy.Subject) error {
	if subject.EntityType != "student" {
		return nil
	}
	return s.store.EraseStudent(ctx, db, subject.OrgID, subject.EntityID, s.Now())
}

// StudentData is everything the cases module holds about a student.
type StudentData struct {
	Requests    []Request
	Submissions []Submission
	Consents    []Consent
	OptedOut    bool
}

// StudentData gathers a student's requests, cases and consents for a
// data-subject request; the export is audited, like the school's.
func (s *Service) StudentData(ctx context.Context, orgID, studentID string) (*StudentData, error) {
	if !ids.Valid(studentID) {
		return nil, errs.NotFound("student")
	}
	if _, err := s.school.Student(ctx, orgID, studentID); err != nil {
		return nil, err
	}
	var out *StudentData
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if out, err = s.studentData(ctx, tx, orgID, studentID); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "student", studentID, map[string]auditlog.Change{"cases_exported": {After: true}})
	})
	return out, err
}

func (s *Service) studentData(ctx context.Context, db bun.IDB, orgID, studentID string) (*StudentData, error) {
	out := &StudentData{}
	var err error
	if out.Requests, err = s.store.StudentRequests(ctx, db, orgID, studentID); err != nil {
		return nil, err
	}
	if out.Submissions, err = s.store.StudentSubmissions(ctx, db, orgID, studentID); err != nil {
		return nil, err
	}
	if out.Consents, err = s.store.StudentConsents(ctx, db, orgID, studentID); err != nil {
		return nil, err
	}
	if out.OptedOut, err = s.store.OptedOut(ctx, db, orgID, studentID); err != nil {
		return nil, err
	}
	return out, nil
}

// ExportStudent is the cases part of the school's export of a student
// (school.PartExporter): the same document as the cases export, read in
// the school's export transaction, which the school audits.
func (s *Service) ExportStudent(ctx context.Context, db bun.IDB, orgID, studentID string) (string, any, error) {
	x, err := s.studentData(ctx, db, orgID, studentID)
	if err != nil {
		return "", nil, err
	}
	out, err := s.exportDTO(ctx, orgID, studentID, x)
	return "cases", out, err
}
