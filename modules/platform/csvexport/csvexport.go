// Package csvexport is the one CSV writer of every export. Spreadsheet
// programs run a cell that begins with =, +, -, @, a tab or a carriage return
// as a formula, so a student's name such as "=HYPERLINK(…)" could run in the
// head's spreadsheet; the writer neutralises such cells by prefixing a single
// quote, which spreadsheets show as text (OWASP's advice for CSV injection).
package csvexport

import (
	"encoding/csv"
	"io"
)

// Writer writes rows of an export with every cell neutralised.
type Writer struct {
	w *csv.Writer
}

// NewWriter returns a Writer over w with the given separator (',' for most
// exports, ';' for 1C).
func NewWriter(w io.Writer, comma rune) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma = comma
	return &Writer{w: cw}
}

// Write writes one row.
func (w *Writer) Write(cells ...string) error {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = Neutralise(c)
	}
	return w.w.Write(safe)
}

// Flush writes what is buffered and reports the first error of any write.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Neutralise returns cell as a spreadsheet shows it as text. A plain number
// such as -12.5 stays a number: only cells that a spreadsheet would parse
// as a formula are prefixed.
func Neutralise(cell string) string {
	if cell == "" || !startsFormula(cell[0]) || isNumber(cell) {
		return cell
	}
	return "'" + cell
}

func startsFormula(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// isNumber reports whether cell is a signed decimal such as -12 or +3.50,
// which spreadsheets read as a value, not a formula.
func isNumber(cell string) bool {
	digits, dots := 0, 0
	for i := 1; i < len(cell); i++ {
		switch c := cell[i]; {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && dots == 0:
			dots++
		default:
			return false
		}
	}
	return digits > 0
}
