package console

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/school"
)

// --- students: CSV import with progress -------------------------------------------

// The import form sends the file as multipart; its size is bounded by the
// server's body limit, the same middleware that bounds import-students'
// CSV body (a larger request is refused with 413 before any handler reads
// it). The service reads the whole file into memory, as the API does.

// importView is the import page: the form, and after a job the report.
type importView struct {
	Field, Error string // a refused form: the field and the message key
	DryRun       bool   // the box as it was ticked
	Report       *importReport
	Columns      string // the columns the service understands
}

// importReport is the API's ImportReportDTO as shown: the same counts, and
// each refused row with its line, column and message.
type importReport struct {
	Status                                                  int
	File                                                    string
	DryRun, Applied                                         bool
	Rows, StudentsCreated, StudentsUpdated, EnrollmentsMade int
	Done, Total                                             int // the job's progress at its end
	Errors                                                  []importError
}

type importError struct {
	Location, Line, Column, Message string
}

// render fills what every import page shows.
func (v importView) render(r *request, status int) error {
	v.Columns = strings.Join(school.ImportColumns, ", ")
	return r.render(status, "import", v)
}

// importForm is the form of import-students, to whoever holds
// students:import.
func (c *Console) importForm(r *request) error {
	return importView{}.render(r, http.StatusOK)
}

// importStudents reads the form's file and starts the import as a job: the
// service's ImportStudents, in its one transaction with its audit entries,
// as the request's person. The job page shows the rows checked as they
// go, then the report.
func (c *Console) importStudents(r *request) error {
	dryRun := r.FormValue("dry_run") == "1"
	again := func(field string) error {
		return importView{Field: field, Error: "import.no_file", DryRun: dryRun}.render(r, http.StatusUnprocessableEntity)
	}
	file, header, err := r.Request().FormFile("file")
	if err != nil {
		return again("file")
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		// The body limit cut the upload short: the API's 413.
		return &pageError{status: http.StatusRequestEntityTooLarge, key: "error.too_large"}
	}
	if len(data) == 0 {
		return again("file")
	}
	name := header.Filename
	orgID := r.org.ID
	return c.startJobShowing(r, "import", "/students/import", func(ctx context.Context) (func(*request, int, int) error, error) {
		rep, err := c.d.School.ImportStudents(ctx, orgID, data, dryRun)
		var refused *errs.ValidationError
		if errors.As(err, &refused) {
			// The file as a whole is wrong (no header, an unknown column,
			// malformed CSV): the API's 422 problem, its errors by line.
			out := &importReport{Status: http.StatusUnprocessableEntity, File: name, DryRun: dryRun}
			for _, f := range refused.Fields {
				out.Errors = append(out.Errors, importErrorOf(f))
			}
			return showImport(out), nil
		}
		if err != nil {
			return nil, err
		}
		out := &importReport{Status: http.StatusOK, File: name, DryRun: rep.DryRun, Applied: !rep.DryRun && len(rep.Errors) == 0,
			Rows: rep.Rows, StudentsCreated: rep.StudentsCreated, StudentsUpdated: rep.StudentsUpdated, EnrollmentsMade: rep.EnrollmentsCreated}
		for _, f := range rep.Errors {
			out.Errors = append(out.Errors, importErrorOf(f))
		}
		if !rep.DryRun && len(rep.Errors) > 0 {
			out.Status = http.StatusUnprocessableEntity // nothing written, as the API answers
		}
		return showImport(out), nil
	})
}

// showImport renders the report on the job's page, with the form again
// (to import for real after a dry run, or a corrected file).
func showImport(rep *importReport) func(*request, int, int) error {
	return func(r *request, done, total int) error {
		shown := *rep
		shown.Done, shown.Total = done, total
		return importView{Report: &shown, DryRun: rep.DryRun}.render(r, rep.Status)
	}
}

// importLocation is how the service names a place in the file:
// rows[N].column, N the file's line (the header is line 1).
var importLocation = regexp.MustCompile(`^rows\[(\d+)\](?:\.(.+))?$`)

func importErrorOf(f errs.FieldError) importError {
	e := importError{Location: f.Location, Message: f.Message, Line: "—", Column: "—"}
	if m := importLocation.FindStringSubmatch(f.Location); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			e.Line = strconv.Itoa(n)
		}
		if m[2] != "" {
			e.Column = m[2]
		}
	} else if f.Location != "" {
		e.Column = strings.TrimPrefix(f.Location, "body.")
	}
	return e
}
