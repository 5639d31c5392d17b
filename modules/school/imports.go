package school

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/progress"
	"github.com/curatorops/curatorops/modules/platform/validate"
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
	Errors             []errs.FieldError // locations as rows[N].column, N the file's line number
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
		for i, row := range rows {
			if err := s.importRow(ctx, tx, orgID, header, row, report); err != nil {
				return err
			}
			progress.Report(ctx, i+1, len(rows))
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
			return nil, nil, errs.Invalid(fmt.Sprintf("rows[1].%s", columnName(name, i)), "unknown column; known: "+strings.Join(ImportColumns, ", "))
		}
		header[name] = i
	}
	if _, ok := header["full_name"]; !ok {
		return nil, nil, errs.Invalid("rows[1]", "the full_name column is required")
	}
	var rows []csvRow
	for {
		values, err := r.Read()
		if err == io.EOF {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			return nil, nil, errs.Invalid(fmt.Sprintf("rows[%d]", parseErr.StartLine), "malformed CSV: "+parseErr.Err.Error())
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

// columnName is how an unknown column is named in the report: by its header
// when that is a plain word, else by its position, so that the report never
// carries what the file held.
func columnName(header string, index int) string {
	if plainColumn.MatchString(header) {
		return header
	}
	return fmt.Sprintf("column_%d", index+1)
}

var plainColumn = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

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
	from := fromRow(row.line)
	var counted ImportReport
	err := tx.RunInTx(ctx, nil, func(ctx context.Context, sp bun.Tx) error {
		studentID, created, err := s.importStudent(ctx, sp, orgID, get, from)
		if err != nil {
			return err
		}
		if created {
			counted.StudentsCreated++
		} else {
			counted.StudentsUpdated++
		}
		enrolled, err := s.importEnrollment(ctx, sp, orgID, studentID, get, from)
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
		report.Errors = append(report.Errors, errs.FieldError{Location: from.at("external_id"), Message: errs.Message(err)})
	default:
		return err
	}
	return nil
}

// importStudent creates the line's student or, when its external id is
// known, updates that student; it answers the student's id and whether it
// was created. The line is checked by the same rules as the API's.
func (s *Service) importStudent(ctx context.Context, tx bun.IDB, orgID string, get func(string) *string, from origin) (string, bool, error) {
	in := StudentInput{FullName: deref(get("full_name")), Email: get("email"), Telegram: get("telegram"), Phone: get("phone"), BirthDate: get("birth_date")}
	if ext := get("external_id"); ext != nil {
		src := sourceOr(deref(get("source")))
		in.External = External{Source: &src, ExternalID: ext}
	}
	if err := s.checkStudent(in, from); err != nil {
		return "", false, err
	}
	if in.ExternalID != nil {
		existing, err := s.store.StudentByExternalID(ctx, tx, orgID, *in.Source, *in.ExternalID)
		if err == nil {
			_, err = s.applyStudent(ctx, tx, database.Loaded(existing), existing.Version, in)
			return existing.ID, false, err
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return "", false, err
		}
	}
	st := s.newStudent(orgID, in)
	return st.ID, true, s.insertStudent(ctx, tx, st)
}

// importEnrollment enrolls the line's student in the line's cohort, once.
func (s *Service) importEnrollment(ctx context.Context, tx bun.IDB, orgID, studentID string, get func(string) *string, from origin) (bool, error) {
	cohortID := get("cohort_id")
	if cohortID != nil && !ids.Valid(*cohortID) {
		return false, errs.Invalid(from.at("cohort_id"), "must be a UUID")
	}
	if ext := get("cohort_external_id"); ext != nil && cohortID == nil {
		src := sourceOr(deref(get("source")))
		for _, f := range [][2]string{{"source", src}, {"cohort_external_id", *ext}} {
			if !validate.IsSingleLine(f[1]) {
				return false, errs.Invalid(from.at(f[0]), "must be valid UTF-8 without control characters")
			}
		}
		c, err := s.store.CohortByExternalID(ctx, tx, orgID, src, *ext)
		if err != nil {
			return false, unknownRef(err, from.at("cohort_external_id"), "no cohort with this external id")
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
	curatorID, err := s.curatorByEmail(ctx, orgID, get("curator_email"), from)
	if err != nil {
		return false, err
	}
	_, err = s.createEnrollment(ctx, tx, orgID, EnrollmentInput{StudentID: studentID, CohortID: *cohortID, Tariff: deref(get("tariff")), CuratorID: curatorID}, from)
	return err == nil, err
}
