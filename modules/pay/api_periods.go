package pay

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// PayPeriodDTO is a pay period: a calendar month and where it stands.
type PayPeriodDTO struct {
	ID           string     `json:"id" format:"uuid"`
	Month        string     `json:"month" example:"2026-11" doc:"The calendar month, in the school's time zone."`
	Status       string     `json:"status" enum:"open,calculated,in_review,head_approved,finance_approved,locked,exported,paid"`
	Calculation  int        `json:"calculation" doc:"How many times the period was calculated; the statements shown are the latest calculation's."`
	CalculatedAt *time.Time `json:"calculated_at"`
	Version      int64      `json:"version" doc:"Send it back in If-Match to change the period."`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func periodDTO(p *Period) PayPeriodDTO {
	return PayPeriodDTO{ID: p.ID, Month: p.Month, Status: p.Status, Calculation: p.Calculation, CalculatedAt: httpapi.UTC(p.CalculatedAt),
		Version: p.Version, UpdatedAt: p.UpdatedAt.UTC()}
}

// PayTransitionDTO is one step of a period's history.
type PayTransitionDTO struct {
	Action      string    `json:"action" example:"approve"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Calculation int       `json:"calculation"`
	Reason      string    `json:"reason"`
	ActorID     *string   `json:"actor_id" format:"uuid"`
	At          time.Time `json:"at"`
}

// PayExportDTO is a recorded export.
type PayExportDTO struct {
	ID          string    `json:"id" format:"uuid"`
	Format      string    `json:"format" enum:"csv,xlsx,1c,1c-cp1251"`
	Calculation int       `json:"calculation"`
	Checksum    string    `json:"checksum" doc:"SHA-256 of the file, hex: the same calculation always gives the same file."`
	Bytes       int64     `json:"bytes"`
	Lines       int       `json:"lines" doc:"Rows of the file besides its header: statement lines, or people for 1C."`
	Total       int64     `json:"total" doc:"The rows' sum, kopecks."`
	FileURL     string    `json:"file_url"`
	CreatedBy   *string   `json:"created_by" format:"uuid"`
	CreatedAt   time.Time `json:"created_at"`
}

func exportDTO(orgID string, e *Export) PayExportDTO {
	return PayExportDTO{ID: e.ID, Format: e.Format, Calculation: e.Calculation, Checksum: e.Checksum, Bytes: e.Bytes, Lines: e.Lines,
		Total: e.Total, FileURL: fmt.Sprintf("/v1/orgs/%s/pay-periods/%s/exports/%s", orgID, e.PeriodID, e.Format), CreatedBy: e.CreatedBy,
		CreatedAt: e.CreatedAt.UTC()}
}

// PayPeriodDetailDTO is a period with its history, totals and exports.
type PayPeriodDetailDTO struct {
	PayPeriodDTO
	Statements   int                `json:"statements" doc:"People with a statement in the latest calculation."`
	Total        int64              `json:"total" doc:"The latest calculation's sum of statements, kopecks."`
	OpenDisputes int                `json:"open_disputes"`
	Actions      []string           `json:"actions" doc:"The steps the period's status allows now (whoever may take them)."`
	Transitions  []PayTransitionDTO `json:"transitions"`
	Exports      []PayExportDTO     `json:"exports"`
}

// PeriodPath addresses one pay period.
type PeriodPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Id of the pay period."`
}

type periodOutput struct {
	ETag string `header:"ETag"`
	Body PayPeriodDTO
}

type periodDetailOutput struct {
	ETag string `header:"ETag"`
	Body PayPeriodDetailDTO
}

func detailDTO(orgID string, d *PeriodDetail) PayPeriodDetailDTO {
	out := PayPeriodDetailDTO{PayPeriodDTO: periodDTO(d.Period), Statements: d.Statements, Total: d.Total, OpenDisputes: d.OpenDisputes,
		Actions: []string{}, Transitions: make([]PayTransitionDTO, len(d.Transitions)), Exports: make([]PayExportDTO, len(d.Exports))}
	if d.Period.Calculable() {
		out.Actions = append(out.Actions, "calculate")
	}
	for _, a := range Actions {
		if contains(a.From, d.Period.Status) {
			out.Actions = append(out.Actions, a.Name)
		}
	}
	for i, t := range d.Transitions {
		out.Transitions[i] = PayTransitionDTO{Action: t.Action, From: t.FromStatus, To: t.ToStatus, Calculation: t.Calculation, Reason: t.Reason,
			ActorID: t.ActorID, At: t.CreatedAt.UTC()}
	}
	for i := range d.Exports {
		out.Exports[i] = exportDTO(orgID, &d.Exports[i])
	}
	return out
}

// actionPermissions is the permission of each step of a period.
var actionPermissions = map[string]string{
	"submit": "manage", "approve": "approve", "approve-finance": "approve_finance", "lock": "lock", "mark-paid": "mark_paid", "unlock": "unlock",
}

var actionSummaries = map[string][2]string{
	"submit":          {"Send a calculated pay period to review", "Curators may then dispute lines of their statements."},
	"approve":         {"Approve a pay period as the head of service", "Refused with 409 while a disputed line is unresolved."},
	"approve-finance": {"Approve a pay period as finance", "After the head's approval."},
	"lock":            {"Lock a pay period", "After both approvals. From then on nothing in the period changes; late facts become correction lines of the next open period."},
	"mark-paid":       {"Mark an exported pay period paid", "The last step of the month."},
	"unlock":          {"Unlock a locked pay period", "Needs a reason, kept in the period's history and the audit log; the period returns to review and may be recalculated."},
}

func registerPeriods(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "manage"), huma.Operation{
		OperationID: "create-pay-period", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-periods", Tags: []string{"Pay"},
		Summary: "Open a pay period", Description: "A calendar month in the school's time zone; one period per month (409 for a second). Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body struct {
			Month string `json:"month" maxLength:"7" example:"2026-11" doc:"YYYY-MM."`
		}
	}) (*struct {
		Status int
		ETag   string `header:"ETag"`
		Body   PayPeriodDTO
	}, error) {
		p, err := svc.OpenPeriod(ctx, httpapi.OrgID(ctx), in.Body.Month)
		if err != nil {
			return nil, err
		}
		return &struct {
			Status int
			ETag   string `header:"ETag"`
			Body   PayPeriodDTO
		}{http.StatusCreated, httpapi.ETag(p.Version), periodDTO(p)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "read"), huma.Operation{
		OperationID: "list-pay-periods", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods", Tags: []string{"Pay"},
		Summary: "List pay periods", Description: "Latest month first.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct{ Body []PayPeriodDTO }, error) {
		rows, err := svc.Periods(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := make([]PayPeriodDTO, len(rows))
		for i := range rows {
			out[i] = periodDTO(&rows[i])
		}
		return &struct{ Body []PayPeriodDTO }{out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "read"), huma.Operation{
		OperationID: "get-pay-period", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-periods/{id}", Tags: []string{"Pay"},
		Summary: "Read a pay period", Description: "With its history, the latest calculation's totals, open disputes, the steps its status allows and its exports.",
	}, func(ctx context.Context, in *PeriodPath) (*periodDetailOutput, error) {
		d, err := svc.PeriodOf(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &periodDetailOutput{ETag: httpapi.ETag(d.Period.Version), Body: detailDTO(httpapi.OrgID(ctx), d)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_periods", "calculate"), huma.Operation{
		OperationID: "calculate-pay-period", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-periods/{id}/calculate", Tags: []string{"Pay"},
		Summary:     "Calculate a pay period",
		Description: "Every assigned person's statement from the month's facts, and corrections of the three months before it that are locked and whose facts changed since. The previous calculation is kept (see the difference); the period returns to `calculated`. A locked period answers 409. With If-Match. Audited.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		PeriodPath
		httpapi.IfMatch
	}) (*periodOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		p, err := svc.Calculate(ctx, httpapi.OrgID(ctx), in.ID, ver)
		if err != nil {
			return nil, err
		}
		return &periodOutput{ETag: httpapi.ETag(p.Version), Body: periodDTO(p)}, nil
	})

	for _, a := range Actions {
		registerAction(api, svc, a)
	}
}

func registerAction(api huma.API, svc *Service, a Action) {
	doc := actionSummaries[a.Name]
	httpapi.Register(api, httpapi.OrgPermission("pay_periods", actionPermissions[a.Name]), huma.Operation{
		OperationID: a.Name + "-pay-period", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-periods/{id}/" + a.Name, Tags: []string{"Pay"},
		Summary:     doc[0],
		Description: fmt.Sprintf("%s From %v to %s; any other status answers 409. With If-Match. Audited, kept in the period's history.", doc[1], a.From, a.To),
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		PeriodPath
		httpapi.IfMatch
		Body *struct {
			Reason string `json:"reason,omitempty" maxLength:"2000" doc:"Why; required to unlock."`
		} `required:"false"`
	}) (*periodOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		reason := ""
		if in.Body != nil {
			reason = in.Body.Reason
		}
		p, err := svc.Transition(ctx, httpapi.OrgID(ctx), in.ID, a.Name, reason, ver)
		if err != nil {
			return nil, err
		}
		return &periodOutput{ETag: httpapi.ETag(p.Version), Body: periodDTO(p)}, nil
	})
}

// PaySimulationDTO compares a month's pay with a draft version's.
type PaySimulationDTO struct {
	PeriodID        string               `json:"period_id" format:"uuid"`
	Month           string               `json:"month"`
	SchemeVersionID string               `json:"scheme_version_id" format:"uuid"`
	Paid            int64                `json:"paid" doc:"The latest calculation's sum without correction lines, kopecks."`
	Simulated       int64                `json:"simulated" doc:"What the version would have paid the same people for the same days, kopecks."`
	Difference      int64                `json:"difference" doc:"simulated − paid."`
	PaidMore        int                  `json:"paid_more" doc:"People the version pays more."`
	PaidLess        int                  `json:"paid_less" doc:"People the version pays less."`
	People          []PaySimulatedPayDTO `json:"people"`
}

// PaySimulatedPayDTO is one person's pay, calculated and simulated.
type PaySimulatedPayDTO struct {
	UserID     string `json:"user_id" format:"uuid"`
	Name       string `json:"name"`
	Paid       int64  `json:"paid"`
	Simulated  int64  `json:"simulated"`
	Difference int64  `json:"difference"`
}

func simulationDTO(sim *Simulation) PaySimulationDTO {
	out := PaySimulationDTO{PeriodID: sim.Period.ID, Month: sim.Period.Month, SchemeVersionID: sim.VersionID, Paid: sim.Paid,
		Simulated: sim.Simulated, Difference: sim.Simulated - sim.Paid, People: make([]PaySimulatedPayDTO, len(sim.People))}
	for i, p := range sim.People {
		out.People[i] = PaySimulatedPayDTO{UserID: p.UserID, Name: p.Name, Paid: p.Paid, Simulated: p.Simulated, Difference: p.Simulated - p.Paid}
		switch {
		case p.Simulated > p.Paid:
			out.PaidMore++
		case p.Simulated < p.Paid:
			out.PaidLess++
		}
	}
	return out
}

func registerSimulation(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "manage"), huma.Operation{
		OperationID: "simulate-pay-period", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-periods/{id}/simulate", Tags: []string{"Pay"},
		Summary:     "Simulate a scheme version over a calculated month",
		Description: "The same people for the same days, paid by the given (draft or any) version, against what the period's latest calculation pays them, per person and in total: the \"same fund, fairer split\" question. Nothing is stored and the version is not marked used. A period never calculated answers 409.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		PeriodPath
		Body struct {
			SchemeVersionID string `json:"scheme_version_id" format:"uuid"`
		}
	}) (*struct{ Body PaySimulationDTO }, error) {
		sim, err := svc.Simulate(ctx, httpapi.OrgID(ctx), in.ID, in.Body.SchemeVersionID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body PaySimulationDTO }{simulationDTO(sim)}, nil
	})
}
