package quality

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualityCriterionDTO is one criterion of a scorecard version.
type QualityCriterionDTO struct {
	Key                string  `json:"key" example:"greeting" doc:"Stable within the scorecard: scores and coaching match criteria by key across versions."`
	Title              string  `json:"title" example:"Поздоровалась и назвала студента по имени"`
	Description        string  `json:"description"`
	Kind               string  `json:"kind" enum:"yes_no,scale" doc:"yes_no: 1 yes / 0 no; scale: 1–5."`
	Weight             int     `json:"weight" minimum:"1" maximum:"100"`
	AllowNotApplicable bool    `json:"allow_not_applicable" doc:"Whether the reviewer may mark it not applicable (then it leaves the review's score)."`
	KBArticleID        *string `json:"kb_article_id" format:"uuid" doc:"The regulation clause (knowledge-base article) it checks."`
}

func criteriaDTO(cs CriteriaSet) []QualityCriterionDTO {
	out := make([]QualityCriterionDTO, len(cs))
	for i, c := range cs {
		out[i] = QualityCriterionDTO{Key: c.Key, Title: c.Title, Description: c.Description, Kind: c.Kind, Weight: c.Weight,
			AllowNotApplicable: c.AllowNA, KBArticleID: c.KBArticleID}
	}
	return out
}

// QualityScorecardVersionDTO is one version of a scorecard.
type QualityScorecardVersionDTO struct {
	ID          string                `json:"id" format:"uuid"`
	ScorecardID string                `json:"scorecard_id" format:"uuid"`
	Number      int                   `json:"number" minimum:"1"`
	Status      string                `json:"status" enum:"draft,active,superseded"`
	Criteria    []QualityCriterionDTO `json:"criteria"`
	CreatedAt   time.Time             `json:"created_at"`
	ActivatedAt *time.Time            `json:"activated_at"`
}

func scorecardVersionDTO(v *ScorecardVersion) QualityScorecardVersionDTO {
	return QualityScorecardVersionDTO{ID: v.ID, ScorecardID: v.ScorecardID, Number: v.Number, Status: v.Status, Criteria: criteriaDTO(v.Criteria),
		CreatedAt: v.CreatedAt.UTC(), ActivatedAt: httpapi.UTC(v.ActivatedAt)}
}

// QualityScorecardDTO is a scorecard with its versions, oldest first.
type QualityScorecardDTO struct {
	ID              string                       `json:"id" format:"uuid"`
	Name            string                       `json:"name"`
	ActiveVersionID *string                      `json:"active_version_id" format:"uuid"`
	ActiveNumber    int                          `json:"active_number"`
	Versions        []QualityScorecardVersionDTO `json:"versions"`
	Version         int64                        `json:"version" doc:"The row version; send it as If-Match to activate a draft."`
}

func scorecardDTO(d *ScorecardDetail) QualityScorecardDTO {
	out := QualityScorecardDTO{ID: d.Scorecard.ID, Name: d.Scorecard.Name, ActiveVersionID: d.Scorecard.ActiveVersionID,
		ActiveNumber: d.Scorecard.ActiveNumber, Version: d.Scorecard.Version, Versions: make([]QualityScorecardVersionDTO, len(d.Versions))}
	for i := range d.Versions {
		out.Versions[i] = scorecardVersionDTO(&d.Versions[i])
	}
	return out
}

// QualityCriterionBody is one criterion as clients write it.
type QualityCriterionBody struct {
	Key                string  `json:"key" minLength:"1" maxLength:"40" pattern:"^[a-z][a-z0-9_]*$" example:"greeting"`
	Title              string  `json:"title" minLength:"1" maxLength:"200"`
	Description        string  `json:"description,omitempty" maxLength:"2000"`
	Kind               string  `json:"kind" enum:"yes_no,scale"`
	Weight             int     `json:"weight" minimum:"1" maximum:"100" example:"20"`
	AllowNotApplicable bool    `json:"allow_not_applicable,omitempty"`
	KBArticleID        *string `json:"kb_article_id,omitempty" format:"uuid" doc:"A knowledge-base article of the school: the clause checked."`
}

func criteriaInput(bs []QualityCriterionBody) []CriterionInput {
	out := make([]CriterionInput, len(bs))
	for i, b := range bs {
		out[i] = CriterionInput{Key: b.Key, Title: b.Title, Description: b.Description, Kind: b.Kind, Weight: b.Weight,
			AllowNA: b.AllowNotApplicable, KBArticleID: b.KBArticleID}
	}
	return out
}

