package school

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// ImportColumns are the columns a student import understands; full_name is
// required, the rest optional. A row with a cohort also enrolls the student.
var ImportColumns = []string{"full_name", "email", "telegram", "phone", "birth_date", "source", "external_id",
	"cohort_id", "cohort_external_id", "tariff", "curator_email"}

// MaxImportRows bounds one import; larger files are split by the client.
const MaxImportRows = 20000

// ImportReport says what an import did, or would do on a dry run.
type ImportReport struct {
	DryRun             bool
	Rows               int
	StudentsCreated    int
	StudentsUpdated    int
	EnrollmentsCreated int
	Errors             []errs.FieldError // locations as lines[N].column, N the file's line number
}

// ImportStudents reads a CSV of students (and enrollments). Every line is
// checked; a real run writes all lines or, when any line is wrong, nothing.
// A dry run does the same work in a transaction that is rolled back, so its
// report is exactly what the real run would do.
func (s *Service) ImportStudents(ctx context.Context, orgID string, data []byte, dryRun bool) (*ImportReport, error) {
	rows, header, err := readCSV(data)
	if err != nil {
		return nil, err
	}
	report := &ImportReport{DryRun: dryRun, Rows: len(rows)}
	errRollback := errors.New("roll back")
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, row := range rows {
			if err := s.importRow(ctx, tx, orgID, header, row, report); err != nil {
				return err
			}
		}
		if dryRun || len(report.Errors) > 0 {
			return errRollback
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		return nil, err
	}
	if !dryRun && len(report.Errors) > 0 {
		report.StudentsCreated, report.StudentsUpdated, report.EnrollmentsCreated = 0, 0, 0
	}
	return report, nil
}

type csvRow struct {
	line   int
	values []string
}

func readCSV(data []byte) ([]csvRow, map[string]int, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	first, err := r.Read()
	if err != nil {
		return nil, nil, errs.Invalid("body", "expected a CSV file whose first line names the columns")
	}
	header := map[string]int{}
	for i, name := range first {
		name = strings.ToLower(strings.TrimSpace(name))
		if !oneOf(name, ImportColumns...) {
			return nil, nil, errs.Invalid(fmt.Sprintf("lines[1].%s", name), "unknown column; known: "+strings.Join(ImportColumns, ", "))
		}
		header[name] = i
	}
	if _, ok := header["full_name"]; !ok {
		return nil, nil, errs.Invalid("lines[1]", "the full_name column is required")
	}
	var rows []csvRow
	for {
		values, err := r.Read()
		if err == io.EOF {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			return nil, nil, errs.Invalid(fmt.Sprintf("lines[%d]", parseErr.StartLine), "malformed CSV: "+parseErr.Err.Error())
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := r.FieldPos(0)
		if len(rows) == MaxImportRows {
			return nil, nil, errs.Invalid("body", fmt.Sprintf("at most %d rows per import", MaxImportRows))
		}
		rows = append(rows, csvRow{line: line, values: values})
	}
	return rows, header, nil
}

// importRow applies one line inside a savepoint, so that a failing line
// leaves the transaction usable for checking the following ones.
func (s *Service) importRow(ctx context.Context, tx bun.Tx, orgID string, header map[string]int, row csvRow, report *ImportReport) error {
	get := func(col string) *string {
		i, ok := header[col]
		if !ok || i >= len(row.values) || strings.TrimSpace(row.values[i]) == "" {
			return nil
		}
		v := strings.TrimSpace(row.values[i])
		return &v
	}
	at := fmt.Sprintf("lines[%d].", row.line)
	var counted ImportReport
	err := tx.RunInTx(ctx, nil, func(ctx context.Context, sp bun.Tx) error {
		studentID, created, err := s.importStudent(ctx, sp, orgID, get, at)
		if err != nil {
			return err
		}
		if created {
			counted.StudentsCreated++
		} else {
			counted.StudentsUpdated++
		}
		enrolled, err := s.importEnrollment(ctx, sp, orgID, studentID, get, at)
		if enrolled {
			counted.EnrollmentsCreated++
		}
		return err
	})
	var invalid *errs.ValidationError
	var conflict = errors.Is(err, errs.ErrConflict)
	switch {
	case err == nil:
		report.StudentsCreated += counted.StudentsCreated
		report.StudentsUpdated += counted.StudentsUpdated
		report.EnrollmentsCreated += counted.EnrollmentsCreated
	case errors.As(err, &invalid):
		report.Errors = append(report.Errors, invalid.Fields...)
	case conflict:
		report.Errors = append(report.Errors, errs.FieldError{Location: at + "external_id", Message: errs.Message(err)})
	default:
		return err
	}
	return nil
}

func (s *Service) importStudent(ctx context.Context, tx bun.IDB, orgID string, get func(string) *string, at string) (string, bool, error) {
	name := get("full_name")
	if name == nil {
		return "", false, errs.Invalid(at+"full_name", "is required")
	}
	if email := get("email"); email != nil {
		if _, err := mail.ParseAddress(*email); err != nil {
			return "", false, errs.Invalid(at+"email", "is not an email address")
		}
	}
	in := StudentInput{FullName: *name, Email: get("email"), Telegram: get("telegram"), Phone: get("phone"), BirthDate: get("birth_date")}
	if ext := get("external_id"); ext != nil {
		src := sourceOr(deref(get("source")))
		in.External = External{Source: &src, ExternalID: ext}
		existing, err := s.store.StudentByExternalID(ctx, tx, orgID, src, *ext)
		if err == nil {
			_, err = s.applyStudent(ctx, tx, database.Loaded(existing), existing.Version, in)
			return existing.ID, false, err
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return "", false, err
		}
	}
	st, err := s.newStudent(orgID, in, at)
	if err != nil {
		return "", false, err
	}
	return st.ID, true, s.insertStudent(ctx, tx, st)
}

func (s *Service) importEnrollment(ctx context.Context, tx bun.IDB, orgID, studentID string, get func(string) *string, at string) (bool, error) {
	cohortID := get("cohort_id")
	if ext := get("cohort_external_id"); ext != nil && cohortID == nil {
		c, err := s.store.CohortByExternalID(ctx, tx, orgID, sourceOr(deref(get("source"))), *ext)
		if err != nil {
			return false, unknownRef(err, at+"cohort_external_id", "no cohort with this external id")
		}
		cohortID = &c.ID
	}
	if cohortID == nil {
		return false, nil
	}
	existing, err := s.store.ListEnrollments(ctx, tx, orgID, EnrollmentFilter{StudentID: studentID, CohortID: *cohortID})
	if err != nil || len(existing) > 0 {
		return false, err
	}
	curatorID, err := s.curatorByEmail(ctx, orgID, get("curator_email"))
	if err != nil {
		var invalid *errs.ValidationError
		if errors.As(err, &invalid) {
			return false, errs.Invalid(at+"curator_email", invalid.Fields[0].Message)
		}
		return false, err
	}
	_, err = s.createEnrollment(ctx, tx, orgID, EnrollmentInput{StudentID: studentID, CohortID: *cohortID, Tariff: deref(get("tariff")), CuratorID: curatorID}, at)
	return err == nil, err
}
