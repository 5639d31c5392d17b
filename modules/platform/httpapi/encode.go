package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	gojson "github.com/goccy/go-json"
	"github.com/labstack/echo/v4"
)

// huma sets a response's status before it encodes the body, so a value that
// cannot be encoded (a time past year 9999, a NaN) would leave a 200 whose
// body reads "error marshaling response". These two pieces make it a logged
// 500 problem instead: JSONFormat encodes the whole body before writing a
// byte and panics with ErrUnencodable when it cannot, and DeferStatus holds
// the status back until the first byte, so that the 500 can still replace it.

// ErrUnencodable is the panic value of a response body that cannot be
// encoded as JSON.
var ErrUnencodable = errors.New("response body cannot be encoded")

var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// JSONFormat is huma's JSON format (no HTML escaping), encoding in full
// before writing. Since the whole body is known before its first byte, it
// declares its length: without one, net/http sends a body of more than
// 2 KB in chunks, a write to the connection more for each response.
//
// Bodies are encoded by goccy/go-json, which writes what encoding/json
// writes and refuses what it refuses: with encoding/json, a page of 50
// students spent about a fifth of its request's processor time encoding,
// half of it on the timestamps (each one's MarshalJSON, then a pass that
// checks and compacts its output). Request bodies are small and stay with
// encoding/json, whose type errors name the field (see unmarshalJSON).
var JSONFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		buf := encodeBuffers.Get().(*bytes.Buffer)
		defer func() { buf.Reset(); encodeBuffers.Put(buf) }()
		enc := gojson.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(fmt.Errorf("%w: %v", ErrUnencodable, err))
		}
		if rw, ok := w.(http.ResponseWriter); ok {
			rw.Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
		}
		_, err := w.Write(buf.Bytes())
		return err
	},
	Unmarshal: unmarshalJSON,
}

// unmarshalJSON decodes a request body. The schema checks have passed by
// then, so a value Go cannot hold is a number out of its type's range; the
// error names the field as a location, never Go's types (see
// decodeErrorLocation).
func unmarshalJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("body.%s: %s", te.Field, "is out of range or of the wrong type for this field")
	}
	return err
}

// DeferStatus is an echo middleware that holds the status line back until
// the body's first byte, and turns an ErrUnencodable panic raised before
// that byte into an error for the error handler, which answers a 500.
func DeferStatus(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		res := c.Response()
		held := &heldStatus{ResponseWriter: res.Writer}
		res.Writer = held
		defer func() {
			if r := recover(); r != nil {
				cause, ok := r.(error)
				if !ok || !errors.Is(cause, ErrUnencodable) || held.sent {
					panic(r)
				}
				held.status = 0
				res.Committed, res.Status, res.Size = false, 0, 0
				err = cause
				return
			}
			held.send()
		}()
		return next(c)
	}
}

// heldStatus is a ResponseWriter that keeps WriteHeader's status until the
// first Write or Flush.
type heldStatus struct {
	http.ResponseWriter
	status int
	sent   bool
}

func (h *heldStatus) WriteHeader(status int) {
	if !h.sent {
		h.status = status
	}
}

func (h *heldStatus) send() {
	if !h.sent && h.status != 0 {
		h.ResponseWriter.WriteHeader(h.status)
	}
	h.sent = h.sent || h.status != 0
}

func (h *heldStatus) Write(b []byte) (int, error) {
	h.send()
	h.sent = true
	return h.ResponseWriter.Write(b)
}

// Flush sends what is held, for streamed answers.
func (h *heldStatus) Flush() {
	h.send()
	h.sent = true
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (h *heldStatus) Unwrap() http.ResponseWriter { return h.ResponseWriter }
