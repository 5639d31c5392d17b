package quality

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualityCalibrationBody sends one conversation to several reviewers.
type QualityCalibrationBody struct {
	ConversationID string   `json:"conversation_id" format:"uuid"`
	CuratorID      string   `json:"curator_id,omitempty" format:"uuid" doc:"Whose answers; default: whoever answered last."`
	Day            string   `json:"day,omitempty" format:"date" doc:"Which local day; default: the curator's latest."`
	ReviewerIDs    []string `json:"reviewer_ids" minItems:"2" maxItems:"10" doc:"Senior curators or heads; never the curator herself."`
	ScorecardID    *string  `json:"scorecard_id,omitempty" format:"uuid" doc:"Default: the school's default scorecard; its active version is pinned for the round."`
	Note           string   `json:"note,omitempty" maxLength:"2000"`
}

// QualityCalibrationDTO is a calibration round.
type QualityCalibrationDTO struct {
	ID                 string    `json:"id" format:"uuid"`
	ConversationID     string    `json:"conversation_id" format:"uuid"`
	CuratorID          string    `json:"curator_id" format:"uuid"`
	CuratorName        *string   `json:"curator_name"`
	Day                string    `json:"day" format:"date"`
	ScorecardID        string    `json:"scorecard_id" format:"uuid"`
	ScorecardVersionID string    `json:"scorecard_version_id" format:"uuid"`
	Note               string    `json:"note"`
	CreatedBy          string    `json:"created_by" format:"uuid"`
	CreatedAt          time.Time `json:"created_at"`
}

func calibrationDTO(c *Calibration, names nameBook) QualityCalibrationDTO {
	return QualityCalibrationDTO{ID: c.ID, ConversationID: c.ConversationID, CuratorID: c.CuratorID, CuratorName: names.of(c.CuratorID),
		Day: c.Day, ScorecardID: c.ScorecardID, ScorecardVersionID: c.ScorecardVersionID, Note: c.Note, CreatedBy: c.CreatedBy,
		CreatedAt: c.CreatedAt.UTC()}
}

// QualityReviewerValueDTO is one reviewer's score of a criterion.
type QualityReviewerValueDTO struct {
	ReviewerID   string   `json:"reviewer_id" format:"uuid"`
	ReviewerName *string  `json:"reviewer_name"`
	Value        *int     `json:"value" doc:"null: not applicable."`
	Percent      *float64 `json:"percent" doc:"The value on 0–100."`
}

// QualitySpreadDTO is how far the reviewers are apart on one criterion.
type QualitySpreadDTO struct {
	Key           string                    `json:"key"`
	Title         string                    `json:"title"`
	Kind          string                    `json:"kind" doc:"yes_no or scale; empty on the overall row."`
	Values        []QualityReviewerValueDTO `json:"values"`
	Scored        int                       `json:"scored" doc:"Reviewers who gave a value (the sample of min, max and mean)."`
	NotApplicable int                       `json:"not_applicable"`
	Min           *float64                  `json:"min"`
	Max           *float64                  `json:"max"`
	Spread        *float64                  `json:"spread" doc:"max − min in points of 0–100; null before any value."`
	Mean          *float64                  `json:"mean"`
}

func spreadDTO(s *Spread, names nameBook) QualitySpreadDTO {
	out := QualitySpreadDTO{Key: s.Key, Title: s.Title, Kind: s.Kind, Scored: s.Scored, NotApplicable: s.NotApplicable, Min: s.Min, Max: s.Max,
		Spread: s.Spread, Mean: s.Mean, Values: make([]QualityReviewerValueDTO, len(s.Values))}
	for i, v := range s.Values {
		out.Values[i] = QualityReviewerValueDTO{ReviewerID: v.ReviewerID, ReviewerName: names.of(v.ReviewerID), Value: v.Value, Percent: v.Percent}
	}
	return out
}

