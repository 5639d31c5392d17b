package cases

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CaseShareDTO is a part of a whole with its percentage.
type CaseShareDTO struct {
	Part    int      `json:"part" doc:"The numerator."`
	Whole   int      `json:"whole" doc:"The denominator."`
	Percent *float64 `json:"percent" doc:"part ÷ whole in percent, two decimals; null when whole is 0."`
}

func caseShareDTO(s Share) CaseShareDTO {
	return CaseShareDTO{Part: s.Part, Whole: s.Whole, Percent: s.Percent}
}

func sharePtr(s *Share) *CaseShareDTO {
	if s == nil {
		return nil
	}
	d := caseShareDTO(*s)
	return &d
}

// CaseCountsDTO are the collection figures of a cohort or a curator.
type CaseCountsDTO struct {
	Requests             int           `json:"requests" doc:"Requests made."`
	Conversion           CaseShareDTO  `json:"conversion" doc:"Requests answered with a case, of requests made."`
	Submissions          int           `json:"submissions" doc:"Cases received, in any status."`
	Pending              int           `json:"pending" doc:"Cases waiting for moderation."`
	Rejected             int           `json:"rejected"`
	Reviews              int           `json:"reviews" doc:"Collected cases: approved, published or archived."`
	Videos               int           `json:"videos" doc:"Collected cases that came with a video link."`
	ReviewTarget         *int          `json:"review_target,omitempty" doc:"The cohort's target of collected cases; absent for a curator."`
	VideoTarget          *int          `json:"video_target,omitempty" doc:"The cohort's target of video cases; absent for a curator."`
	ReviewProgress       *CaseShareDTO `json:"review_progress,omitempty" doc:"reviews of review_target; absent for a curator."`
	VideoProgress        *CaseShareDTO `json:"video_progress,omitempty" doc:"videos of video_target; absent for a curator."`
	MedianHoursToCollect *float64      `json:"median_hours_to_collect" doc:"Nearest-rank median of the hours from a request to the case answering it; null without any."`
	CollectSample        int           `json:"collect_sample" doc:"Answered requests the median is taken over."`
}

func countsDTO(c Counts) CaseCountsDTO {
	return CaseCountsDTO{Requests: c.Requests, Conversion: caseShareDTO(c.Conversion), Submissions: c.Submissions, Pending: c.Pending,
		Rejected: c.Rejected, Reviews: c.Reviews, Videos: c.Videos, ReviewTarget: c.ReviewTarget, VideoTarget: c.VideoTarget,
		ReviewProgress: sharePtr(c.ReviewProgress), VideoProgress: sharePtr(c.VideoProgress), MedianHoursToCollect: c.MedianHoursToCollect,
		CollectSample: c.CollectSample}
}

// CohortCaseCountsDTO is one cohort's figures.
type CohortCaseCountsDTO struct {
	CohortID   string `json:"cohort_id" format:"uuid"`
	CohortName string `json:"cohort_name"`
	CourseID   string `json:"course_id" format:"uuid"`
	CourseName string `json:"course_name"`
	CaseCountsDTO
}

// CuratorCaseCountsDTO is one credited curator's figures.
type CuratorCaseCountsDTO struct {
	CuratorID   *string `json:"curator_id" format:"uuid" doc:"null for the cases credited to nobody."`
	CuratorName *string `json:"curator_name"`
	CaseCountsDTO
}

// CohortCaseCountsList is the figures of every cohort.
type CohortCaseCountsList struct {
	Items []CohortCaseCountsDTO `json:"items" nullable:"false"`
}

// CuratorCaseCountsList is the figures of every credited curator.
type CuratorCaseCountsList struct {
	Items []CuratorCaseCountsDTO `json:"items" nullable:"false"`
}

type countsQuery struct {
	httpapi.OrgPath
	CohortID string    `query:"cohort_id" format:"uuid" doc:"Only this cohort."`
	From     time.Time `query:"from" doc:"Requests made and cases submitted from this instant (inclusive); all time when omitted. Take midnight in the school's time zone for its days." example:"2026-03-01T00:00:00+03:00"`
	To       time.Time `query:"to" doc:"Requests made and cases submitted before this instant (exclusive); open when omitted." example:"2026-04-01T00:00:00+03:00"`
}

// period checks the query's period.
func (q *countsQuery) period() (Period, error) {
	if err := clock.CheckPeriod(q.From, q.To); err != nil {
		return Period{}, err
	}
	return Period{From: q.From, To: q.To}, nil
}

