package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// testRequest is a console request for query, in language lang, as a
// handler sees it after admission.
func testRequest(method, target, lang string) (*request, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	ec := echo.New().NewContext(req, rec)
	return &request{Context: ec, L: localeFor(req), ctx: req.Context()}, rec
}

type sortRow struct {
	id, name string
	n        int
	opt      *int
}

func sortRowsTable() sortTable[sortRow] {
	return sortTable[sortRow]{
		cols: []sortColumn[sortRow]{
			{key: "name", compare: func(a, b sortRow) int { return byText(&locale{Lang: "ru"})(a.name, b.name) }},
			{key: "n", compare: func(a, b sortRow) int { return byNumber(a.n, b.n) }, firstDesc: true},
			{key: "opt", compare: func(a, b sortRow) int { return byOptional(a.opt, b.opt) }, firstDesc: true},
		},
		id: func(r sortRow) string { return r.id },
	}
}

func rowIDs(rows []sortRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.id)
	}
	return strings.Join(out, " ")
}

// TestSortRows: numbers sort as numbers, names in the language's order
// ignoring case, ties by id whatever the direction, a missing figure as
// the lowest; no column asked keeps the given order; an unknown column or
// direction is bad input naming the parameter.
func TestSortRows(t *testing.T) {
	two, ten := 2, 10
	rows := func() []sortRow {
		return []sortRow{{"e", "Жук", 10, nil}, {"b", "ёж", 2, &ten}, {"d", "ель", 2, &two}, {"a", "алла", 10, nil}, {"c", "Борис", 30, &two}}
	}
	for _, c := range []struct{ query, want string }{
		{"", "e b d a c"},
		{"?sort=n&dir=asc", "b d a e c"},
		{"?sort=n&dir=desc", "c a e b d"},
		{"?sort=n", "c a e b d"},    // a count's first direction: the most first
		{"?sort=name", "a c b d e"}, // ёж before ель and Жук: ё is е with a diacritic, not a letter after я
		{"?sort=name&dir=desc", "e d b c a"},
		{"?sort=opt", "b c d a e"},
		{"?sort=opt&dir=asc", "a e c d b"},
	} {
		r, _ := testRequest(http.MethodGet, "/x"+c.query, "ru")
		got := rows()
		if _, err := sortRows(r, got, sortRowsTable()); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if rowIDs(got) != c.want {
			t.Errorf("%s: %s, want %s", c.query, rowIDs(got), c.want)
		}
	}
	for query, param := range map[string]string{"?sort=salary": "sort", "?sort=n&dir=up": "dir", "?dir=sideways": "dir", "?sort=N": "sort"} {
		r, _ := testRequest(http.MethodGet, "/x"+query, "ru")
		_, err := sortRows(r, rows(), sortRowsTable())
		var pe *pageError
		if !errors.As(err, &pe) || pe.status != http.StatusUnprocessableEntity || pe.detail != param {
			t.Errorf("%s: %v, want 422 naming %s", query, err, param)
		}
	}
	// A second table of the page reads its own parameters.
	tbl := sortRowsTable()
	tbl.param, tbl.def, tbl.defDesc = "curator", "n", true
	r, _ := testRequest(http.MethodGet, "/x?sort=salary&curator_sort=name", "ru")
	got := rows()
	if _, err := sortRows(r, got, tbl); err != nil || rowIDs(got) != "a c b d e" {
		t.Errorf("curator_sort=name: %s, %v", rowIDs(got), err)
	}
	r, _ = testRequest(http.MethodGet, "/x", "ru")
	got = rows()
	if _, err := sortRows(r, got, tbl); err != nil || rowIDs(got) != "c a e b d" {
		t.Errorf("the table's default: %s, %v", rowIDs(got), err)
	}
}

// TestSortHeader: the sorted column carries aria-sort and an arrow, its
// link turns the order round; another column's link sorts by it in its
// first direction; the links keep the page's parameters but not the
// cursor (paging starts over) or the one-time note.
func TestSortHeader(t *testing.T) {
	r, _ := testRequest(http.MethodGet, "/x?sort=n&dir=desc&from=2026-01-01&cursor=abc&done=export", "ru")
	v, err := sortRows(r, []sortRow{}, sortRowsTable())
	if err != nil {
		t.Fatal(err)
	}
	n := string(v.Th("n", "Число <b>", "num"))
	want := `<th scope="col" class="num" aria-sort="descending" data-sort="n"><a href="?dir=asc&amp;from=2026-01-01&amp;sort=n">Число &lt;b&gt;<span class="arrow" aria-hidden="true"> ▼</span></a></th>`
	if n != want {
		t.Errorf("the sorted column's header:\n%s\nwant\n%s", n, want)
	}
	name := string(v.Th("name", "Имя", ""))
	if strings.Contains(name, "aria-sort") || strings.Contains(name, "▼") || !strings.Contains(name, `href="?dir=asc&amp;from=2026-01-01&amp;sort=name"`) {
		t.Errorf("another column's header: %s", name)
	}
	if got := v.Next("CUR"); got != "?cursor=CUR&dir=desc&from=2026-01-01&sort=n" {
		t.Errorf("next page: %s", got)
	}
}

// TestPageAfter: a sorted list held in memory pages by the last row's id,
// the pages together being the whole list; a cursor whose row is gone
// starts over.
func TestPageAfter(t *testing.T) {
	var rows []sortRow
	for i := range 2*pageSize + 3 {
		rows = append(rows, sortRow{id: fmt.Sprintf("id%03d", i), n: i % 7})
	}
	r, _ := testRequest(http.MethodGet, "/x?sort=n", "en")
	if _, err := sortRows(r, rows, sortRowsTable()); err != nil {
		t.Fatal(err)
	}
	var all []sortRow
	after, pages := "", 0
	for {
		page, next := pageAfter(rows, after, func(r sortRow) string { return r.id })
		all, pages = append(all, page...), pages+1
		if len(page) > pageSize {
			t.Fatalf("a page of %d rows", len(page))
		}
		if next == "" {
			break
		}
		after = next
	}
	if pages != 3 || rowIDs(all) != rowIDs(rows) {
		t.Errorf("%d pages: %s\nwant %s", pages, rowIDs(all), rowIDs(rows))
	}
	if page, _ := pageAfter(rows, "gone", func(r sortRow) string { return r.id }); !slices.Equal(page, rows[:pageSize]) {
		t.Error("a cursor whose row is gone should start over")
	}
}
