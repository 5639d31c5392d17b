package httpapi

import (
	"fmt"

	"github.com/danielgtaylor/huma/v2"
)

// CSVFile is the output of a CSV download: the bytes with their type and
// the file name a browser saves them under.
type CSVFile struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// NewCSVFile is a UTF-8 CSV download saved as name.
func NewCSVFile(name string, body []byte) *CSVFile {
	return &CSVFile{
		ContentType:        "text/csv; charset=utf-8",
		ContentDisposition: fmt.Sprintf("attachment; filename=%q", name),
		Body:               body,
	}
}

// CSVResponses declares an operation's CSV answer: text/csv, a string
// schema and an example (at least the header row), so that clients and
// the contract check know what the bytes are.
func CSVResponses(example string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {
		Description: "CSV, UTF-8, comma-separated, header row first.",
		Content: map[string]*huma.MediaType{"text/csv": {
			Schema:  &huma.Schema{Type: huma.TypeString},
			Example: example,
		}},
	}}
}
