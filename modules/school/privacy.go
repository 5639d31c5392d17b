package school

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

// ErasedName replaces an erased student's name.
const ErasedName = "Удалённый студент"

// AddEraser registers a module that keeps copies of students' personal data
// (the audit log, the integration inbox); Erase calls each of them.
func (s *Service) AddEraser(e privacy.Eraser) { s.erasers = append(s.erasers, e) }

// PartExporter is a module that holds more of a student's data (cases,
// survey answers): the school's export adds its part under the module's
// name, read in the export's transaction, so one request returns it all.
type PartExporter interface {
	ExportStudent(ctx context.Context, db bun.IDB, orgID, studentID string) (module string, part any, err error)
}

// AddExporter registers a module whose part of a student's data the export
// includes.
func (s *Service) AddExporter(e PartExporter) { s.exporters = append(s.exporters, e) }

// StudentExport is everything the school module holds about a student,
// with the parts of the modules registered by AddExporter.
type StudentExport struct {
	Student        *Student
	Enrollments    []Enrollment
	CuratorHistory map[string][]CuratorAssignment // by enrollment id
	Orders         []Order
	Refunds        map[string][]OrderRefund // by order id
	Parts          map[string]any           // by module
}

// Export gathers everything held about a student, for a data-subject
// request. The export itself is audited: it discloses personal data.
func (s *Service) Export(ctx context.Context, orgID, studentID string) (*StudentExport, error) {
	out := &StudentExport{CuratorHistory: map[string][]CuratorAssignment{}, Refunds: map[string][]OrderRefund{}}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if out.Student, err = s.store.Student(ctx, tx, orgID, studentID); err != nil {
			return err
		}
		if out.Enrollments, err = s.store.ListEnrollments(ctx, tx, orgID, EnrollmentFilter{StudentID: studentID}); err != nil {
			return err
		}
		for _, e := range out.Enrollments {
			if out.CuratorHistory[e.ID], err = s.store.CuratorHistory(ctx, tx, orgID, e.ID); err != nil {
				return err
			}
		}
		if out.Orders, err = s.store.ListOrders(ctx, tx, orgID, OrderFilter{StudentID: studentID}); err != nil {
			return err
		}
		for _, o := range out.Orders {
			if out.Refunds[o.ID], err = s.store.Refunds(ctx, tx, orgID, o.ID); err != nil {
				return err
			}
		}
		out.Parts = map[string]any{}
		for _, e := range s.exporters {
			module, part, err := e.ExportStudent(ctx, tx, orgID, studentID)
			if err != nil {
				return err
			}
			out.Parts[module] = part
		}
		return s.Record(ctx, tx, orgID, "student", studentID, map[string]auditlog.Change{"exported": {After: true}})
	})
	return out, err
}

// Erase anonymises a student everywhere: the name becomes ErasedName,
// contacts and birth date go, and every module holding copies replaces them.
// Enrollments, orders and refunds stay, so counts and money totals do not
// change.
func (s *Service) Erase(ctx context.Context, orgID, studentID string) (*Student, error) {
	var out *Student
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		st, err := s.store.Student(ctx, tx, orgID, studentID)
		if err != nil {
			return err
		}
		if st.ErasedAt != nil {
			return errs.Conflict("the student was already erased at %s", st.ErasedAt.UTC().Format(time.RFC3339))
		}
		subject := privacy.Subject{OrgID: orgID, EntityType: "student", EntityID: st.ID, Values: personalValues(st)}
		now := s.Now()
		erased := *st
		erased.FullName, erased.NameKey = ErasedName, FoldName(ErasedName)
		erased.Email, erased.Telegram, erased.Phone, erased.BirthDate = nil, nil, nil, nil
		erased.ErasedAt = &now
		erased.Bump(now)
		if err := s.store.EraseStudent(ctx, tx, &erased); err != nil {
			return err
		}
		for _, e := range s.erasers {
			if err := e.EraseSubject(ctx, tx, subject); err != nil {
				return err
			}
		}
		out = &erased
		// The entry names no personal value: it records that erasure happened.
		return s.Record(ctx, tx, orgID, "student", st.ID, map[string]auditlog.Change{"erased": {Before: false, After: true}})
	})
	return out, err
}

// personalValues lists the student's personal strings as they may have been
// copied elsewhere.
func personalValues(st *Student) []string {
	values := []string{st.FullName}
	for _, v := range []*string{st.Email, st.Telegram, st.Phone, st.BirthDate} {
		if v != nil && *v != "" {
			values = append(values, *v)
			if trimmed := strings.TrimPrefix(*v, "@"); trimmed != *v {
				values = append(values, trimmed)
			}
		}
	}
	return values
}
