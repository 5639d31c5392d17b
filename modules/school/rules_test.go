package school_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// refusal is one refused field as a client reads it.
type refusal struct{ Location, Message string }

// entry is one way a record reaches the school: the API, a CSV import line
// or an LMS event. prefix is how it names the record's fields.
type entry struct {
	name   string
	prefix string
	send   func(t *testing.T, record map[string]any) []refusal
}

// viaAPI posts record to path and answers the refusals of the 422.
func viaAPI(s *apptest.Server, path string, who apptest.Actor) entry {
	return entry{name: "api", prefix: "body.", send: func(t *testing.T, record map[string]any) []refusal {
		var p struct{ Errors []refusal }
		s.Do(post, path, record, who.Auth()).ExpectProblem(422).Decode(&p)
		return p.Errors
	}}
}

// viaCSV imports record as the one line of a file (line 2) and answers the
// refusals of the 422 report.
func viaCSV(s *apptest.Server, path string, who apptest.Actor) entry {
	return entry{name: "csv", prefix: "rows[2].", send: func(t *testing.T, record map[string]any) []refusal {
		var r importReport
		postCSV(s, path, csvOf(record), who).Expect(422).Decode(&r)
		out := make([]refusal, len(r.Errors))
		for i, e := range r.Errors {
			out[i] = refusal(e)
		}
		return out
	}}
}

// viaEvent sends record as the data of one event of kind and answers the
// refusals of the rejected event.
func viaEvent(s *apptest.Server, path, kind string, who apptest.Actor) entry {
	n := 0
	return entry{name: "event", prefix: "events[0].data.", send: func(t *testing.T, record map[string]any) []refusal {
		n++
		var r ingestResult
		s.Do(post, path, map[string]any{"events": []any{event(fmt.Sprintf("%s-%d", kind, n), kind, record)}}, who.Auth()).Expect(200).Decode(&r)
		if r.Rejected != 1 || r.Events[0].Problem == nil {
			t.Fatalf("the event was not rejected: %+v", r)
		}
		out := make([]refusal, len(r.Events[0].Problem.Errors))
		for i, e := range r.Events[0].Problem.Errors {
			out[i] = refusal(e)
		}
		return out
	}}
}

