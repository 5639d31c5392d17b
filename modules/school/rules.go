package school

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// The input rules of the school's records are the validate tags of their
// domain inputs (StudentInput, EnrollmentInput, OrderInput, …). The API,
// each line of a CSV import and each LMS event run the same tags over the
// same structs, so one record is refused alike wherever it comes from; an
// origin only says where to name the refused field.

// origin is where an input came from: the prefix of its locations, and the
// names fields have there when they differ from the domain input's (the API
// nests money as {"amount": {"amount", "currency"}}, an event does not).
type origin struct {
	prefix string
	names  map[string]string
}

var (
	fromBody  = origin{prefix: "body."}
	fromQuery = origin{prefix: "query."}
	// fromEvent names fields relative to the event; the inbox adds events[i].
	fromEvent = origin{prefix: "data."}
)

// fromRow names fields of an import line; line is the file's line number
// (the header is line 1), as the import report numbers them.
func fromRow(line int) origin { return origin{prefix: fmt.Sprintf("rows[%d].", line)} }

// renamed returns o with the fields it names differently.
func (o origin) renamed(names map[string]string) origin {
	return origin{prefix: o.prefix, names: names}
}

// at is the location of the domain field where the input came from.
func (o origin) at(field string) string {
	if name, ok := o.names[field]; ok {
		field = name
	}
	return o.prefix + field
}

// check runs v's validate tags as of now, naming every refused field where
// the input came from.
func (o origin) check(now time.Time, v any) error {
	err := validate.Struct(now, "", v)
	var invalid *errs.ValidationError
	if !errors.As(err, &invalid) {
		return err
	}
	for i := range invalid.Fields {
		invalid.Fields[i].Location = o.at(withoutEmbedded(invalid.Fields[i].Location))
	}
	return invalid
}

// withoutEmbedded drops the name of an embedded struct (External) from a
// validator path such as "External.source": embedded fields sit at the top
// level of every entry point.
func withoutEmbedded(path string) string {
	first, rest, nested := strings.Cut(path, ".")
	if nested && first != "" && unicode.IsUpper([]rune(first)[0]) {
		return rest
	}
	return path
}

// externalPair refuses an LMS id without its source and the other way
// round: either alone can never be matched again, so a repeated request
// would record the same money twice.
func (o origin) externalPair(e External) []errs.FieldError {
	return externalFields(strings.TrimSuffix(o.prefix, "."), e.Source, e.ExternalID)
}

// allOf joins the refusals of several checks into one validation error, so
// that a client learns every wrong field at once; an error that is not a
// refusal wins.
func allOf(checks ...error) error {
	var fields []errs.FieldError
	for _, err := range checks {
		var invalid *errs.ValidationError
		switch {
		case err == nil:
		case errors.As(err, &invalid):
			fields = append(fields, invalid.Fields...)
		default:
			return err
		}
	}
	return asValidation(fields)
}

// schoolCurrency is the one currency the school keeps its money in.
func (s *Service) schoolCurrency(ctx context.Context, orgID string) (string, error) {
	return s.identity.SchoolCurrency(ctx, orgID)
}

// checkCurrency refuses money in a currency other than the school's: sums of
// orders in two currencies mean nothing.
func (s *Service) checkCurrency(ctx context.Context, orgID, currency, location string) error {
	want, err := s.schoolCurrency(ctx, orgID)
	if err != nil {
		return err
	}
	if currency != want {
		return errs.Invalid(location, "must be the school's currency, "+want)
	}
	return nil
}
