package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

func TestCursorRoundTripAndRejectsGarbage(t *testing.T) {
	c := EncodeCursor("01a2", "x")
	keys, err := DecodeCursor(c, 2)
	if err != nil || strings.Join(keys, "|") != "01a2|x" {
		t.Fatalf("round trip gave %v %v", keys, err)
	}
	if keys, err := DecodeCursor("", 1); keys != nil || err != nil {
		t.Fatalf("empty cursor is the first page, got %v %v", keys, err)
	}
	for _, bad := range []string{"!!", EncodeCursor("only-one"), "bm90IGpzb24", EncodeCursor("a\x00b", "x")} {
		var ve *errs.ValidationError
		if _, err := DecodeCursor(bad, 2); !errors.As(err, &ve) || ve.Fields[0].Location != "query.cursor" {
			t.Errorf("%q: want a validation error on query.cursor, got %v", bad, err)
		}
	}
}

func TestAfterIDAcceptsOnlyAnIDKey(t *testing.T) {
	const id = "01936b2e-7c4a-7d3e-8f10-2a3b4c5d6e7f"
	if after, err := AfterID(EncodeCursor(id)); after != id || err != nil {
		t.Fatalf("an id cursor gave %q %v", after, err)
	}
	if after, err := AfterID(""); after != "" || err != nil {
		t.Fatalf("empty cursor is the first page, got %q %v", after, err)
	}
	for _, bad := range []string{EncodeCursor("not-a-uuid"), EncodeCursor("it's"), EncodeCursor(id[:35] + "'"),
		EncodeCursor("{" + id + "}"), EncodeCursor(" " + id), EncodeCursor(""), EncodeCursor(id, id), "!!"} {
		var ve *errs.ValidationError
		if after, err := AfterID(bad); !errors.As(err, &ve) || ve.Fields[0].Location != "query.cursor" || after != "" {
			t.Errorf("%q: want a validation error on query.cursor, got %q %v", bad, after, err)
		}
	}
}

func TestAfterTimeIDAcceptsOnlyATimeAndAnID(t *testing.T) {
	const id, at = "01936b2e-7c4a-7d3e-8f10-2a3b4c5d6e7f", "2026-03-02T08:00:00.123456Z"
	keys, err := AfterTimeID(EncodeCursor(at, id))
	if err != nil || strings.Join(keys, "|") != at+"|"+id {
		t.Fatalf("a time and id cursor gave %v %v", keys, err)
	}
	if keys, err := AfterTimeID(""); keys != nil || err != nil {
		t.Fatalf("empty cursor is the first page, got %v %v", keys, err)
	}
	for _, bad := range []string{EncodeCursor(at, "not-a-uuid"), EncodeCursor(at, "it's"), EncodeCursor("yesterday", id),
		EncodeCursor(id, at), EncodeCursor(id), EncodeCursor("2026-03-02", id)} {
		var ve *errs.ValidationError
		if keys, err := AfterTimeID(bad); !errors.As(err, &ve) || ve.Fields[0].Location != "query.cursor" || keys != nil {
			t.Errorf("%q: want a validation error on query.cursor, got %v %v", bad, keys, err)
		}
	}
}

func TestNewPageCutsOneExtraRowIntoACursor(t *testing.T) {
	rows := []int{5, 4, 3}
	page := NewPage(rows, 2, func(i int) int { return i * 10 }, func(i int) []string { return []string{string(rune('0' + i))} })
	if len(page.Items) != 2 || page.Items[1] != 40 || page.NextCursor != EncodeCursor("4") {
		t.Fatalf("page %+v", page)
	}
	last := NewPage(rows[:2], 2, func(i int) int { return i }, func(int) []string { return nil })
	if last.NextCursor != "" || len(last.Items) != 2 {
		t.Fatalf("last page %+v", last)
	}
}

