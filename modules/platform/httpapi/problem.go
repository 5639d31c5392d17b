package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"
	"github.com/labstack/echo/v4"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// ProblemContentType is the media type of every error body (RFC 9457).
const ProblemContentType = "application/problem+json"

// InternalErrorDetail is all a client learns about a 5xx; the cause is logged
// with the request id.
const InternalErrorDetail = "internal error; quote the request id to support"

// InstallProblemDetails makes every huma error an RFC 9457 problem that never
// leaks internals: a 400 from a malformed body becomes a 422 naming the body,
// detail values are not echoed back (they may hold passwords), and a 5xx is
// logged and scrubbed. huma's error constructors are process-wide, so this is
// called once, before the API is built.
func InstallProblemDetails(logger *slog.Logger) {
	huma.NewError = newProblem
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errList ...error) huma.StatusError {
		if bodyTooLarge(errList) {
			// A body without Content-Length is cut by echo's limit while
			// huma reads it; that is the client's 413, not our 500.
			return newProblem(http.StatusRequestEntityTooLarge, "request body is too large")
		}
		if status >= http.StatusInternalServerError && ctx != nil {
			logInternal(ctx.Context(), logger, status, msg, errList)
		}
		return newProblem(status, msg, errList...)
	}
}

// missingPropertyLocation points a "required property missing" error at the
// property itself (body.name) rather than at the object holding it (body),
// so that every 422 names the field.
func missingPropertyLocation(location, message string) string {
	const prefix, suffix = "expected required property ", " to be present"
	if strings.HasPrefix(message, prefix) && strings.HasSuffix(message, suffix) {
		return location + "." + strings.TrimSuffix(strings.TrimPrefix(message, prefix), suffix)
	}
	return location
}

// inProjectWords words the schema checks' refusals as the project's own
// input rules word them, so that a value refused by the API, the CSV
// import and an LMS event reads the same wherever it was sent.
func inProjectWords(message string) string {
	switch {
	case message == validation.MsgExpectedRFC3339Date:
		return validate.DateMessage
	case message == fmt.Sprintf(validation.MsgExpectedMaximumNumber, float64(validate.MaxMoney)):
		return validate.MoneyMessage
	}
	return message
}

// decodeErrorLocation moves the field named by a body decoding error
// ("body.amount.amount: is out of range …", see unmarshalJSON) from the
// message to the location.
func decodeErrorLocation(location, message string) (string, string) {
	if location != "body" || !strings.HasPrefix(message, "body.") {
		return location, message
	}
	if field, rest, ok := strings.Cut(message, ": "); ok && !strings.ContainsAny(field, " \t") {
		return field, rest
	}
	return location, message
}

func bodyTooLarge(errList []error) bool {
	for _, e := range errList {
		var he *echo.HTTPError
		if errors.As(e, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return true
		}
	}
	return false
}

func newProblem(status int, msg string, errList ...error) huma.StatusError {
	if status == http.StatusBadRequest {
		// huma answers 400 when the body is not JSON or is missing; the
		// contract promises 422 with the location for every bad input.
		status = http.StatusUnprocessableEntity
	}
	if status >= http.StatusInternalServerError {
		return &huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: InternalErrorDetail}
	}
	details := make([]*huma.ErrorDetail, 0, len(errList))
	for _, e := range errList {
		if e == nil {
			continue
		}
		var d huma.ErrorDetailer
		if errors.As(e, &d) {
			src := d.ErrorDetail()
			location, message := decodeErrorLocation(src.Location, src.Message)
			message = inProjectWords(message)
			details = append(details, &huma.ErrorDetail{Message: message, Location: missingPropertyLocation(location, message)})
			continue
		}
		details = append(details, &huma.ErrorDetail{Message: e.Error()})
	}
	return &huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: msg, Errors: details}
}

func logInternal(ctx context.Context, logger *slog.Logger, status int, msg string, errList []error) {
	m := reqctx.From(ctx)
	logger.ErrorContext(ctx, "request failed",
		"status", status, "message", msg, "error", errors.Join(errList...),
		"request_id", m.RequestID, "operation", m.OperationID)
}

// toProblem maps a service error to its HTTP status. Errors of unknown kind
// pass through and become a logged, scrubbed 500.
func toProblem(err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		details := make([]error, len(ve.Fields))
		for i, f := range ve.Fields {
			details[i] = &huma.ErrorDetail{Location: f.Location, Message: f.Message}
		}
		return huma.Error422UnprocessableEntity("validation failed", details...)
	}
	var rl *errs.RateLimitedError
	if errors.As(err, &rl) {
		secs := int(rl.RetryAfter.Seconds() + 0.999)
		return huma.ErrorWithHeaders(huma.Error429TooManyRequests(rl.Error()),
			http.Header{"Retry-After": {strconv.Itoa(secs)}})
	}
	for _, m := range []struct {
		kind   error
		status int
	}{
		{errs.ErrNotFound, http.StatusNotFound},
		{errs.ErrConflict, http.StatusConflict},
		{errs.ErrPreconditionFailed, http.StatusPreconditionFailed},
		{errs.ErrPreconditionRequired, http.StatusPreconditionRequired},
		{errs.ErrUnauthorized, http.StatusUnauthorized},
		{errs.ErrForbidden, http.StatusForbidden},
	} {
		if errors.Is(err, m.kind) {
			return huma.NewError(m.status, errs.Message(err))
		}
	}
	return err
}