// csvOf writes record as a header line and one line, columns sorted.
func csvOf(record map[string]any) string {
	var cols []string
	for k := range record {
		cols = append(cols, k)
	}
	sort.Strings(cols)
	values := make([]string, len(cols))
	for i, c := range cols {
		values[i] = fmt.Sprint(record[c])
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(cols)
	_ = w.Write(values)
	w.Flush()
	return b.String()
}

// badRecord is one wrong value of a record; field is where each entry
// point names it, by entry name when the entry nests it differently.
type badRecord struct {
	name  string
	field string
	value any
	at    map[string]string
}

func (b badRecord) fieldAt(e entry) string {
	if f, ok := b.at[e.name]; ok {
		return e.prefix + f
	}
	return e.prefix + b.field
}

// expectSameRefusal sends each bad record through every entry point and
// checks that each refuses it with one error, at the same field with the
// same message, and that the message does not echo the value.
func expectSameRefusal(t *testing.T, entries []entry, base func(e entry) map[string]any, cases []badRecord) {
	t.Helper()
	for _, c := range cases {
		var first *refusal
		for _, e := range entries {
			record := base(e)
			field := c.field
			if f, ok := c.at[e.name]; ok {
				field = f
			}
			setPath(record, field, c.value)
			got := e.send(t, record)
			if len(got) != 1 || got[0].Location != c.fieldAt(e) {
				t.Errorf("%s via %s: refusals %+v, want one at %s", c.name, e.name, got, c.fieldAt(e))
				continue
			}
			if s, ok := c.value.(string); ok && len(s) > 3 && strings.Contains(got[0].Message, s) {
				t.Errorf("%s via %s: the message echoes the value: %s", c.name, e.name, got[0].Message)
			}
			if first == nil {
				first = &got[0]
			} else if got[0].Message != first.Message {
				t.Errorf("%s: %s says %q, the first entry said %q", c.name, e.name, got[0].Message, first.Message)
			}
		}
	}
}

// setPath sets a field, descending into nested objects for "a.b".
func setPath(record map[string]any, path string, value any) {
	head, rest, nested := strings.Cut(path, ".")
	if !nested {
		record[head] = value
		return
	}
	inner, _ := record[head].(map[string]any)
	copied := map[string]any{}
	for k, v := range inner {
		copied[k] = v
	}
	setPath(copied, rest, value)
	record[head] = copied
}

func TestAStudentIsRefusedAlikeByAPIImportAndEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, lms := alpha.People["admin"], alpha.People["integration"]
		entries := []entry{
			viaAPI(s, alpha.Path("/students"), admin),
			viaCSV(s, alpha.Path("/students/import"), admin),
			viaEvent(s, alpha.Path("/events"), "student.upserted", lms),
		}
		base := func(e entry) map[string]any {
			return map[string]any{"full_name": "Анна Петрова", "source": "lms", "external_id": "s-1", "email": "anna@example.ru",
				"telegram": "@anna_p", "phone": "+7 900 123-45-67", "birth_date": "2001-05-04"}
		}
		expectSameRefusal(t, entries, base, []badRecord{
			{name: "a 3,007-character name", field: "full_name", value: strings.Repeat("я", 3007)},
			{name: "a 10,000-character name", field: "full_name", value: strings.Repeat("a", 10000)},
			{name: "a tab inside a name", field: "full_name", value: "Анна\tПетрова"},
			{name: "not an email", field: "email", value: "not-an-email"},
			{name: "a script as the Telegram handle", field: "telegram", value: "<script>alert(1)</script>"},
			{name: "a formula as the phone", field: "phone", value: "=cmd|' /C calc'!A0"},
			{name: "a birth date that is no date", field: "birth_date", value: "05.04.2010"},
			{name: "a birth date in the future", field: "birth_date", value: "2030-01-01"},
			{name: "an external id of 201 characters", field: "external_id", value: strings.Repeat("x", 201)},
		})
		if n := s.Count("students", ""); n != 0 {
			t.Fatalf("%d refused students were stored", n)
		}
	})
}

// A NUL byte is refused wherever it comes in; the API's kernel check may
// refuse it before the service does, so only the field is compared.
func TestANulInANameIsRefusedOnEveryEntryPoint(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, lms := alpha.People["admin"], alpha.People["integration"]
		s.Do(post, alpha.Path("/students"), `{"full_name":"a\u0000b"}`, admin.Auth()).ExpectProblem(422, "body.full_name")
		var r importReport
		postCSV(s, alpha.Path("/students/import"), "full_name\na\x00b\n", admin).Expect(422).Decode(&r)
		if len(r.Errors) != 1 || r.Errors[0].Location != "rows[2].full_name" {
			t.Fatalf("import report %+v", r)
		}
		// The inbox refuses a NUL anywhere in an event's data before any
		// handler runs; the school's handler refuses it by itself too.
		got := viaEvent(s, alpha.Path("/events"), "student.upserted", lms).send(t, map[string]any{"external_id": "s-1", "full_name": "a\x00b"})
		if len(got) != 1 || !strings.HasPrefix(got[0].Location, "events[0].data") {
			t.Fatalf("event refusals %+v", got)
		}
		err := applyEvent(t, s, alpha.Org.ID, "student.upserted", map[string]any{"external_id": "s-1", "full_name": "a\x00b"})
		if err == nil || !strings.Contains(err.Error(), "data.full_name") {
			t.Fatalf("the handler answered %v", err)
		}
		if n := s.Count("students", ""); n != 0 {
			t.Fatalf("%d students stored", n)
		}
	})
}