// CaseTargetBody is a cohort's own target.
type CaseTargetBody struct {
	VideoTarget  int `json:"video_target" minimum:"0" maximum:"100000" doc:"Video cases to collect." example:"10"`
	ReviewTarget int `json:"review_target" minimum:"0" maximum:"100000" doc:"Cases (reviews) to collect, videos included." example:"100"`
}

// CaseTargetDTO is a cohort's saved target.
type CaseTargetDTO struct {
	CohortID string `json:"cohort_id" format:"uuid"`
	CaseTargetBody
	Version int64 `json:"version"`
}

const countsDoc = " Collected means approved, published or archived; an erased student's cases still count. " +
	"A curator counts only what is credited to her. With from and to, only the requests made and the cases submitted in [from, to) count; " +
	"a case answering a request made before from counts with its time to collect."

func registerStats(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cases_stats", "read_own"), huma.Operation{
		OperationID: "case-counts-by-cohort", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-stats/cohorts", Tags: []string{tagCases},
		Summary: "Case counts per cohort",
		Description: "Every cohort, oldest first: requests, conversion to a case, cases by status, videos, progress towards the cohort's target " +
			"(its own or the school's default) and the median time to collect." + countsDoc,
	}, func(ctx context.Context, in *countsQuery) (*struct{ Body CohortCaseCountsList }, error) {
		p, err := in.period()
		if err != nil {
			return nil, err
		}
		rows, err := svc.CohortCountsIn(ctx, httpapi.OrgID(ctx), in.CohortID, p, viewer(ctx, "cases_stats"))
		if err != nil {
			return nil, err
		}
		out := CohortCaseCountsList{Items: make([]CohortCaseCountsDTO, len(rows))}
		for i, r := range rows {
			out.Items[i] = CohortCaseCountsDTO{CohortID: r.Cohort.ID, CohortName: r.Cohort.Name, CourseID: r.Cohort.CourseID,
				CourseName: r.Cohort.CourseName, CaseCountsDTO: countsDTO(r.Counts)}
		}
		return &struct{ Body CohortCaseCountsList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_stats", "read_own"), huma.Operation{
		OperationID: "case-counts-by-curator", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-stats/curators", Tags: []string{tagCases},
		Summary:     "Case counts per credited curator",
		Description: "By curator name, cases credited to nobody last: requests, conversion, cases by status, videos and the median time to collect." + countsDoc,
	}, func(ctx context.Context, in *countsQuery) (*struct{ Body CuratorCaseCountsList }, error) {
		p, err := in.period()
		if err != nil {
			return nil, err
		}
		rows, err := svc.CuratorCountsIn(ctx, httpapi.OrgID(ctx), in.CohortID, p, viewer(ctx, "cases_stats"))
		if err != nil {
			return nil, err
		}
		out := CuratorCaseCountsList{Items: make([]CuratorCaseCountsDTO, len(rows))}
		for i, r := range rows {
			out.Items[i] = CuratorCaseCountsDTO{CuratorID: r.CuratorID, CuratorName: r.CuratorName, CaseCountsDTO: countsDTO(r.Counts)}
		}
		return &struct{ Body CuratorCaseCountsList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_targets", "update"), huma.Operation{
		OperationID: "put-case-target", Method: http.MethodPut, Path: "/v1/orgs/{org}/case-targets/{id}", Tags: []string{tagCases},
		Summary: "Set a cohort's case target",
		Description: "Overrides the school's default for one cohort (id is the cohort's). The first time without If-Match; " +
			"after that with If-Match from the last answer (409 without it, 412 when stale). Audited.",
		Errors: []int{http.StatusConflict, http.StatusPreconditionFailed},
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body CaseTargetBody
	}) (*struct {
		ETag string `header:"ETag"`
		Body CaseTargetDTO
	}, error) {
		var version *int64
		if in.IfMatch.IfMatch != "" {
			v, err := in.Version()
			if err != nil {
				return nil, err
			}
			version = &v
		}
		t, err := svc.SetCohortTarget(ctx, httpapi.OrgID(ctx), in.ID, version, TargetInput{VideoTarget: in.Body.VideoTarget, ReviewTarget: in.Body.ReviewTarget})
		if err != nil {
			return nil, err
		}
		return &struct {
			ETag string `header:"ETag"`
			Body CaseTargetDTO
		}{ETag: httpapi.ETag(t.Version), Body: CaseTargetDTO{CohortID: t.CohortID, CaseTargetBody: CaseTargetBody{VideoTarget: t.VideoTarget,
			ReviewTarget: t.ReviewTarget}, Version: t.Version}}, nil
	})
}
