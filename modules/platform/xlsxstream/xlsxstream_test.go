package xlsxstream_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/curatorops/curatorops/modules/platform/xlsxstream"
)

var props = xlsxstream.Props{Title: "Pay <2026-10>", Creator: "curatorops", Created: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}

// write builds a workbook of three sheets, the last left empty.
func write(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	b, err := xlsxstream.New(&buf, props, "Summary", "Строки", "Control")
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Sheet()
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"name", "total"},
		{"Анна <Иванова> & Co", int64(-123456)},
		{"=HYPERLINK(\"x\")", 7},
		{"tab\there\nline", nil, "after a gap"},
		{"bell\x07", int64(0)},
	}
	for _, r := range rows {
		if err := s.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if s, err = b.Sheet(); err != nil {
		t.Fatal(err)
	}
	wide := make([]any, 30)
	for i := range wide {
		wide[i] = i
	}
	if err := s.Row(wide...); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWorkbookReadsBackWithExcelize(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(write(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Строки,Control" {
		t.Fatalf("sheets %s", got)
	}
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"name", "total"},
		{"Анна <Иванова> & Co", "-123456"},
		{"=HYPERLINK(\"x\")", "7"},
		{"tab\there\nline", "", "after a gap"},
		{"bell\uFFFD", "0"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i+1, rows[i], want[i])
		}
	}
	// Text stays text (a formula is never run) and integers are numbers.
	for cell, kind := range map[string]excelize.CellType{"A3": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset, "B3": excelize.CellTypeUnset} {
		got, err := f.GetCellType("Summary", cell)
		if err != nil || got != kind {
			t.Errorf("%s type %v (%v), want %v", cell, got, err, kind)
		}
	}
	if formula, _ := f.GetCellFormula("Summary", "A3"); formula != "" {
		t.Errorf("A3 has formula %q", formula)
	}
	// The 27th to 30th columns are AA to AD.
	if v, _ := f.GetCellValue("Строки", "AD1"); v != "29" {
		t.Errorf("AD1 = %q, want 29", v)
	}
	if rows, _ := f.GetRows("Control"); len(rows) != 0 {
		t.Errorf("the sheet never started has rows: %q", rows)
	}
	p, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != props.Title || p.Creator != "curatorops" || p.Created != "2026-11-20T09:00:00Z" {
		t.Errorf("properties %+v", p)
	}
}

func TestSameRowsGiveTheSameBytes(t *testing.T) {
	if !bytes.Equal(write(t), write(t)) {
		t.Fatal("two workbooks of the same rows differ")
	}
}

func TestRefusals(t *testing.T) {
	var buf bytes.Buffer
	for _, names := range [][]string{nil, {""}, {"a/b"}, {strings.Repeat("x", 32)}} {
		if _, err := xlsxstream.New(&buf, props, names...); err == nil {
			t.Errorf("sheets %q accepted", names)
		}
	}
	b, err := xlsxstream.New(&buf, props, "One")
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Sheet()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Row(1.5); err == nil || !strings.Contains(err.Error(), "A1 holds a float64") {
		t.Errorf("a float cell: %v", err)
	}
	if err := s.Row("later"); err == nil {
		t.Error("a row after a refused cell was written")
	}
	if _, err := b.Sheet(); err == nil {
		t.Error("a second sheet of a one-sheet workbook was started")
	}
}
