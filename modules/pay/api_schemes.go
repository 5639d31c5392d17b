package pay

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// PayTierBody is one tier of a KPI.
type PayTierBody struct {
	From   string `json:"from" maxLength:"20" example:"70" doc:"Decimal; the tier holds values from here (inclusive)."`
	To     string `json:"to,omitempty" maxLength:"20" example:"90" doc:"Decimal; up to here (exclusive). Empty only for the highest tier, which is then open-ended."`
	Amount int64  `json:"amount" minimum:"0" maximum:"1000000000000" example:"500000" doc:"Kopecks: paid in the tier (step), the tier's start of a line to the next tier's (interpolated), or per unit of the metric inside the tier (progressive)."`
}

// PayRateBody is a piece rate of an assignment type.
type PayRateBody struct {
	AssignmentType string `json:"assignment_type" maxLength:"40" example:"essay" doc:"The assignment's type, or * for every type without a rate of its own."`
	Rate           int64  `json:"rate" minimum:"0" maximum:"1000000000000" example:"15000" doc:"Kopecks per counted review."`
}

// PayComponentBody is one component of a scheme; which fields matter
// depends on kind.
type PayComponentBody struct {
	Key           string        `json:"key" maxLength:"40" example:"completion" doc:"Lower-case latin letters, digits and _; unique in the version."`
	Title         string        `json:"title" maxLength:"200" example:"Доходимость до модуля 3"`
	Kind          string        `json:"kind" enum:"fixed,piece,kpi,commission"`
	Floor         *int64        `json:"floor,omitempty" minimum:"0" maximum:"1000000000000" doc:"Kopecks: the least the component pays."`
	Cap           *int64        `json:"cap,omitempty" minimum:"0" maximum:"1000000000000" doc:"Kopecks: the most the component pays."`
	Amount        int64         `json:"amount,omitempty" minimum:"0" maximum:"1000000000000" doc:"fixed: kopecks for a whole month, prorated by the days assigned."`
	Rates         []PayRateBody `json:"rates,omitempty" maxItems:"50" doc:"piece: rates by assignment type."`
	Resubmissions string        `json:"resubmissions,omitempty" enum:"each,first_only" doc:"piece: pay every review of a resubmission, or one per submission chain."`
	Metric        string        `json:"metric,omitempty" enum:"completion,csi,sla_compliance,review_quality,cases_text,cases_video,refund_rate,upsell_revenue" doc:"kpi: the metric from the catalog."`
	Module        int           `json:"module,omitempty" minimum:"0" maximum:"100" doc:"kpi completion: the module's position."`
	Direction     string        `json:"direction,omitempty" enum:"higher,lower" doc:"kpi: whether a higher or a lower value is better."`
	MinSample     int           `json:"min_sample,omitempty" minimum:"0" maximum:"1000000" doc:"kpi: below this sample the default is paid."`
	DefaultAmount int64         `json:"default_amount,omitempty" minimum:"0" maximum:"1000000000000" doc:"kpi: kopecks paid below the minimum sample or with no data."`
	Weight        string        `json:"weight,omitempty" maxLength:"20" example:"1" doc:"kpi: decimal multiplier of the tiers' amounts."`
	TierMode      string        `json:"tier_mode,omitempty" enum:"step,progressive,interpolated" doc:"kpi: how tiers pay."`
	Tiers         []PayTierBody `json:"tiers,omitempty" maxItems:"20" doc:"kpi: tiers that tile the axis, no gaps or overlaps."`
	Percent       string        `json:"percent,omitempty" maxLength:"20" example:"5" doc:"commission: decimal percent of the upsell orders attributed to the curator."`
}

// PaySpecBody is what a scheme version pays.
type PaySpecBody struct {
	Components []PayComponentBody `json:"components" minItems:"1" maxItems:"50"`
	TotalFloor *int64             `json:"total_floor,omitempty" minimum:"0" maximum:"1000000000000" doc:"Kopecks: the least the statement pays."`
	TotalCap   *int64             `json:"total_cap,omitempty" minimum:"0" maximum:"1000000000000" doc:"Kopecks: the most the statement pays."`
}

