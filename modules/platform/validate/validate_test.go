package validate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

type contact struct {
	Email    string `json:"email" validate:"omitempty,email,max=254"`
	Phone    string `json:"phone" validate:"omitempty,phone"`
	Telegram string `json:"telegram" validate:"omitempty,telegram"`
}

type record struct {
	Name     string    `json:"full_name" validate:"required,singleline,max=200"`
	Note     string    `json:"note" validate:"text,max=2000"`
	Currency string    `json:"currency" validate:"iso4217"`
	Amount   int64     `json:"amount" validate:"money"`
	PaidAt   time.Time `json:"paid_at" validate:"fact"`
	DueAt    time.Time `json:"due_at" validate:"omitempty,plan"`
	Link     string    `json:"link" validate:"omitempty,httpurl"`
	Contacts []contact `json:"contacts" validate:"dive"`
}

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func good() record {
	return record{Name: "Анна Петрова", Note: "строка\nвторая\tс табом", Currency: "RUB", Amount: 990000, PaidAt: now.Add(-time.Hour),
		Link: "https://lms.example.ru/lesson/3", Contacts: []contact{{Email: "anna@example.ru", Phone: "+7 (900) 123-45-67", Telegram: "@anna_p"}}}
}

func TestRulesNameTheFieldWhereItCameFrom(t *testing.T) {
	if err := Struct(now, "body.", good()); err != nil {
		t.Fatalf("a good record was refused: %v", err)
	}
	cases := []struct {
		name, prefix, want string
		edit               func(*record)
	}{
		{"NUL in a name", "body.", "body.full_name", func(r *record) { r.Name = "a\x00b" }},
		{"invalid UTF-8", "rows[12].", "rows[12].full_name", func(r *record) { r.Name = "a\xffb" }},
		{"name too long", "body.", "body.full_name", func(r *record) { r.Name = strings.Repeat("я", 201) }},
		{"bell in long text", "body.", "body.note", func(r *record) { r.Note = "ding\a" }},
		{"unknown currency", "body.", "body.currency", func(r *record) { r.Currency = "XYZ" }},
		{"negative money", "body.", "body.amount", func(r *record) { r.Amount = -1 }},
		{"too much money", "body.", "body.amount", func(r *record) { r.Amount = MaxMoney + 1 }},
		{"paid in year 1", "body.", "body.paid_at", func(r *record) { r.PaidAt = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"paid in the future", "body.", "body.paid_at", func(r *record) { r.PaidAt = now.Add(6 * time.Minute) }},
		{"due in 2100", "body.", "body.due_at", func(r *record) { r.DueAt = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"javascript link", "body.", "body.link", func(r *record) { r.Link = "javascript:alert(1)" }},
		{"bad email in a list", "events[3].data.", "events[3].data.contacts[0].email", func(r *record) { r.Contacts[0].Email = "not-an-email" }},
		{"formula as phone", "rows[2].", "rows[2].contacts[0].phone", func(r *record) { r.Contacts[0].Phone = "=cmd|' /C calc'!A0" }},
		{"script as telegram", "body.", "body.contacts[0].telegram", func(r *record) { r.Contacts[0].Telegram = "<script>alert(1)</script>" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good()
			c.edit(&r)
			var ve *errs.ValidationError
			if err := Struct(now, c.prefix, r); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Location != c.want {
				t.Fatalf("got %v, want one error at %s", err, c.want)
			}
			if strings.Contains(ve.Fields[0].Message, "calc") || strings.Contains(ve.Fields[0].Message, "script") {
				t.Errorf("the message echoes the value: %s", ve.Fields[0].Message)
			}
		})
	}
	edge := good()
	edge.PaidAt, edge.Amount = now.Add(5*time.Minute), MaxMoney
	if err := Struct(now, "body.", edge); err != nil {
		t.Errorf("the edges of the ranges were refused: %v", err)
	}
}
