// Package xlsxstream writes an XLSX workbook straight to an io.Writer, one
// row at a time: each sheet is compressed into the archive as its rows come,
// and nothing but the current row and the compressor's window is held, so
// the memory an export takes does not depend on how many rows it has.
//
// It exists beside excelize (which the tests use to read every file back)
// because excelize cannot stream a workbook: its stream writer keeps up to
// 16 MB of a sheet's XML in memory (a buffer that grows to 32 MB) before it
// spills to a temporary file, and File.Write builds the whole archive in a
// buffer first. Exporting a payroll of 100,000 lines through it took 154 MB
// of RSS in a process of its own; docs/benchmarks.md has the figures.
//
// A workbook holds what a data export needs and no more: sheets of inline
// strings and integers, no styles, shared strings or formulas. The same
// rows with the same properties always give the same bytes (the archive's
// entries carry no time), so an export's checksum identifies its content.
package xlsxstream

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Props are the workbook's document properties.
type Props struct {
	Title, Creator string
	Created        time.Time // also written as the modification time
}

// Workbook writes its sheets one after another, in the order New was
// given them; Close finishes the file.
type Workbook struct {
	zw     *zip.Writer
	sheets []string
	next   int // sheets started so far
	open   *Sheet
}

// New starts a workbook of the named sheets written to w. The parts that
// describe the workbook come first in the archive, as readers that look
// at the start of a file expect. Names are at most 31 characters without
// : \ / ? * [ ].
func New(w io.Writer, props Props, sheets ...string) (*Workbook, error) {
	if len(sheets) == 0 {
		return nil, errors.New("xlsxstream: a workbook needs a sheet")
	}
	for _, name := range sheets {
		if name == "" || len([]rune(name)) > maxName || strings.ContainsAny(name, `:\/?*[]`) {
			return nil, fmt.Errorf("xlsxstream: sheet name %q is not allowed", name)
		}
	}
	b := &Workbook{zw: zip.NewWriter(w), sheets: sheets}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", b.contentTypes()},
		{"_rels/.rels", `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/>` +
			`<Relationship Id="rId2" Type="` + nsPkgRel + `/metadata/core-properties" Target="docProps/core.xml"/>` +
			`</Relationships>`},
		{"docProps/core.xml", coreProps(props)},
		{"xl/workbook.xml", b.workbook()},
		{"xl/_rels/workbook.xml.rels", b.workbookRels()},
		{"xl/styles.xml", styles},
	}
	for _, p := range parts {
		part, err := b.zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(part, xmlHeader+p.body); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Sheet is one worksheet being written.
type Sheet struct {
	w    *bufio.Writer
	rows int
	err  error
}

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
	maxName   = 31 // characters of a sheet name, as spreadsheet programs allow
)

// Sheet finishes the sheet being written, if any, and starts the next
// one New named.
func (b *Workbook) Sheet() (*Sheet, error) {
	if err := b.finishSheet(); err != nil {
		return nil, err
	}
	if b.next == len(b.sheets) {
		return nil, fmt.Errorf("xlsxstream: the workbook has only %d sheets", len(b.sheets))
	}
	b.next++
	part, err := b.zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", b.next))
	if err != nil {
		return nil, err
	}
	s := &Sheet{w: bufio.NewWriterSize(part, 64<<10)}
	s.write(xmlHeader + `<worksheet xmlns="` + nsMain + `"><sheetData>`)
	b.open = s
	return s, s.err
}

// Row appends a row. A cell is a string (written as text, never read as a
// formula), an int or an int64 (written as a number), or nil (left empty).
func (s *Sheet) Row(cells ...any) error {
	if s.err != nil {
		return s.err
	}
	s.rows++
	r := strconv.Itoa(s.rows)
	s.write(`<row r="` + r + `">`)
	for i, c := range cells {
		ref := column(i) + r
		switch v := c.(type) {
		case nil:
		case string:
			s.write(`<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">`)
			s.text(v)
			s.write(`</t></is></c>`)
		case int:
			s.write(`<c r="` + ref + `"><v>` + strconv.Itoa(v) + `</v></c>`)
		case int64:
			s.write(`<c r="` + ref + `"><v>` + strconv.FormatInt(v, 10) + `</v></c>`)
		default:
			s.err = fmt.Errorf("xlsxstream: cell %s holds a %T; only strings and integers are written", ref, c)
			return s.err
		}
	}
	s.write(`</row>`)
	return s.err
}

func (s *Sheet) write(text string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(text)
	}
}

// text escapes a cell's text; characters XML cannot hold become U+FFFD.
func (s *Sheet) text(v string) {
	if s.err == nil {
		s.err = xml.EscapeText(s.w, []byte(v))
	}
}

func (b *Workbook) finishSheet() error {
	s := b.open
	if s == nil {
		return nil
	}
	b.open = nil
	s.write(`</sheetData></worksheet>`)
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// column names the i-th column (0 → A, 26 → AA).
func column(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// Close finishes the last sheet, leaves any sheet not started empty and
// ends the archive.
func (b *Workbook) Close() error {
	for b.next < len(b.sheets) {
		if _, err := b.Sheet(); err != nil {
			return err
		}
	}
	if err := b.finishSheet(); err != nil {
		return err
	}
	return b.zw.Close()
}

func (b *Workbook) contentTypes() string {
	var sb strings.Builder
	sb.WriteString(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`)
	for i := range b.sheets {
		fmt.Fprintf(&sb, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	sb.WriteString(`</Types>`)
	return sb.String()
}

func (b *Workbook) workbook() string {
	var sb strings.Builder
	sb.WriteString(`<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>`)
	for i, name := range b.sheets {
		fmt.Fprintf(&sb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, escape(name), i+1, i+1)
	}
	sb.WriteString(`</sheets></workbook>`)
	return sb.String()
}

func (b *Workbook) workbookRels() string {
	var sb strings.Builder
	sb.WriteString(`<Relationships xmlns="` + nsPkgRel + `">`)
	for i := range b.sheets {
		fmt.Fprintf(&sb, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, nsRel, i+1)
	}
	fmt.Fprintf(&sb, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>`, len(b.sheets)+1, nsRel)
	sb.WriteString(`</Relationships>`)
	return sb.String()
}

func coreProps(props Props) string {
	at := props.Created.UTC().Format(time.RFC3339)
	return `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + escape(props.Title) + `</dc:title><dc:creator>` + escape(props.Creator) + `</dc:creator>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + at + `</dcterms:created>` +
		`<dcterms:modified xsi:type="dcterms:W3CDTF">` + at + `</dcterms:modified></cp:coreProperties>`
}

func escape(v string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(v))
	return sb.String()
}

// styles is the one default cell format spreadsheet programs expect.
const styles = `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
