package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

type probeLine struct {
	Label string     `json:"label"`
	At    *time.Time `json:"at,omitempty"`
}

type probeMeta struct {
	Source string `json:"source,omitempty"`
}

type probeInput struct {
	Slug string `path:"slug"`
	PageQuery
	IfMatch
	Status []string `query:"status"`
	Name   string   `query:"name"`
	Body   struct {
		probeMeta
		Title  string            `json:"title"`
		Note   *string           `json:"note,omitempty"`
		Lines  []probeLine       `json:"lines,omitempty"`
		Tags   map[string]string `json:"tags,omitempty"`
		Scores map[string]int    `json:"scores,omitempty"`
		Extra  any               `json:"extra,omitempty"`
		Count  int               `json:"count,omitempty"`
	}
}

// probeAPI registers one operation whose input holds every kind of string
// the check walks, and counts the calls that reach its handler.
func probeAPI(t *testing.T) (humatest.TestAPI, *int) {
	t.Helper()
	_, api := humatest.New(t)
	InstallProblemDetails(nil)
	DefineTag(api, "t", "Things.")
	calls := 0
	Register(api, Public(), huma.Operation{OperationID: "put-probe", Method: http.MethodPut, Path: "/probe/{slug}", Summary: "s", Description: "d", Tags: []string{"t"}},
		func(_ context.Context, in *probeInput) (*struct{}, error) {
			calls++
			if !utf8.ValidString(in.Name) || !utf8.ValidString(in.Body.Title) {
				t.Errorf("invalid UTF-8 reached the handler")
			}
			return nil, nil
		})
	return api, &calls
}

func problemLocations(t *testing.T, body []byte) []string {
	t.Helper()
	var p huma.ErrorModel
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %s", body)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	return out
}

func TestInputCheckNamesEveryBadStringWithoutEchoingIt(t *testing.T) {
	api, calls := probeAPI(t)
	cases := []struct {
		name   string
		path   string
		header string
		body   string
		want   []string
	}{
		{"NUL in a body field", "/probe/ok", "", `{"title":"secret\u0000"}`, []string{"body.title"}},
		{"bell in a list item", "/probe/ok", "", `{"title":"t","lines":[{"label":"fine"},{"label":"secret\u0007"}]}`, []string{"body.lines[1].label"}},
		{"escape in a pointer", "/probe/ok", "", `{"title":"t","note":"secret\u001b[31m"}`, []string{"body.note"}},
		{"C1 control in a promoted field", "/probe/ok", "", `{"title":"t","source":"secret\u0085"}`, []string{"body.source"}},
		{"map value", "/probe/ok", "", `{"title":"t","tags":{"colour":"secret\u0000"}}`, []string{"body.tags.colour"}},
		{"map key", "/probe/ok", "", `{"title":"t","scores":{"secret\u0000":1}}`, []string{"body.scores"}},
		{"inside free-form JSON", "/probe/ok", "", `{"title":"t","extra":{"deep":[1,"secret\u0000"]}}`, []string{"body.extra.deep[1]"}},
		{"NUL in a query parameter", "/probe/ok?name=secret%00", "", `{"title":"t"}`, []string{"query.name"}},
		{"invalid UTF-8 in a query parameter", "/probe/ok?name=secret%FF", "", `{"title":"t"}`, []string{"query.name"}},
		{"tab in a query parameter", "/probe/ok?name=secret%09", "", `{"title":"t"}`, []string{"query.name"}},
		{"line feed in a list query parameter", "/probe/ok?status=a,secret%0A", "", `{"title":"t"}`, []string{"query.status[1]"}},
		{"cursor from an embedded struct", "/probe/ok?cursor=secret%00", "", `{"title":"t"}`, []string{"query.cursor"}},
		{"control character in a header", "/probe/ok", "If-Match: secret\x01", `{"title":"t"}`, []string{"header.If-Match"}},
		{"NUL in a path parameter", "/probe/secret%00", "", `{"title":"t"}`, []string{"path.slug"}},
		{"several at once", "/probe/ok?name=secret%00", "", `{"title":"secret\u0000","lines":[{"label":"secret\u0000"}]}`, []string{"query.name", "body.title", "body.lines[0].label"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := *calls
			args := []any{strings.NewReader(c.body)}
			if c.header != "" {
				args = append([]any{c.header}, args...)
			}
			r := api.Put(c.path, args...)
			if r.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body: %s", r.Code, r.Body)
			}
			if *calls != before {
				t.Fatal("the handler ran on refused input")
			}
			if strings.Contains(r.Body.String(), "secret") {
				t.Fatalf("the refused value is echoed: %s", r.Body)
			}
			got := problemLocations(t, r.Body.Bytes())
			for _, want := range c.want {
				found := false
				for _, g := range got {
					found = found || g == want
				}
				if !found {
					t.Errorf("problem names %v, want %q among them", got, want)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("problem names %v, want exactly %v", got, c.want)
			}
		})
	}
}

