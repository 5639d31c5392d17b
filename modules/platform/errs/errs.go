// Package errs holds the errors that services return. The HTTP layer maps
// each kind to one status code, so a service never thinks about HTTP.
package errs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel kinds. Wrap them with fmt.Errorf("%w: …") to say what happened;
// the text after the kind is shown to the client.
var (
	ErrNotFound             = errors.New("not found")
	ErrConflict             = errors.New("conflict")
	ErrPreconditionFailed   = errors.New("precondition failed")
	ErrPreconditionRequired = errors.New("precondition required")
	ErrUnauthorized         = errors.New("unauthorized")
	ErrForbidden            = errors.New("forbidden")
)

// NotFound says which kind of thing was not found.
func NotFound(what string) error { return fmt.Errorf("%w: %s not found", ErrNotFound, what) }

// Conflict says why the request conflicts with the current state.
func Conflict(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConflict, fmt.Sprintf(format, args...))
}

// Forbidden says why the caller may not do this to this record, although
// the policy lets them use the operation (another curator's queue item).
func Forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}

// Stale says that the If-Match version no longer matches.
func Stale(what string, current int64) error {
	return fmt.Errorf("%w: %s has changed (current version %d); reload it and try again", ErrPreconditionFailed, what, current)
}

// FieldError names one bad input field and why it is bad.
type FieldError struct {
	Location string // e.g. "body.email", "query.cursor"
	Message  string
}

// ValidationError is a request whose content breaks a rule; it maps to 422.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Location + ": " + f.Message
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Invalid returns a validation error for one field.
func Invalid(location, message string) error {
	return &ValidationError{Fields: []FieldError{{Location: location, Message: message}}}
}

// RateLimitedError tells the caller to wait before trying again; maps to 429.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many attempts; retry after %d seconds", int(e.RetryAfter.Seconds()))
}

// Message returns the client-facing text of a wrapped sentinel error: the
// part after the kind, or the kind itself.
func Message(err error) string {
	msg := err.Error()
	for _, kind := range []error{ErrNotFound, ErrConflict, ErrPreconditionFailed, ErrPreconditionRequired, ErrUnauthorized, ErrForbidden} {
		prefix := kind.Error() + ": "
		if i := strings.Index(msg, prefix); i >= 0 {
			return msg[i+len(prefix):]
		}
	}
	return msg
}
