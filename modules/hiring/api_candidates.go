package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CandidateBody is a candidate as HR writes them.
type CandidateBody struct {
	FullName string  `json:"full_name" minLength:"1" maxLength:"200" example:"Анна Соколова"`
	Email    *string `json:"email,omitempty" format:"email" maxLength:"254" doc:"Needed for an offer: the account is created from it."`
	Phone    *string `json:"phone,omitempty" maxLength:"40" example:"+79161234567"`
	Telegram *string `json:"telegram,omitempty" maxLength:"40" example:"@anna_sokolova"`
	Source   string  `json:"source" enum:"job_site,referral,former_student,reserve,other"`
	CVURL    *string `json:"cv_url,omitempty" format:"uri" maxLength:"2000"`
	Notes    string  `json:"notes,omitempty" maxLength:"5000"`
}

func (b *CandidateBody) input() CandidateInput {
	return CandidateInput{FullName: b.FullName, Email: b.Email, Phone: b.Phone, Telegram: b.Telegram, Source: b.Source, CVURL: b.CVURL, Notes: b.Notes}
}

// NewCandidateBody records a candidate with their consent.
type NewCandidateBody struct {
	CandidateBody
	ConsentExpiresAt time.Time `json:"consent_expires_at" doc:"Until when the candidate agreed their data may be kept (at most 5 years ahead); on that day it is erased."`
}

// CandidateDTO is a candidate.
type CandidateDTO struct {
	ID               string     `json:"id" format:"uuid"`
	FullName         string     `json:"full_name"`
	Email            *string    `json:"email"`
	Phone            *string    `json:"phone"`
	Telegram         *string    `json:"telegram"`
	Source           string     `json:"source" enum:"job_site,referral,former_student,reserve,other"`
	CVURL            *string    `json:"cv_url"`
	ConsentExpiresAt time.Time  `json:"consent_expires_at"`
	InReserve        bool       `json:"in_reserve"`
	Tags             []string   `json:"tags" nullable:"false"`
	RecontactOn      *string    `json:"recontact_on" format:"date"`
	BestTestPercent  *int       `json:"best_test_percent" doc:"Best test-task agreement with the reference verdicts, in % rounded down; null before a submitted task."`
	Notes            string     `json:"notes"`
	ErasedAt         *time.Time `json:"erased_at"`
	CreatedAt        time.Time  `json:"created_at"`
	Version          int64      `json:"version"`
}

func candidateDTO(c *Candidate) CandidateDTO {
	return CandidateDTO{ID: c.ID, FullName: c.FullName, Email: c.Email, Phone: c.Phone, Telegram: c.Telegram, Source: c.Source, CVURL: c.CVURL,
		ConsentExpiresAt: utc(c.ConsentExpiresAt), InReserve: c.InReserve, Tags: c.Tags(), RecontactOn: c.RecontactOn,
		BestTestPercent: c.BestTestPercent, Notes: c.Notes, ErasedAt: httpapi.UTC(c.ErasedAt), CreatedAt: utc(c.CreatedAt), Version: c.Version}
}

type candidateOutput struct {
	ETag string `header:"ETag"`
	Body CandidateDTO
}

func candidateOut(c *Candidate) *candidateOutput {
	return &candidateOutput{ETag: httpapi.ETag(c.Version), Body: candidateDTO(c)}
}

// ConsentBody renews a candidate's consent.
type ConsentBody struct {
	ExpiresAt time.Time `json:"expires_at" doc:"The new end of the consent, at most 5 years ahead."`
}

// ReserveBody keeps a candidate in the talent reserve.
type ReserveBody struct {
	InReserve   bool     `json:"in_reserve"`
	Tags        []string `json:"tags" maxItems:"20" doc:"Skills tags, kept lowercase, each once; no commas." example:"[\"дизайн\",\"figma\"]"`
	RecontactOn *string  `json:"recontact_on,omitempty" format:"date" maxLength:"10" doc:"When to contact the candidate again."`
}

// CandidateConsentDTO is one line of a candidate's consent history.
type CandidateConsentDTO struct {
	ID           string     `json:"id" format:"uuid"`
	Kind         string     `json:"kind" enum:"given,withdrawn"`
	ExpiresAt    *time.Time `json:"expires_at"`
	RecordedBy   string     `json:"recorded_by"`
	RecordedAt   time.Time  `json:"recorded_at"`
	RecorderName string     `json:"recorded_by_name"`
}

