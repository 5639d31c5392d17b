package httpapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// ETag formats a row version as a strong entity tag.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// IfMatch is embedded in the input of every update of a contended row.
type IfMatch struct {
	IfMatch string `header:"If-Match" maxLength:"64" pattern:"^(W/)?\"[1-9][0-9]{0,17}\"$" patternDescription:"an ETag such as \"3\"" doc:"The ETag from the last read; the update is refused with 412 when the row changed since."`
}

// Version returns the row version the caller last saw. A missing header is
// refused with 428, so that no client overwrites a change it never saw.
func (h IfMatch) Version() (int64, error) {
	tag := strings.TrimSpace(h.IfMatch)
	if tag == "" {
		return 0, fmt.Errorf("%w: send If-Match with the ETag from your last read of this resource", errs.ErrPreconditionRequired)
	}
	tag = strings.TrimPrefix(tag, "W/")
	v, err := strconv.ParseInt(strings.Trim(tag, `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, errs.Invalid("header.If-Match", "must be an ETag returned by this API, such as \"3\"")
	}
	return v, nil
}
