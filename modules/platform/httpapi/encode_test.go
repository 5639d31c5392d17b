package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humaecho"
	"github.com/labstack/echo/v4"
)

type stamped struct {
	Body struct {
		At time.Time `json:"at"`
	}
}

// A body that cannot be encoded answers the error handler's 500, not a 200
// with a broken body; one that can is untouched.
func TestUnencodableBodyIsA500(t *testing.T) {
	e := echo.New()
	e.Use(DeferStatus)
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if !c.Response().Committed {
			_ = c.JSON(http.StatusInternalServerError, map[string]string{"detail": "internal error"})
		}
	}
	cfg := huma.DefaultConfig("test", "1")
	cfg.Formats = map[string]huma.Format{"application/json": JSONFormat, "json": JSONFormat}
	api := humaecho.New(e, cfg)
	for path, at := range map[string]time.Time{
		"/fine":   time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		"/broken": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		huma.Get(api, path, func(context.Context, *struct{}) (*stamped, error) {
			out := &stamped{}
			out.Body.At = at
			return out, nil
		})
	}

	cases := []struct {
		path, want string
		status     int
	}{
		{"/fine", `"at":"2026-03-02T09:00:00Z"`, http.StatusOK},
		{"/broken", `"detail":"internal error"`, http.StatusInternalServerError},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) || strings.Contains(rec.Body.String(), "marshaling") {
			t.Errorf("GET %s: %d %s, want %d with %s", c.path, rec.Code, rec.Body, c.status, c.want)
		}
	}
}

// A body is sent with its length declared, in one piece: without a
// length, net/http sends a body of more than 2 KB in chunks.
func TestBodyDeclaresItsLength(t *testing.T) {
	e := echo.New()
	e.Use(DeferStatus)
	cfg := huma.DefaultConfig("test", "1")
	cfg.Formats = map[string]huma.Format{"application/json": JSONFormat, "json": JSONFormat}
	api := humaecho.New(e, cfg)
	type page struct {
		Body struct {
			Items []string `json:"items"`
		}
	}
	huma.Get(api, "/page", func(context.Context, *struct{}) (*page, error) {
		out := &page{}
		for range 500 {
			out.Body.Items = append(out.Body.Items, "twenty characters...")
		}
		return out, nil
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/page")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || len(body) < 10_000 || res.ContentLength != int64(len(body)) || len(res.TransferEncoding) != 0 {
		t.Errorf("%d, %d bytes, declared length %d, transfer encoding %q; want 200 with the length declared and no chunks",
			res.StatusCode, len(body), res.ContentLength, res.TransferEncoding)
	}
}

// encodedLikeTheStandardLibrary is a value with every kind of field the
// API's bodies hold, and the ones where fast encoders have differed from
// encoding/json.
type encodedLikeTheStandardLibrary struct {
	embeddedPart
	Text      string           `json:"text"`
	Escaped   string           `json:"escaped"`
	Invalid   string           `json:"invalid"`
	Optional  *string          `json:"optional,omitempty"`
	Missing   *string          `json:"missing"`
	Empty     string           `json:"empty,omitempty"`
	Zero      int64            `json:"zero,omitempty"`
	Kopecks   int64            `json:"kopecks"`
	Rate      float64          `json:"rate"`
	Tiny      float64          `json:"tiny"`
	Huge      float64          `json:"huge"`
	Quoted    int64            `json:"quoted,string"`
	At        time.Time        `json:"at"`
	Local     time.Time        `json:"local"`
	Due       *time.Time       `json:"due,omitempty"`
	Bytes     []byte           `json:"bytes"`
	NilList   []string         `json:"nil_list"`
	EmptyList []string         `json:"empty_list"`
	Counts    map[string]int   `json:"counts"`
	ByNumber  map[int]string   `json:"by_number"`
	Raw       json.RawMessage  `json:"raw"`
	Any       any              `json:"any"`
	Nested    []map[string]any `json:"nested"`
	Skipped   string           `json:"-"`
	Untagged  bool
	Headers   map[string][]bool `json:"headers,omitempty"`
}

type embeddedPart struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// Bodies are encoded byte for byte as encoding/json (without HTML
// escaping) encodes them.
func TestBodiesAreEncodedAsTheStandardLibraryEncodesThem(t *testing.T) {
	text, at := "Анна <a&b> \u2028 \"q\" \\ \t", time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	v := encodedLikeTheStandardLibrary{
		embeddedPart: embeddedPart{ID: "8b2f6a1e-0000-4000-8000-000000000001", Version: 3},
		Text:         "plain", Escaped: text, Invalid: "bad \xff byte", Optional: &text,
		Kopecks: -1_234_567_890_123, Rate: 0.1 + 0.2, Tiny: 1e-7, Huge: 1e21, Quoted: 42,
		At: at, Local: at.In(time.FixedZone("MSK", 3*60*60)), Due: &at,
		Bytes: []byte{0, 1, 254, 255}, EmptyList: []string{},
		Counts:   map[string]int{"b": 2, "a": 1, "я": 3, "A": 0},
		ByNumber: map[int]string{10: "ten", 2: "two", -1: "minus one"},
		Raw:      json.RawMessage(`{"kept" : [1, 2]}`),
		Any:      map[string]any{"z": nil, "y": []any{1.5, "s", true}},
		Nested:   []map[string]any{{"k": "v"}, nil},
		Skipped:  "never", Untagged: true,
	}
	var want strings.Builder
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := JSONFormat.Marshal(&got, v); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("encoded\n%s\nwant (encoding/json)\n%s", got.String(), want.String())
	}
}