func TestIfMatch(t *testing.T) {
	cases := []struct {
		header string
		want   int64
		kind   error
	}{
		{`"3"`, 3, nil},
		{`W/"12"`, 12, nil},
		{"", 0, errs.ErrPreconditionRequired},
	}
	for _, c := range cases {
		v, err := IfMatch{IfMatch: c.header}.Version()
		if v != c.want || !errors.Is(err, c.kind) && !(err == nil && c.kind == nil) {
			t.Errorf("%q: got %d %v", c.header, v, err)
		}
	}
	for _, bad := range []string{`"abc"`, `"0"`, `"-1"`} {
		var ve *errs.ValidationError
		if _, err := (IfMatch{IfMatch: bad}).Version(); !errors.As(err, &ve) {
			t.Errorf("%q: want a validation error, got %v", bad, err)
		}
	}
}

func TestServiceErrorsMapToStatuses(t *testing.T) {
	cases := []struct {
		err    error
		status int
	}{
		{errs.NotFound("user"), http.StatusNotFound},
		{errs.Conflict("taken"), http.StatusConflict},
		{errs.Stale("row", 2), http.StatusPreconditionFailed},
		{errs.Invalid("body.x", "bad"), http.StatusUnprocessableEntity},
		{&errs.RateLimitedError{RetryAfter: 1500000000}, http.StatusTooManyRequests},
		{errs.ErrForbidden, http.StatusForbidden},
	}
	for _, c := range cases {
		var se huma.StatusError
		if !errors.As(toProblem(c.err), &se) || se.GetStatus() != c.status {
			t.Errorf("%v: want status %d", c.err, c.status)
		}
	}
	plain := errors.New("driver exploded")
	if toProblem(plain) != plain {
		t.Error("an unknown error must pass through to become a scrubbed 500")
	}
}

func TestRegisterRefusesOperationsWithoutAccessRules(t *testing.T) {
	handler := func(context.Context, *struct{}) (*struct{}, error) { return nil, nil }
	cases := map[string]struct {
		access Access
		op     huma.Operation
	}{
		"no access rule":        {Access{}, huma.Operation{OperationID: "x", Method: "GET", Path: "/x", Summary: "s", Description: "d", Tags: []string{"t"}}},
		"camelCase id":          {Public(), huma.Operation{OperationID: "getX", Method: "GET", Path: "/x", Summary: "s", Description: "d", Tags: []string{"t"}}},
		"no tag":                {Public(), huma.Operation{OperationID: "get-x", Method: "GET", Path: "/x", Summary: "s"}},
		"org rule, flat path":   {OrgPermission("x", "read"), huma.Operation{OperationID: "get-x", Method: "GET", Path: "/v1/x", Summary: "s", Description: "d", Tags: []string{"t"}}},
		"org path, no org rule": {SignedIn(), huma.Operation{OperationID: "get-x", Method: "GET", Path: "/v1/orgs/{org}/x", Summary: "s", Description: "d", Tags: []string{"t"}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, api := humatest.New(t)
			DefineTag(api, "t", "Things.")
			defer func() {
				if recover() == nil {
					t.Fatal("Register accepted the operation")
				}
			}()
			Register(api, c.access, c.op, handler)
		})
	}
	_, api := humatest.New(t)
	DefineTag(api, "t", "Things.")
	Register(api, OrgPermission("audit", "read"), huma.Operation{OperationID: "list-x", Method: "GET", Path: "/v1/orgs/{org}/x", Summary: "s", Description: "d", Tags: []string{"t"}},
		func(context.Context, *struct {
			Org string `path:"org"`
		}) (*struct{}, error) {
			return nil, nil
		})
	op := api.OpenAPI().Paths["/v1/orgs/{org}/x"].Get
	if op.Extensions["x-permission"] != "audit:read" {
		t.Fatalf("x-permission %v", op.Extensions["x-permission"])
	}
	if _, ok := op.Responses["403"]; !ok {
		t.Fatal("403 is not documented")
	}
}