func TestAnEnrollmentIsRefusedAlikeByAPIImportAndEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, lms := alpha.People["admin"], alpha.People["integration"]
		cohort := newCohort(t, s, alpha.Org.ID, "flow-1")
		student := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Ольга", "source": "lms", "external_id": "s-1"}, admin.Auth()).Expect(201).Map()["id"]
		api := viaAPI(s, alpha.Path("/enrollments"), admin)
		imports := viaCSV(s, alpha.Path("/students/import"), admin)
		events := viaEvent(s, alpha.Path("/events"), "enrollment.upserted", lms)
		base := func(e entry) map[string]any {
			switch e.name {
			case "api":
				return map[string]any{"student_id": student, "cohort_id": cohort, "tariff": "VIP"}
			case "csv":
				return map[string]any{"full_name": "Ольга", "external_id": "s-1", "cohort_id": cohort, "tariff": "VIP"}
			}
			return map[string]any{"external_id": "e-1", "student_external_id": "s-1", "cohort_external_id": "flow-1", "tariff": "VIP"}
		}
		expectSameRefusal(t, []entry{api, imports, events}, base, []badRecord{
			{name: "a 101-character tariff", field: "tariff", value: strings.Repeat("т", 101)},
			{name: "a tab inside the tariff", field: "tariff", value: "VIP\tплюс"},
		})
		expectSameRefusal(t, []entry{api, events}, base, []badRecord{
			{name: "enrolled in 1999", field: "enrolled_at", value: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)},
			{name: "enrolled next week", field: "enrolled_at", value: apptest.Start.AddDate(0, 0, 7)},
		})
		if n := s.Count("enrollments", ""); n != 0 {
			t.Fatalf("%d refused enrollments were stored", n)
		}
	})
}

func TestAnOrderIsRefusedAlikeByAPIAndEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, lms := alpha.People["admin"], alpha.People["integration"]
		student := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Дина", "source": "lms", "external_id": "s-1"}, admin.Auth()).Expect(201).Map()["id"]
		paid := apptest.Start.Add(-time.Hour)
		base := func(e entry) map[string]any {
			if e.name == "api" {
				return map[string]any{"student_id": student, "amount": map[string]any{"amount": 4990000, "currency": "RUB"},
					"payment_method": "card", "paid_at": paid}
			}
			return map[string]any{"external_id": "o-1", "student_external_id": "s-1", "amount": 4990000, "currency": "RUB",
				"payment_method": "card", "paid_at": paid}
		}
		money := func(name, field string, value any) badRecord {
			return badRecord{name: name, field: field, value: value, at: map[string]string{"api": "amount." + field}}
		}
		expectSameRefusal(t, []entry{viaAPI(s, alpha.Path("/orders"), alpha.People["finance"]), viaEvent(s, alpha.Path("/events"), "order.paid", lms)}, base, []badRecord{
			money("more than 10^12 kopecks", "amount", validate.MaxMoney+1),
			money("dollars in a rouble school", "currency", "USD"),
			money("the no-currency code", "currency", "XXX"),
			money("not a currency", "currency", "rub"),
			{name: "paid in year 1", field: "paid_at", value: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
			{name: "paid in 9999", field: "paid_at", value: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
			{name: "paid tomorrow", field: "paid_at", value: apptest.Start.AddDate(0, 0, 1)},
		})
		if n := s.Count("orders", ""); n != 0 {
			t.Fatalf("%d refused orders were stored", n)
		}
	})
}

func TestARefundIsRefusedAlikeByAPIAndEvent(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, finance, lms := alpha.People["admin"], alpha.People["finance"], alpha.People["integration"]
		student := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Дина"}, admin.Auth()).Expect(201).Map()["id"]
		paid := apptest.Start.Add(-24 * time.Hour)
		order := s.Do(post, alpha.Path("/orders"), map[string]any{"student_id": student, "amount": map[string]any{"amount": 4990000, "currency": "RUB"},
			"payment_method": "card", "paid_at": paid, "source": "lms", "external_id": "o-1"}, finance.Auth()).Expect(201).Map()["id"].(string)
		base := func(e entry) map[string]any {
			if e.name == "api" {
				return map[string]any{"amount": map[string]any{"amount": 100000, "currency": "RUB"}, "refunded_at": apptest.Start}
			}
			return map[string]any{"external_id": "r-1", "order_external_id": "o-1", "amount": 100000, "refunded_at": apptest.Start}
		}
		expectSameRefusal(t, []entry{viaAPI(s, alpha.Path("/orders/"+order+"/refunds"), finance), viaEvent(s, alpha.Path("/events"), "order.refunded", lms)}, base, []badRecord{
			{name: "refunded before it was paid", field: "refunded_at", value: paid.Add(-time.Minute)},
			{name: "refunded in year 1", field: "refunded_at", value: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
			{name: "more than 10^12 kopecks", field: "amount", value: validate.MaxMoney + 1, at: map[string]string{"api": "amount.amount"}},
		})
		if n := s.Count("order_refunds", ""); n != 0 {
			t.Fatalf("%d refused refunds were stored", n)
		}
		// A refund at the very moment of payment is fine.
		s.Do(post, alpha.Path("/orders/"+order+"/refunds"), map[string]any{"amount": map[string]any{"amount": 1, "currency": "RUB"}, "refunded_at": paid}, finance.Auth()).Expect(201)
	})
}