func TestInputCheckLetsLongTextAndCleanInputThrough(t *testing.T) {
	api, calls := probeAPI(t)
	for name, body := range map[string]string{
		"plain":                       `{"title":"Домашнее задание 3"}`,
		"tab and line breaks in body": `{"title":"line one\r\nline two\tend","lines":[{"label":"a\nb","at":"2026-03-02T09:00:00Z"}]}`,
		"emoji and scripts":           `{"title":"✓ 日本語 😀","extra":{"n":1,"ok":[true,null,"x"]}}`,
	} {
		before := *calls
		r := api.Put("/probe/ok?name=Ann%20Lee&status=a&status=b", "If-Match: \"3\"", strings.NewReader(body))
		if r.Code != http.StatusNoContent || *calls != before+1 {
			t.Errorf("%s: status %d, handler calls %d; body: %s", name, r.Code, *calls-before, r.Body)
		}
	}
}

func TestInputCheckPlansOnlyTypesWithStrings(t *testing.T) {
	type numbers struct {
		Limit int `query:"limit"`
		Body  struct {
			At    time.Time `json:"at"`
			Count int       `json:"count"`
			Raw   []byte    `json:"raw"`
		}
	}
	if c := newInputCheck(reflect.TypeFor[numbers]()); c != nil {
		t.Errorf("an input without strings needs no check, got %d fields", len(c.fields))
	}
	type recursive struct {
		Body struct {
			Tree *node `json:"tree"`
		}
	}
	c := newInputCheck(reflect.TypeFor[recursive]())
	if c == nil {
		t.Fatal("a recursive body with strings must be checked")
	}
	in := recursive{}
	in.Body.Tree = &node{Name: "root", Children: []*node{{Name: "ok"}, {Name: "bad\x00"}}}
	var ve *errs.ValidationError
	if err := c.run(reflect.ValueOf(in)); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Location != "body.tree.children[1].name" {
		t.Fatalf("got %v", err)
	}
}

type node struct {
	Name     string  `json:"name"`
	Children []*node `json:"children"`
}

func TestInputCheckBoundsTheProblem(t *testing.T) {
	type many struct {
		Body struct {
			Names []string `json:"names"`
		}
	}
	in := many{}
	for range 5000 {
		in.Body.Names = append(in.Body.Names, "\x00")
	}
	var ve *errs.ValidationError
	err := newInputCheck(reflect.TypeFor[many]()).run(reflect.ValueOf(in))
	if !errors.As(err, &ve) || len(ve.Fields) != maxInputErrors {
		t.Fatalf("want %d fields named, got %v", maxInputErrors, err)
	}
}

// typicalInput is shaped like a student's create request: the school, an
// If-Match header and a body of names, contacts and ids.
type typicalInput struct {
	OrgPath
	IfMatch
	Body struct {
		FullName   string  `json:"full_name"`
		Email      string  `json:"email"`
		Phone      *string `json:"phone,omitempty"`
		Telegram   *string `json:"telegram,omitempty"`
		ExternalID string  `json:"external_id"`
		Source     string  `json:"source"`
		Timezone   string  `json:"timezone"`
		Notes      string  `json:"notes"`
		CohortIDs  []string
		Consent    struct {
			Given bool      `json:"given"`
			At    time.Time `json:"at"`
		} `json:"consent"`
	}
}

func BenchmarkInputCheck(b *testing.B) {
	check := newInputCheck(reflect.TypeFor[typicalInput]())
	phone, tg := "+7 900 123-45-67", "@anna_lee"
	in := &typicalInput{OrgPath: OrgPath{Org: "demo"}, IfMatch: IfMatch{IfMatch: `"3"`}}
	in.Body.FullName, in.Body.Email, in.Body.Phone, in.Body.Telegram = "Анна Ли", "anna@example.com", &phone, &tg
	in.Body.ExternalID, in.Body.Source, in.Body.Timezone = "lms-12345", "getcourse", "Europe/Moscow"
	in.Body.Notes = "Prefers evening calls.\nAsked about the refund policy twice."
	in.Body.CohortIDs = []string{"01950000-0000-7000-8000-000000000001", "01950000-0000-7000-8000-000000000002"}
	v := reflect.ValueOf(in).Elem()
	b.ReportAllocs()
	for b.Loop() {
		if err := check.run(v); err != nil {
			b.Fatal(err)
		}
	}
}
