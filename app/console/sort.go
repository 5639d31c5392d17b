package console

import (
	"cmp"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Sorting of tables. A table that holds its whole list in memory before
// onePage cuts it declares its sortable columns; the header links
// ?sort=<key>&dir=asc|desc (keeping the page's other parameters, and
// starting the paging over), marks the sorted column with aria-sort and a
// visible arrow, and an unknown key or direction answers 422 like any
// other bad query input. Lists paged by a service's keyset cursor are
// sorted by the service and are not declared here: the console would
// otherwise sort one page, not the list.

const (
	sortAsc  = "asc"
	sortDesc = "desc"
)

// sortColumn is one sortable column: its key in the address, how two rows
// compare on it (ascending), and whether its first click sorts descending
// (counts and money: the most first).
type sortColumn[T any] struct {
	key       string
	compare   func(a, b T) int
	firstDesc bool
}

// sortTable declares a table's sortable columns.
type sortTable[T any] struct {
	// param names the table's query parameters: "" for sort and dir, else
	// <param>_sort and <param>_dir, for a second table on the same page.
	param string
	cols  []sortColumn[T]
	// def is the column sorted by when the address names none, and
	// defDesc its direction; "" keeps the service's order.
	def     string
	defDesc bool
	// id breaks ties, so that the order (and a page's cursor) is the same
	// on every request.
	id func(T) string
}

// sortView is what a sortable table's template receives: it writes the
// header cells and the next page's link.
type sortView struct {
	key, dir    string
	sortP, dirP string
	first       map[string]string // each column's first direction
	query       url.Values        // the request's query, without the cursor
}

func (t sortTable[T]) params() (string, string) {
	if t.param == "" {
		return "sort", "dir"
	}
	return t.param + "_sort", t.param + "_dir"
}

// sortRows sorts rows, in place and stably, as the request's query asks,
// and gives the view for the table's header. A key that is not one of the
// table's columns, or a direction other than asc and desc, is bad input.
func sortRows[T any](r *request, rows []T, t sortTable[T]) (*sortView, error) {
	sp, dp := t.params()
	v := &sortView{sortP: sp, dirP: dp, first: map[string]string{}, query: url.Values{}}
	// The cursor belongs to the order it was made in, and "done" is the
	// one-time note of a form's answer: neither goes into the links.
	for k, vals := range r.QueryParams() {
		if k != "cursor" && k != "done" {
			v.query[k] = vals
		}
	}
	byKey := map[string]sortColumn[T]{}
	for _, c := range t.cols {
		byKey[c.key] = c
		v.first[c.key] = sortAsc
		if c.firstDesc {
			v.first[c.key] = sortDesc
		}
	}
	key, dir := r.QueryParam(sp), r.QueryParam(dp)
	if key == "" {
		key = t.def
	} else if _, ok := byKey[key]; !ok {
		return nil, badInput(sp)
	}
	switch {
	case dir != "" && dir != sortAsc && dir != sortDesc:
		return nil, badInput(dp)
	case dir == "" && r.QueryParam(sp) == "" && t.defDesc:
		dir = sortDesc
	case dir == "" && key != "":
		dir = v.first[key]
	}
	v.key, v.dir = key, dir
	col, ok := byKey[key]
	if !ok {
		// No column asked and none by default: the service's order.
		return v, nil
	}
	slices.SortStableFunc(rows, func(a, b T) int {
		c := col.compare(a, b)
		if dir == sortDesc {
			c = -c
		}
		if c == 0 && t.id != nil {
			c = strings.Compare(t.id(a), t.id(b))
		}
		return c
	})
	return v, nil
}

// Th is the header cell of column key: a link that sorts by it (the other
// way when it is the sorted column), with aria-sort and an arrow on the
// sorted one. class is added to the cell ("num" for figures).
func (v *sortView) Th(key, label, class string) template.HTML {
	next := v.first[key]
	aria, arrow := "", ""
	if key == v.key {
		if v.dir == sortAsc {
			next, aria, arrow = sortDesc, "ascending", "▲"
		} else {
			next, aria, arrow = sortAsc, "descending", "▼"
		}
	}
	q := url.Values{}
	for k, vals := range v.query {
		q[k] = vals
	}
	q.Set(v.sortP, key)
	q.Set(v.dirP, next)
	var b strings.Builder
	b.WriteString(`<th scope="col"`)
	if class != "" {
		b.WriteString(` class="` + template.HTMLEscapeString(class) + `"`)
	}
	if aria != "" {
		b.WriteString(` aria-sort="` + aria + `"`)
	}
	b.WriteString(` data-sort="` + template.HTMLEscapeString(key) + `"><a href="?` + template.HTMLEscapeString(q.Encode()) + `">`)
	b.WriteString(template.HTMLEscapeString(label))
	if arrow != "" {
		b.WriteString(`<span class="arrow" aria-hidden="true"> ` + arrow + `</span>`)
	}
	b.WriteString(`</a></th>`)
	return template.HTML(b.String()) //nolint:gosec // every text in it is escaped above
}

// Next is the address of the page after cursor, in the same order and with
// the page's other parameters.
func (v *sortView) Next(cursor string) string {
	q := url.Values{}
	for k, vals := range v.query {
		q[k] = vals
	}
	q.Set("cursor", cursor)
	return "?" + q.Encode()
}

// byText compares names in the language's alphabetical order, ignoring
// case (Ё after Е in Russian, not after Я as bytes would have it).
func byText(l *locale) func(a, b string) int {
	c := collate.New(language.Make(l.Lang), collate.IgnoreCase)
	return c.CompareString
}

// byNumber compares figures as numbers.
func byNumber[N cmp.Ordered](a, b N) int { return cmp.Compare(a, b) }

// byOptional compares figures that may be missing (a dash): a missing one
// sorts as the lowest, so it comes last when the most come first.
func byOptional[N cmp.Ordered](a, b *N) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// pageAfter pages a list held in memory and already in its order: the rows
// after the one whose id is after ("" for the first page), cut to a page,
// and the next page's cursor (the last row's id). A cursor naming a row
// that is no longer in the list (a recalculation dropped it) starts over.
func pageAfter[T any](rows []T, after string, id func(T) string) ([]T, string) {
	if after != "" {
		if i := slices.IndexFunc(rows, func(row T) bool { return id(row) == after }); i >= 0 {
			rows = rows[i+1:]
		}
	}
	// onePage expects one row more than a page when there is a next page.
	return onePage(rows[:min(len(rows), pageSize+1)], func(last T) string { return id(last) })
}
