package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// PageQuery is embedded (exported, so huma sees its fields) in every list
// input.
type PageQuery struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Items per page."`
	Cursor string `query:"cursor" maxLength:"512" doc:"Opaque cursor from a previous page's next_cursor."`
}

// Page is the body of every list response.
type Page[T any] struct {
	Items      []T    `json:"items" nullable:"false"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

// EncodeCursor packs the sort key of the last item of a page. Cursors are
// opaque to clients; their content may change between versions.
func EncodeCursor(keys ...string) string {
	b, _ := json.Marshal(keys)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor unpacks a cursor made by EncodeCursor with n keys. An empty
// cursor returns nil: the first page.
func DecodeCursor(cursor string, n int) ([]string, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := badCursor()
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var keys []string
	if err := json.Unmarshal(b, &keys); err != nil || len(keys) != n {
		return nil, bad
	}
	// A cursor is decoded after the input check, so its keys are checked
	// here: a forged one must not carry a control character into a query.
	for _, k := range keys {
		if !utf8.ValidString(k) || strings.IndexFunc(k, unicode.IsControl) >= 0 {
			return nil, bad
		}
	}
	return keys, nil
}

// AfterKey decodes a one-key cursor (the id or slug of the last item of the
// previous page); an empty cursor gives "": the first page.
func AfterKey(cursor string) (string, error) {
	keys, err := DecodeCursor(cursor, 1)
	if err != nil || len(keys) == 0 {
		return "", err
	}
	return keys[0], nil
}

// AfterID decodes a one-key cursor whose key is a row id. Ids are uuid
// columns on PostgreSQL, where comparing one with a text that is not a uuid
// fails the whole query; a forged cursor is refused here instead, before it
// reaches "id > ?". An empty cursor gives "": the first page.
func AfterID(cursor string) (string, error) {
	keys, err := DecodeCursor(cursor, 1)
	if err != nil || keys == nil {
		return "", err
	}
	if !ids.Valid(keys[0]) {
		return "", badCursor()
	}
	return keys[0], nil
}

// AfterTimeID decodes a two-key cursor of a list ordered by a time and then
// by id: the time in RFC 3339 and the id of the last item seen, both checked
// for the reason AfterID gives. An empty cursor gives nil: the first page.
func AfterTimeID(cursor string) ([]string, error) {
	keys, err := DecodeCursor(cursor, 2)
	if err != nil || keys == nil {
		return nil, err
	}
	if _, err := time.Parse(time.RFC3339Nano, keys[0]); err != nil || !ids.Valid(keys[1]) {
		return nil, badCursor()
	}
	return keys, nil
}

func badCursor() error {
	return errs.Invalid("query.cursor", "malformed cursor; pass next_cursor from a previous page unchanged")
}

// NewPage cuts rows (fetched with limit+1) to one page and computes the next
// cursor from the last item kept.
func NewPage[R, T any](rows []R, limit int, convert func(R) T, key func(R) []string) Page[T] {
	page := Page[T]{Items: make([]T, 0, min(len(rows), limit))}
	if len(rows) > limit {
		rows = rows[:limit]
		page.NextCursor = EncodeCursor(key(rows[len(rows)-1])...)
	}
	for _, r := range rows {
		page.Items = append(page.Items, convert(r))
	}
	return page
}