// QualityCalibrationDetailDTO is a round with its reviewers' progress and
// the spread of their scores.
type QualityCalibrationDetailDTO struct {
	Calibration QualityCalibrationDTO  `json:"calibration"`
	Assignments []QualityAssignmentDTO `json:"assignments"`
	Criteria    []QualitySpreadDTO     `json:"criteria"`
	Overall     QualitySpreadDTO       `json:"overall" doc:"The spread of the reviews' total scores."`
}

// QualityCalibrationCreated is a new round with its assignments.
type QualityCalibrationCreated struct {
	Calibration QualityCalibrationDTO  `json:"calibration"`
	Assignments []QualityAssignmentDTO `json:"assignments"`
}

func registerCalibrations(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("quality_calibrations", "create"), huma.Operation{
		OperationID: "create-quality-calibration", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/calibrations", Tags: []string{tag},
		Summary: "Start a calibration round", Description: "Hands the same conversation to several reviewers on one pinned " +
			"scorecard version, so that the spread of their scores shows where they disagree. Calibration reviews do not count " +
			"towards the curator's score.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body QualityCalibrationBody
	}) (*struct{ Body QualityCalibrationCreated }, error) {
		b := in.Body
		c, as, err := svc.Calibrate(ctx, httpapi.OrgID(ctx), CalibrationInput{ConversationID: b.ConversationID, CuratorID: b.CuratorID,
			Day: b.Day, ReviewerIDs: b.ReviewerIDs, ScorecardID: b.ScorecardID, Note: b.Note})
		if err != nil {
			return nil, err
		}
		dtos, err := assignmentDTOs(ctx, svc, as)
		if err != nil {
			return nil, err
		}
		names, err := lookupNames(ctx, svc, c.CuratorID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body QualityCalibrationCreated }{Body: QualityCalibrationCreated{Calibration: calibrationDTO(c, names), Assignments: dtos}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_calibrations", "read"), huma.Operation{
		OperationID: "list-quality-calibrations", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/calibrations", Tags: []string{tag},
		Summary: "List calibration rounds", Description: "The newest first.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
	}) (*struct {
		Body httpapi.Page[QualityCalibrationDTO]
	}, error) {
		before, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Calibrations(ctx, httpapi.OrgID(ctx), before, in.Limit+1)
		if err != nil {
			return nil, err
		}
		var people []string
		for _, c := range rows {
			people = append(people, c.CuratorID)
		}
		names, err := lookupNames(ctx, svc, people...)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(rows, in.Limit, func(c Calibration) QualityCalibrationDTO { return calibrationDTO(&c, names) },
			func(c Calibration) []string { return []string{c.ID} })
		return &struct {
			Body httpapi.Page[QualityCalibrationDTO]
		}{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_calibrations", "read"), huma.Operation{
		OperationID: "get-quality-calibration", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/calibrations/{id}", Tags: []string{tag},
		Summary: "Read a calibration round", Description: "Per criterion: each reviewer's value and the spread (max − min on 0–100), " +
			"with how many gave a value.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body QualityCalibrationDetailDTO }, error) {
		v, err := svc.Calibration(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		people := []string{v.Calibration.CuratorID}
		for _, a := range v.Assignments {
			people = append(people, a.ReviewerID)
		}
		names, err := lookupNames(ctx, svc, people...)
		if err != nil {
			return nil, err
		}
		out := QualityCalibrationDetailDTO{Calibration: calibrationDTO(&v.Calibration, names), Overall: spreadDTO(&v.Overall, names),
			Assignments: make([]QualityAssignmentDTO, len(v.Assignments)), Criteria: make([]QualitySpreadDTO, len(v.Criteria))}
		for i := range v.Assignments {
			out.Assignments[i] = assignmentDTO(&v.Assignments[i], names)
		}
		for i := range v.Criteria {
			out.Criteria[i] = spreadDTO(&v.Criteria[i], names)
		}
		return &struct{ Body QualityCalibrationDetailDTO }{Body: out}, nil
	})
}
