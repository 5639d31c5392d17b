package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/privacy"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

var _ privacy.Eraser = (*Service)(nil)

// EraseSubject replaces a person's personal values wherever the inbox and
// the outbox keep copies: the raw data of inbound events and the payloads
// of outbound ones. The events themselves stay, so that what was received
// and sent is still accounted for. Matching ignores case: an LMS may spell
// an email differently from the record it updated.
func (s *Service) EraseSubject(ctx context.Context, db bun.IDB, subject privacy.Subject) error {
	var values []string
	for _, v := range subject.Values {
		if strings.TrimSpace(v) != "" {
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return nil
	}
	inbox, err := s.store.InboxMentioning(ctx, db, subject.OrgID, values)
	if err != nil {
		return err
	}
	for _, e := range inbox {
		if data, changed := redactJSON(e.Data, values); changed {
			if err := s.store.SetInboxData(ctx, db, subject.OrgID, e.ID, data); err != nil {
				return err
			}
		}
	}
	outbox, err := s.store.OutboxMentioning(ctx, db, subject.OrgID, values)
	if err != nil {
		return err
	}
	for _, e := range outbox {
		if payload, changed := redactJSON(e.Payload, values); changed {
			if err := s.store.SetOutboxPayload(ctx, db, subject.OrgID, e.ID, payload); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxKeptIdentifier bounds the external ids a refused event keeps.
const maxKeptIdentifier = 200

// refusedData is what the inbox keeps of the data of an event its handler
// refused: only the identifiers of the records it was about (source,
// external_id and every *_external_id), without names, emails or any other
// value. A refused event never became a record, so no erasure would ever
// find the personal data it carried: an event about an erased student,
// for one, would bring back the email the erasure removed. The LMS keeps
// what it sent, and the refusal names each bad field.
func refusedData(data json.RawMessage) json.RawMessage {
	var fields map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	kept := map[string]any{}
	if dec.Decode(&fields) == nil {
		for k, v := range fields {
			if id, ok := v.(string); ok && isIdentifierField(k) && len(id) <= maxKeptIdentifier && validate.IsSingleLine(id) {
				kept[k] = id
			}
		}
	}
	out, err := encodeJSON(kept)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return out
}

func isIdentifierField(name string) bool {
	return name == "source" || name == "external_id" || strings.HasSuffix(name, "_external_id")
}

// redactJSON replaces values inside every string of a JSON document.
func redactJSON(raw json.RawMessage, values []string) (json.RawMessage, bool) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return raw, false
	}
	patterns := make([]*regexp.Regexp, len(values))
	for i, v := range values {
		patterns[i] = regexp.MustCompile("(?i)" + regexp.QuoteMeta(v))
	}
	changed := false
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			out := t
			for _, p := range patterns {
				out = p.ReplaceAllLiteralString(out, privacy.Replacement)
			}
			changed = changed || out != t
			return out
		case map[string]any:
			for k, x := range t {
				t[k] = walk(x)
			}
		case []any:
			for i, x := range t {
				t[i] = walk(x)
			}
		}
		return v
	}
	doc = walk(doc)
	if !changed {
		return raw, false
	}
	out, err := encodeJSON(doc)
	if err != nil {
		return raw, false
	}
	return out, true
}

// encodeJSON writes v as compact JSON with every non-ASCII character as
// itself (no \u escapes, no HTML escaping), the form text search matches.
func encodeJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// normalizeData rewrites event data that spells characters as \u escapes
// (some LMS encoders escape every non-ASCII letter) into plain UTF-8, so
// that erasure finds a name however the LMS encoded it. Other data is kept
// byte for byte. It returns nil for data holding a NUL character, which
// PostgreSQL cannot store in text.
func normalizeData(data []byte) []byte {
	if !bytes.Contains(data, []byte(`\u`)) {
		return data
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return data
	}
	if hasNUL(doc) {
		return nil
	}
	out, err := encodeJSON(doc)
	if err != nil {
		return data
	}
	return out
}

func hasNUL(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.ContainsRune(t, 0)
	case map[string]any:
		for k, x := range t {
			if strings.ContainsRune(k, 0) || hasNUL(x) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if hasNUL(x) {
				return true
			}
		}
	}
	return false
}