// An external id without its source can never be matched again: the same
// order posted twice would be two money records.
func TestAnExternalIDNeedsItsSource(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin, finance := alpha.People["admin"], alpha.People["finance"]
		student := s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Дина"}, admin.Auth()).Expect(201).Map()["id"]
		order := map[string]any{"student_id": student, "amount": map[string]any{"amount": 4990000, "currency": "RUB"},
			"payment_method": "card", "paid_at": apptest.Start, "external_id": "pay-1"}
		for i := 0; i < 2; i++ {
			s.Do(post, alpha.Path("/orders"), order, finance.Auth()).ExpectProblem(422, "body.source")
			s.Do(post, alpha.Path("/orders"), order, finance.Auth(), apptest.Header("Idempotency-Key", "k-1")).ExpectProblem(422, "body.source")
		}
		s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Ида", "external_id": "u-1"}, admin.Auth()).ExpectProblem(422, "body.source")
		s.Do(post, alpha.Path("/students"), map[string]any{"full_name": "Ида", "source": "getcourse"}, admin.Auth()).ExpectProblem(422, "body.external_id")
		if s.Count("orders", "") != 0 || s.Count("students", "") != 1 {
			t.Fatalf("%d orders, %d students", s.Count("orders", ""), s.Count("students", ""))
		}
		order["source"] = "getcourse"
		s.Do(post, alpha.Path("/orders"), order, finance.Auth()).Expect(201)
		s.Do(post, alpha.Path("/orders"), order, finance.Auth()).Expect(200)
		if n := s.Count("orders", ""); n != 1 {
			t.Fatalf("the same order posted twice made %d records", n)
		}
	})
}

// A school keeps its money in one currency: its prices too.
func TestPricesAreInTheSchoolsCurrency(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		usd := map[string]any{"kind": "consultation", "title": "Консультация", "price": map[string]any{"amount": 5000, "currency": "USD"}}
		s.Do(post, alpha.Path("/products"), usd, admin.Auth()).ExpectProblem(422, "body.price.currency")
		rub := map[string]any{"kind": "consultation", "title": "Консультация", "price": map[string]any{"amount": 500000, "currency": "RUB"}}
		id := s.Do(post, alpha.Path("/products"), rub, admin.Auth()).Expect(201).Map()["id"].(string)
		s.Do(patch, alpha.Path("/products/"+id), map[string]any{"price": map[string]any{"amount": 5000, "currency": "EUR"}}, admin.Auth(), ifMatch(1)).
			ExpectProblem(422, "body.price.currency")
		s.Do(patch, alpha.Path("/products/"+id), map[string]any{"price": map[string]any{"amount": validate.MaxMoney + 1, "currency": "RUB"}}, admin.Auth(), ifMatch(1)).
			ExpectProblem(422, "body.price.amount")
		if n := s.Count("products", "currency = ?", "RUB"); n != 1 || s.Count("products", "") != 1 {
			t.Fatal("a refused product was stored or changed")
		}
	})
}

func TestStudentNameFilterRefusesControlCharacters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		admin := alpha.People["admin"]
		s.Do(get, alpha.Path("/students?name=a%00b"), nil, admin.Auth()).ExpectProblem(422, "query.name")
		s.Do(get, alpha.Path("/students?name=a%07b"), nil, admin.Auth()).ExpectProblem(422, "query.name")
		s.Do(get, alpha.Path("/students?name=%FF"), nil, admin.Auth()).ExpectProblem(422, "query.name")
		s.Do(get, alpha.Path("/students?name=%D0%B0"), nil, admin.Auth()).Expect(200)
	})
}