// CandidateHistoryDTO is a candidate's whole history across vacancies.
type CandidateHistoryDTO struct {
	Applications []ApplicationDTO      `json:"applications" nullable:"false"`
	Moves        []StageMoveDTO        `json:"moves" nullable:"false"`
	Consents     []CandidateConsentDTO `json:"consents" nullable:"false"`
}

// CandidateExportDTO is everything held about a candidate.
type CandidateExportDTO struct {
	Candidate  CandidateDTO            `json:"candidate"`
	History    CandidateHistoryDTO     `json:"history"`
	TestTasks  []TestTaskDTO           `json:"test_tasks" nullable:"false"`
	Scorecards []InterviewScorecardDTO `json:"scorecards" nullable:"false"`
	Offers     []HiringOfferDTO        `json:"offers" nullable:"false"`
}

func registerCandidates(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "write"), huma.Operation{
		OperationID: "create-hiring-candidate", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-candidates", Tags: []string{"Hiring"},
		Summary:       "Record a candidate",
		Description:   "With their consent to keep the data until consent_expires_at: the first line of the consent history. Audited.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewCandidateBody
	}) (*candidateOutput, error) {
		c, err := svc.CreateCandidate(ctx, httpapi.OrgID(ctx), in.Body.input(), in.Body.ConsentExpiresAt)
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "read"), huma.Operation{
		OperationID: "list-hiring-candidates", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-candidates", Tags: []string{"Hiring"},
		Summary:     "List and search candidates",
		Description: "Oldest first; erased candidates are left out. The talent-reserve search: in_reserve=true with a tag, a source, a minimum test score, or recontact_due=true for those whose recontact date has come.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
		Source       string `query:"source" enum:"job_site,referral,former_student,reserve,other"`
		InReserve    string `query:"in_reserve" enum:"true,false"`
		Tag          string `query:"tag" maxLength:"40"`
		MinScore     int    `query:"min_score" minimum:"0" maximum:"100" default:"0" doc:"Best test-task agreement at least this %; 0 does not filter."`
		RecontactDue bool   `query:"recontact_due" doc:"Only candidates whose recontact date is today or earlier."`
	}) (*struct{ Body httpapi.Page[CandidateDTO] }, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		f := CandidateFilter{Source: in.Source, Tag: in.Tag, AfterID: after, Limit: in.Limit}
		if in.InReserve != "" {
			v := in.InReserve == "true"
			f.InReserve = &v
		}
		if in.MinScore > 0 {
			f.MinScore = &in.MinScore
		}
		if in.RecontactDue {
			f.RecontactBy = svc.Now().UTC().Format(time.DateOnly)
		}
		rows, err := svc.Candidates(ctx, httpapi.OrgID(ctx), f)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(rows, in.Limit, func(c Candidate) CandidateDTO { return candidateDTO(&c) },
			func(c Candidate) []string { return []string{c.ID} })
		return &struct{ Body httpapi.Page[CandidateDTO] }{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "read"), huma.Operation{
		OperationID: "get-hiring-candidate", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-candidates/{id}", Tags: []string{"Hiring"},
		Summary: "Get a candidate", Description: "The ETag is the version an edit's If-Match needs.",
	}, func(ctx context.Context, in *IDPath) (*candidateOutput, error) {
		c, err := svc.Candidate(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "write"), huma.Operation{
		OperationID: "update-hiring-candidate", Method: http.MethodPut, Path: "/v1/orgs/{org}/hiring-candidates/{id}", Tags: []string{"Hiring"},
		Summary: "Replace a candidate's details", Description: "Name, contacts, source, CV and notes, with If-Match. Audited.",
		Errors: append([]int{http.StatusConflict}, versioned...),
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body CandidateBody
	}) (*candidateOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		c, err := svc.UpdateCandidate(ctx, httpapi.OrgID(ctx), in.ID, v, in.Body.input())
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "write"), huma.Operation{
		OperationID: "renew-hiring-candidate-consent", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-candidates/{id}/consents", Tags: []string{"Hiring"},
		Summary: "Record a renewed consent", Description: "A new line of the consent history, with If-Match. Audited.",
		Errors: append([]int{http.StatusConflict}, versioned...),
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body ConsentBody
	}) (*candidateOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		c, err := svc.RenewConsent(ctx, httpapi.OrgID(ctx), in.ID, v, in.Body.ExpiresAt)
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "write"), huma.Operation{
		OperationID: "set-hiring-candidate-reserve", Method: http.MethodPut, Path: "/v1/orgs/{org}/hiring-candidates/{id}/reserve", Tags: []string{"Hiring"},
		Summary: "Keep a candidate in the talent reserve", Description: "In or out of the reserve, with tags and a recontact date, with If-Match. Audited.",
		Errors: append([]int{http.StatusConflict}, versioned...),
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body ReserveBody
	}) (*candidateOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		c, err := svc.SetReserve(ctx, httpapi.OrgID(ctx), in.ID, v, ReserveInput{InReserve: in.Body.InReserve, Tags: in.Body.Tags, RecontactOn: in.Body.RecontactOn})
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "read"), huma.Operation{
		OperationID: "get-hiring-candidate-history", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-candidates/{id}/history", Tags: []string{"Hiring"},
		Summary: "Get a candidate's history", Description: "Every application, stage move and consent across vacancies, oldest first.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body CandidateHistoryDTO }, error) {
		h, err := svc.CandidateHistory(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out, err := historyDTO(ctx, svc, h)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateHistoryDTO }{Body: *out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "export"), huma.Operation{
		OperationID: "export-hiring-candidate", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-candidates/{id}/export", Tags: []string{"Hiring"},
		Summary: "Export a candidate's data", Description: "Everything held about the candidate, for a data-subject request. The export is audited.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body CandidateExportDTO }, error) {
		x, err := svc.ExportCandidate(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out, err := exportDTO(ctx, svc, x)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CandidateExportDTO }{Body: *out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "erase"), huma.Operation{
		OperationID: "erase-hiring-candidate", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-candidates/{id}/erase", Tags: []string{"Hiring"},
		Summary:     "Erase a candidate's personal data",
		Description: "Name, contacts, CV link, notes and tags go, here and in the audit log; the applications and stage history stay, anonymous. Audited.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *IDPath) (*candidateOutput, error) {
		c, err := svc.EraseCandidate(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_candidate", "erase"), huma.Operation{
		OperationID: "withdraw-hiring-candidate-consent", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-candidates/{id}/consent-withdrawal", Tags: []string{"Hiring"},
		Summary:     "Record a withdrawn consent",
		Description: "The candidate withdrew their consent: a line of the consent history, and the data is erased at once. Audited.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *IDPath) (*candidateOutput, error) {
		c, err := svc.WithdrawConsent(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return candidateOut(c), nil
	})
}

func historyDTO(ctx context.Context, svc *Service, h *CandidateHistory) (*CandidateHistoryDTO, error) {
	apps, err := applicationDTOs(ctx, svc, h.Applications)
	if err != nil {
		return nil, err
	}
	moves, err := moveDTOs(ctx, svc, h.Moves)
	if err != nil {
		return nil, err
	}
	var people []string
	for _, c := range h.Consents {
		people = append(people, c.RecordedBy)
	}
	who, err := names(ctx, svc, httpapi.OrgID(ctx), people)
	if err != nil {
		return nil, err
	}
	out := &CandidateHistoryDTO{Applications: apps, Moves: moves, Consents: []CandidateConsentDTO{}}
	for _, c := range h.Consents {
		out.Consents = append(out.Consents, CandidateConsentDTO{ID: c.ID, Kind: c.Kind, ExpiresAt: httpapi.UTC(c.ExpiresAt), RecordedBy: c.RecordedBy,
			RecordedAt: utc(c.RecordedAt), RecorderName: who[c.RecordedBy]})
	}
	return out, nil
}

func exportDTO(ctx context.Context, svc *Service, x *CandidateExport) (*CandidateExportDTO, error) {
	h, err := historyDTO(ctx, svc, x.History)
	if err != nil {
		return nil, err
	}
	out := &CandidateExportDTO{Candidate: candidateDTO(x.Candidate), History: *h, TestTasks: []TestTaskDTO{}, Scorecards: []InterviewScorecardDTO{},
		Offers: []HiringOfferDTO{}}
	for i := range x.Tasks {
		out.TestTasks = append(out.TestTasks, testTaskDTO(&x.Tasks[i], x.Answers[x.Tasks[i].ID], svc.Now()))
	}
	cards, err := scorecardDTOs(ctx, svc, x.Scorecards)
	if err != nil {
		return nil, err
	}
	out.Scorecards = cards
	for i := range x.Offers {
		out.Offers = append(out.Offers, offerDTO(&x.Offers[i], svc.Now()))
	}
	return out, nil
}