func (b PaySpecBody) spec() Spec {
	sp := Spec{TotalFloor: b.TotalFloor, TotalCap: b.TotalCap, Components: make([]Component, len(b.Components))}
	for i, c := range b.Components {
		out := Component{Key: c.Key, Title: strings.TrimSpace(c.Title), Kind: c.Kind, Floor: c.Floor, Cap: c.Cap, Amount: c.Amount,
			Resubmissions: c.Resubmissions, Metric: c.Metric, Module: c.Module, Direction: c.Direction, MinSample: c.MinSample,
			DefaultAmount: c.DefaultAmount, Weight: c.Weight, TierMode: c.TierMode, Percent: c.Percent}
		for _, r := range c.Rates {
			out.Rates = append(out.Rates, PieceRate(r))
		}
		for _, t := range c.Tiers {
			out.Tiers = append(out.Tiers, Tier(t))
		}
		sp.Components[i] = out
	}
	return sp
}

func specBody(sp Spec) PaySpecBody {
	b := PaySpecBody{TotalFloor: sp.TotalFloor, TotalCap: sp.TotalCap, Components: make([]PayComponentBody, len(sp.Components))}
	for i, c := range sp.Components {
		out := PayComponentBody{Key: c.Key, Title: c.Title, Kind: c.Kind, Floor: c.Floor, Cap: c.Cap, Amount: c.Amount,
			Resubmissions: c.Resubmissions, Metric: c.Metric, Module: c.Module, Direction: c.Direction, MinSample: c.MinSample,
			DefaultAmount: c.DefaultAmount, Weight: c.Weight, TierMode: c.TierMode, Percent: c.Percent}
		for _, r := range c.Rates {
			out.Rates = append(out.Rates, PayRateBody(r))
		}
		for _, t := range c.Tiers {
			out.Tiers = append(out.Tiers, PayTierBody(t))
		}
		b.Components[i] = out
	}
	return b
}

// PaySchemeVersionDTO is one version of a scheme.
type PaySchemeVersionDTO struct {
	ID       string      `json:"id" format:"uuid"`
	SchemeID string      `json:"scheme_id" format:"uuid"`
	Number   int         `json:"number"`
	Spec     PaySpecBody `json:"spec"`
	Note     string      `json:"note"`
	Used     bool        `json:"used" doc:"A calculated period used it: it cannot change any more; add a new version instead."`
	UsedAt   *time.Time  `json:"used_at"`
	Version  int64       `json:"version"`
}

func versionDTO(v *SchemeVersion) PaySchemeVersionDTO {
	return PaySchemeVersionDTO{ID: v.ID, SchemeID: v.SchemeID, Number: v.Number, Spec: specBody(v.Spec), Note: v.Note, Used: v.UsedAt != nil,
		UsedAt: httpapi.UTC(v.UsedAt), Version: v.Version}
}

// PaySchemeDTO is a scheme with its versions, oldest first.
type PaySchemeDTO struct {
	ID       string                `json:"id" format:"uuid"`
	Name     string                `json:"name"`
	Versions []PaySchemeVersionDTO `json:"versions"`
}

func schemeDTO(d *SchemeDetail) PaySchemeDTO {
	out := PaySchemeDTO{ID: d.Scheme.ID, Name: d.Scheme.Name, Versions: make([]PaySchemeVersionDTO, len(d.Versions))}
	for i := range d.Versions {
		out.Versions[i] = versionDTO(&d.Versions[i])
	}
	return out
}

// PayVersionSummaryDTO names a version in the list of schemes.
type PayVersionSummaryDTO struct {
	ID     string     `json:"id" format:"uuid"`
	Number int        `json:"number"`
	Note   string     `json:"note"`
	Used   bool       `json:"used"`
	UsedAt *time.Time `json:"used_at"`
}

// PaySchemeSummaryDTO is a scheme in the list, with its versions.
type PaySchemeSummaryDTO struct {
	ID       string                 `json:"id" format:"uuid"`
	Name     string                 `json:"name"`
	Versions []PayVersionSummaryDTO `json:"versions"`
}

// SchemePath addresses one scheme.
type SchemePath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Pay scheme id."`
}

// VersionPath addresses one scheme version.
type VersionPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Pay scheme version id."`
}

type schemeOutput struct {
	Status int
	Body   PaySchemeDTO
}

type versionOutput struct {
	ETag   string `header:"ETag"`
	Status int
	Body   PaySchemeVersionDTO
}