// QualityScorecardBody creates a scorecard.
type QualityScorecardBody struct {
	Name     string                 `json:"name" minLength:"1" maxLength:"200" example:"Чаты со студентами"`
	Criteria []QualityCriterionBody `json:"criteria" minItems:"1" maxItems:"30"`
}

// QualityVersionBody drafts a new version of a scorecard.
type QualityVersionBody struct {
	Criteria []QualityCriterionBody `json:"criteria" minItems:"1" maxItems:"30"`
}

// QualityScorecardList is the school's scorecards.
type QualityScorecardList struct {
	Items []QualityScorecardDTO `json:"items" nullable:"false"`
}

// VersionPath addresses one version of a scorecard.
type VersionPath struct {
	IDPath
	VersionID string `path:"version_id" format:"uuid" doc:"The version's id."`
}

type scorecardOutput struct {
	ETag string `header:"ETag"`
	Body QualityScorecardDTO
}

func newScorecardOutput(d *ScorecardDetail) *scorecardOutput {
	return &scorecardOutput{ETag: httpapi.ETag(d.Scorecard.Version), Body: scorecardDTO(d)}
}

func registerScorecards(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("quality_scorecards", "read"), huma.Operation{
		OperationID: "list-quality-scorecards", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/scorecards", Tags: []string{tag},
		Summary: "List conversation scorecards", Description: "By name, each with its versions.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct{ Body QualityScorecardList }, error) {
		rows, err := svc.Scorecards(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := &struct{ Body QualityScorecardList }{Body: QualityScorecardList{Items: make([]QualityScorecardDTO, len(rows))}}
		for i := range rows {
			out.Body.Items[i] = scorecardDTO(&rows[i])
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_scorecards", "write"), huma.Operation{
		OperationID: "create-quality-scorecard", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/scorecards", Tags: []string{tag},
		Summary: "Create a conversation scorecard", Description: "Its first version is active at once. Criteria are yes/no checks or " +
			"1–5 ratings with weights; each may allow \"not applicable\" and point to the regulation clause (a knowledge-base article) it checks.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body QualityScorecardBody
	}) (*scorecardOutput, error) {
		d, err := svc.CreateScorecard(ctx, httpapi.OrgID(ctx), in.Body.Name, criteriaInput(in.Body.Criteria))
		if err != nil {
			return nil, err
		}
		return newScorecardOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_scorecards", "read"), huma.Operation{
		OperationID: "get-quality-scorecard", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/scorecards/{id}", Tags: []string{tag},
		Summary: "Get a conversation scorecard", Description: "With every version, oldest first; the ETag is the scorecard's " +
			"version, for activating a draft.",
	}, func(ctx context.Context, in *IDPath) (*scorecardOutput, error) {
		d, err := svc.Scorecard(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newScorecardOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_scorecards", "write"), huma.Operation{
		OperationID: "draft-quality-scorecard-version", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/scorecards/{id}/versions",
		Tags: []string{tag}, Summary: "Draft a new scorecard version",
		Description:   "Reviews keep using the active version until the draft is activated; a review keeps the version it was scored with.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body QualityVersionBody
	}) (*struct{ Body QualityScorecardVersionDTO }, error) {
		v, err := svc.DraftVersion(ctx, httpapi.OrgID(ctx), in.ID, criteriaInput(in.Body.Criteria))
		if err != nil {
			return nil, err
		}
		return &struct{ Body QualityScorecardVersionDTO }{Body: scorecardVersionDTO(v)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_scorecards", "write"), huma.Operation{
		OperationID: "activate-quality-scorecard-version", Method: http.MethodPost,
		Path: "/v1/orgs/{org}/quality/scorecards/{id}/versions/{version_id}/activate", Tags: []string{tag},
		Summary: "Activate a draft scorecard version", Description: "Send If-Match with the scorecard's ETag. The active version " +
			"becomes superseded; reviews already written keep theirs.",
		Errors: staleErrors(),
	}, func(ctx context.Context, in *struct {
		VersionPath
		httpapi.IfMatch
	}) (*scorecardOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		d, err := svc.ActivateVersion(ctx, httpapi.OrgID(ctx), in.ID, in.VersionID, version)
		if err != nil {
			return nil, err
		}
		return newScorecardOutput(d), nil
	})
}
