package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// installMiddleware sets the echo chain, outermost first: the request record
// with its id, security headers and CORS (so that every answer carries them,
// a 413 included), access log and metrics, panic recovery, body limit.
func (s *Server) installMiddleware(cfg Config, m *metrics) {
	e := s.Echo
	e.IPExtractor = echo.ExtractIPDirect()
	if cfg.BehindProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.HTTPErrorHandler = s.problemHandler
	e.Use(requestMeta)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            31536000,
		ContentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
		ReferrerPolicy:        "no-referrer",
	}))
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowHeaders:  []string{"Authorization", "Content-Type", "If-Match", httpapi.APIKeyHeader, "Idempotency-Key"},
			ExposeHeaders: []string{"ETag", "Retry-After", echo.HeaderXRequestID},
		}))
	}
	e.Use(s.accessLog(m))
	e.Use(s.recoverPanic)
	e.Use(httpapi.DeferStatus)
	e.Use(middleware.BodyLimit(cfg.BodyLimit))
}

// requestIDPattern is what a caller's X-Request-Id must look like to be kept
// (it ends up in logs and the audit log); anything else is replaced.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,64}$`)

// requestMeta starts the per-request record that authentication, services
// and the audit log fill in and read, with the request id: the caller's when
// it is well-formed, a new one otherwise.
func requestMeta(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !requestIDPattern.MatchString(id) {
			id = ids.New()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		meta := &reqctx.Meta{
			RequestID: id,
			IP:        c.RealIP(),
			UserAgent: c.Request().UserAgent(),
		}
		c.SetRequest(c.Request().WithContext(reqctx.With(c.Request().Context(), meta)))
		return next(c)
	}
}

// accessLog writes one JSON line per request and feeds the metrics. It never
// logs headers or bodies, which carry credentials.
func (s *Server) accessLog(m *metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			meta := reqctx.From(c.Request().Context())
			op := meta.OperationID
			if op == "" {
				op = c.Path() // a route outside huma, such as /metrics
			}
			if op == "" {
				op = "unmatched"
			}
			status := c.Response().Status
			elapsed := time.Since(start)
			m.observe(op, c.Request().Method, status, elapsed)
			attrs := []any{"method", c.Request().Method, "path", c.Request().URL.Path, "status", status,
				"duration_ms", float64(elapsed.Microseconds()) / 1000, "request_id", meta.RequestID, "operation", op, "ip", meta.IP}
			if p := meta.Principal; p != nil {
				attrs = append(attrs, "actor", p.ActorID())
			}
			s.logger.Info("request", attrs...)
			return nil
		}
	}
}

// recoverPanic turns a panic into a logged, scrubbed 500.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// problemHandler answers echo's own errors (unknown route, wrong method, body
// too large) and anything else that reached echo as problem+json.
func (s *Server) problemHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, detail := http.StatusInternalServerError, httpapi.InternalErrorDetail
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < http.StatusInternalServerError {
		status = he.Code
		detail = fmt.Sprint(he.Message)
		if status == http.StatusNotFound {
			detail = "no such endpoint: " + c.Request().Method + " " + c.Request().URL.Path
		}
	} else {
		meta := reqctx.From(c.Request().Context())
		s.logger.Error("request failed", "error", err, "request_id", meta.RequestID, "path", c.Request().URL.Path)
	}
	c.Response().Header().Set(echo.HeaderContentType, httpapi.ProblemContentType)
	c.Response().WriteHeader(status)
	body := fmt.Sprintf(`{"title":%q,"status":%d,"detail":%q}`, http.StatusText(status), status, strings.TrimSpace(detail))
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write([]byte(body))
	}
}