func registerSchemes(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "manage"), huma.Operation{
		OperationID: "create-pay-scheme", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-schemes", Tags: []string{"Pay"},
		Summary:       "Create a pay scheme",
		Description:   "With its first version. Tiers that leave a gap or overlap, and any other rule the calculation could not follow, are refused naming the field. Audited.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body struct {
			Name string      `json:"name" maxLength:"200" example:"Кураторы 2026"`
			Note string      `json:"note,omitempty" maxLength:"2000"`
			Spec PaySpecBody `json:"spec"`
		}
	}) (*schemeOutput, error) {
		d, err := svc.CreateScheme(ctx, httpapi.OrgID(ctx), in.Body.Name, in.Body.Spec.spec(), in.Body.Note)
		if err != nil {
			return nil, err
		}
		return &schemeOutput{Status: http.StatusCreated, Body: schemeDTO(d)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "read"), huma.Operation{
		OperationID: "list-pay-schemes", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-schemes", Tags: []string{"Pay"},
		Summary: "List the pay schemes", Description: "Every scheme of the school with its versions' numbers, by name; a version's components are read one version at a time.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct{ Body []PaySchemeSummaryDTO }, error) {
		rows, err := svc.Schemes(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := make([]PaySchemeSummaryDTO, len(rows))
		for i, r := range rows {
			out[i] = PaySchemeSummaryDTO{ID: r.Scheme.ID, Name: r.Scheme.Name, Versions: make([]PayVersionSummaryDTO, len(r.Versions))}
			for j, v := range r.Versions {
				out[i].Versions[j] = PayVersionSummaryDTO{ID: v.ID, Number: v.Number, Note: v.Note, Used: v.UsedAt != nil, UsedAt: httpapi.UTC(v.UsedAt)}
			}
		}
		return &struct{ Body []PaySchemeSummaryDTO }{out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "read"), huma.Operation{
		OperationID: "get-pay-scheme", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-schemes/{id}", Tags: []string{"Pay"},
		Summary: "Get a pay scheme", Description: "The scheme with its versions, oldest first.",
	}, func(ctx context.Context, in *SchemePath) (*schemeOutput, error) {
		d, err := svc.SchemeOf(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &schemeOutput{Status: http.StatusOK, Body: schemeDTO(d)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "manage"), huma.Operation{
		OperationID: "create-pay-scheme-version", Method: http.MethodPost, Path: "/v1/orgs/{org}/pay-schemes/{id}/versions", Tags: []string{"Pay"},
		Summary:       "Add a version to a pay scheme",
		Description:   "The next numbered version; how rules change once a version was used by a calculated period. Audited.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		SchemePath
		Body struct {
			Note string      `json:"note,omitempty" maxLength:"2000"`
			Spec PaySpecBody `json:"spec"`
		}
	}) (*versionOutput, error) {
		v, err := svc.AddVersion(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Spec.spec(), in.Body.Note)
		if err != nil {
			return nil, err
		}
		return &versionOutput{ETag: httpapi.ETag(v.Version), Status: http.StatusCreated, Body: versionDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "read"), huma.Operation{
		OperationID: "get-pay-scheme-version", Method: http.MethodGet, Path: "/v1/orgs/{org}/pay-scheme-versions/{id}", Tags: []string{"Pay"},
		Summary: "Get a pay scheme version", Description: "Its components; the ETag is what an edit names in If-Match.",
	}, func(ctx context.Context, in *VersionPath) (*versionOutput, error) {
		v, err := svc.VersionOf(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &versionOutput{ETag: httpapi.ETag(v.Version), Status: http.StatusOK, Body: versionDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("pay_schemes", "manage"), huma.Operation{
		OperationID: "put-pay-scheme-version", Method: http.MethodPut, Path: "/v1/orgs/{org}/pay-scheme-versions/{id}", Tags: []string{"Pay"},
		Summary:     "Edit an unused pay scheme version",
		Description: "With If-Match from the last read. A version a calculated period used answers 409: add a new version instead. Audited.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		VersionPath
		httpapi.IfMatch
		Body struct {
			Note string      `json:"note,omitempty" maxLength:"2000"`
			Spec PaySpecBody `json:"spec"`
		}
	}) (*versionOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		v, err := svc.EditVersion(ctx, httpapi.OrgID(ctx), in.ID, ver, in.Body.Spec.spec(), in.Body.Note)
		if err != nil {
			return nil, err
		}
		return &versionOutput{ETag: httpapi.ETag(v.Version), Status: http.StatusOK, Body: versionDTO(v)}, nil
	})
}
