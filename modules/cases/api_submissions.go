package cases

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CaseDTO is a student's case or testimonial.
type CaseDTO struct {
	ID            string    `json:"id" format:"uuid"`
	RequestID     *string   `json:"request_id" format:"uuid" doc:"The request it answers, if any."`
	StudentID     string    `json:"student_id" format:"uuid"`
	EnrollmentID  string    `json:"enrollment_id" format:"uuid"`
	CohortID      string    `json:"cohort_id" format:"uuid"`
	CourseID      string    `json:"course_id" format:"uuid"`
	CuratorID     *string   `json:"curator_id" format:"uuid" doc:"The credited curator: the student's curator at the time unless set otherwise."`
	CuratorName   *string   `json:"curator_name"`
	Source        string    `json:"source" enum:"link,lms,curator" doc:"Through the student's link, from the LMS, or recorded by a curator."`
	ExternalID    *string   `json:"external_id" doc:"The LMS's id of the case."`
	RecordedBy    *string   `json:"recorded_by" format:"uuid" doc:"The curator who took it down, for source curator."`
	Text          *string   `json:"text" doc:"The student's own words, byte for byte; null after erasure."`
	VideoURL      *string   `json:"video_url" doc:"null after erasure."`
	HasVideo      bool      `json:"has_video" doc:"It came with a video link (still true after erasure, for the counts)."`
	Rating        *int      `json:"rating"`
	Before        *string   `json:"before"`
	After         *string   `json:"after"`
	Excerpt       *string   `json:"excerpt" doc:"The passage chosen for publishing."`
	Tags          []string  `json:"tags"`
	Status        string    `json:"status" enum:"pending,approved,rejected,published,archived"`
	ConsentScopes []string  `json:"consent_scopes" doc:"What the consent in force covers; empty without one or after a withdrawal."`
	SubmittedAt   time.Time `json:"submitted_at"`
	Erased        bool      `json:"erased" doc:"The student was erased: the words and the video link are gone, the count stays."`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

func caseDTO(s *Submission, names map[string]string) CaseDTO {
	d := CaseDTO{ID: s.ID, RequestID: s.RequestID, StudentID: s.StudentID, EnrollmentID: s.EnrollmentID, CohortID: s.CohortID, CourseID: s.CourseID,
		CuratorID: s.CuratorID, Source: s.Source, ExternalID: s.ExternalID, RecordedBy: s.RecordedBy, Text: s.Body, VideoURL: s.VideoURL,
		HasVideo: s.HasVideo(), Rating: s.Rating, Before: s.BeforeText, After: s.AfterText, Excerpt: s.Excerpt, Tags: s.TagList(),
		Status: s.Status, ConsentScopes: s.Scopes(), SubmittedAt: utc(s.SubmittedAt), Erased: s.ErasedAt != nil,
		CreatedAt: utc(s.CreatedAt), UpdatedAt: utc(s.UpdatedAt), Version: s.Version}
	if s.CuratorID != nil {
		if n, ok := names[*s.CuratorID]; ok {
			d.CuratorName = &n
		}
	}
	return d
}

// CaseConsentDTO is one row of a case's consent trail.
type CaseConsentDTO struct {
	ID           string    `json:"id" format:"uuid"`
	Action       string    `json:"action" enum:"granted,withdrawn"`
	Scopes       []string  `json:"scopes"`
	TextVersion  string    `json:"text_version" doc:"The consent text version shown; empty for a withdrawal."`
	Channel      string    `json:"channel" enum:"link,lms,curator,email,paper,messenger"`
	GivenBy      string    `json:"given_by" enum:"student,guardian"`
	GuardianName *string   `json:"guardian_name"`
	Reason       string    `json:"reason"`
	RecordedBy   *string   `json:"recorded_by" format:"uuid"`
	GivenAt      time.Time `json:"given_at"`
	CreatedAt    time.Time `json:"created_at"`
}

func consentDTO(c Consent) CaseConsentDTO {
	return CaseConsentDTO{ID: c.ID, Action: c.Action, Scopes: c.ScopeList(), TextVersion: c.TextVersion, Channel: c.Channel,
		GivenBy: c.GivenBy, GuardianName: c.GuardianName, Reason: c.Reason, RecordedBy: c.RecordedBy, GivenAt: utc(c.GivenAt),
		CreatedAt: utc(c.CreatedAt)}
}

// CaseModerationDTO is one moderation decision.
type CaseModerationDTO struct {
	ID         string    `json:"id" format:"uuid"`
	FromStatus string    `json:"from_status" enum:"pending,approved,rejected,published,archived"`
	ToStatus   string    `json:"to_status" enum:"pending,approved,rejected,published,archived"`
	Reason     string    `json:"reason"`
	ActorID    *string   `json:"actor_id" format:"uuid"`
	At         time.Time `json:"at"`
}

// CaseDetailDTO is a case with its consent and moderation trails.
type CaseDetailDTO struct {
	CaseDTO
	Consents    []CaseConsentDTO    `json:"consents"`
	Moderations []CaseModerationDTO `json:"moderations"`
}

type caseOutput struct {
	ETag string `header:"ETag"`
	Body CaseDetailDTO
}

func caseOut(ctx context.Context, s *Service, d *SubmissionDetail) (*caseOutput, error) {
	names, err := s.curatorNames(ctx, d.Submission.OrgID, []Submission{*d.Submission})
	if err != nil {
		return nil, err
	}
	out := CaseDetailDTO{CaseDTO: caseDTO(d.Submission, names), Consents: []CaseConsentDTO{}, Moderations: []CaseModerationDTO{}}
	for _, c := range d.Consents {
		out.Consents = append(out.Consents, consentDTO(c))
	}
	for _, m := range d.Moderations {
		out.Moderations = append(out.Moderations, CaseModerationDTO{ID: m.ID, FromStatus: m.FromStatus, ToStatus: m.ToStatus, Reason: m.Reason,
			ActorID: m.ActorID, At: utc(m.At)})
	}
	return &caseOutput{ETag: httpapi.ETag(d.Submission.Version), Body: out}, nil
}

// NewCaseBody is a case a curator takes down from the student.
type NewCaseBody struct {
	StudentID    string           `json:"student_id" format:"uuid" doc:"The student whose case it is."`
	EnrollmentID string           `json:"enrollment_id,omitempty" format:"uuid" doc:"The enrollment it is about; the request's or the student's newest by default."`
	RequestID    string           `json:"request_id,omitempty" format:"uuid" doc:"The request it answers, if any; it is then closed."`
	Text         *string          `json:"text,omitempty" maxLength:"20000" doc:"The student's own words, exactly as the student wrote or said them."`
	VideoURL     *string          `json:"video_url,omitempty" maxLength:"2000" format:"uri" doc:"A link to the student's video (http or https)."`
	Rating       *int             `json:"rating,omitempty" minimum:"1" maximum:"5"`
	Before       *string          `json:"before,omitempty" maxLength:"5000"`
	After        *string          `json:"after,omitempty" maxLength:"5000"`
	Tags         []string         `json:"tags,omitempty" maxItems:"20"`
	CuratorID    *string          `json:"curator_id,omitempty" format:"uuid" doc:"Credit another curator than the student's (senior curators and the head only)."`
	SubmittedAt  *time.Time       `json:"submitted_at,omitempty" doc:"When the student gave it, if not now."`
	Consent      *CaseConsentBody `json:"consent,omitempty"`
}

// CaseChangesBody edits what is not the student's words.
type CaseChangesBody struct {
	Excerpt   *string   `json:"excerpt,omitempty" maxLength:"20000" doc:"A passage of the text exactly as written, to publish; empty to clear."`
	Tags      *[]string `json:"tags,omitempty" maxItems:"20"`
	CuratorID *string   `json:"curator_id,omitempty" format:"uuid" doc:"The credited curator (senior curators and the head only)."`
}

// CaseWithdrawalBody withdraws the consent in force.
type CaseWithdrawalBody struct {
	Channel string `json:"channel,omitempty" enum:"curator,email,paper,messenger,lms,link" doc:"How the withdrawal reached the school; curator by default."`
	Reason  string `json:"reason,omitempty" maxLength:"2000"`
}

type caseListQuery struct {
	httpapi.OrgPath
	httpapi.PageQuery
	CohortID  string `query:"cohort_id" format:"uuid" doc:"Only this cohort."`
	StudentID string `query:"student_id" format:"uuid" doc:"Only this student."`
	Status    string `query:"status" enum:"pending,approved,rejected,published,archived" doc:"Only this moderation status."`
	Source    string `query:"source" enum:"link,lms,curator" doc:"Only this source."`
}

func registerSubmissions(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cases", "read_own"), huma.Operation{
		OperationID: "list-cases", Method: http.MethodGet, Path: "/v1/orgs/{org}/cases", Tags: []string{tagCases},
		Summary:     "List cases",
		Description: "By id (oldest first), with the credited curator's name. A curator sees the cases credited to her; senior curators and the head see all.",
	}, func(ctx context.Context, in *caseListQuery) (*struct{ Body httpapi.Page[CaseDTO] }, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		org := httpapi.OrgID(ctx)
		rows, err := svc.Submissions(ctx, org, viewer(ctx, "cases"), SubmissionFilter{CohortID: in.CohortID, StudentID: in.StudentID,
			Status: in.Status, Source: in.Source, AfterID: after, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		names, err := svc.curatorNames(ctx, org, rows)
		if err != nil {
			return nil, err
		}
		return &struct{ Body httpapi.Page[CaseDTO] }{Body: httpapi.NewPage(rows, in.Limit,
			func(s Submission) CaseDTO { return caseDTO(&s, names) }, func(s Submission) []string { return []string{s.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases", "read_own"), huma.Operation{
		OperationID: "get-case", Method: http.MethodGet, Path: "/v1/orgs/{org}/cases/{id}", Tags: []string{tagCases},
		Summary: "Get a case with its consent and moderation trails", Description: "A curator sees only the cases credited to her.",
	}, func(ctx context.Context, in *IDPath) (*caseOutput, error) {
		d, err := svc.Submission(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx, "cases"))
		if err != nil {
			return nil, err
		}
		return caseOut(ctx, svc, d)
	})

	httpapi.Register(api, httpapi.OrgPermission("cases", "create"), huma.Operation{
		OperationID: "record-case", Method: http.MethodPost, Path: "/v1/orgs/{org}/cases", Tags: []string{tagCases},
		Summary: "Record a case with the student's words",
		Description: "For a case the student gave a curator directly. The words are stored exactly as sent and never edited. " +
			"With request_id the request is closed. A curator records cases credited to herself. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewCaseBody
	}) (*caseOutput, error) {
		b := in.Body
		sub, err := svc.RecordSubmission(ctx, httpapi.OrgID(ctx), viewer(ctx, "cases"), NewSubmission{StudentID: b.StudentID,
			EnrollmentID: b.EnrollmentID, RequestID: b.RequestID, SubmissionInput: SubmissionInput{Body: b.Text, VideoURL: b.VideoURL,
				Rating: b.Rating, BeforeText: b.Before, AfterText: b.After, Tags: b.Tags, CuratorID: b.CuratorID, SubmittedAt: b.SubmittedAt,
				Consent: b.Consent.input()}})
		if err != nil {
			return nil, err
		}
		d, err := svc.Detail(ctx, sub)
		if err != nil {
			return nil, err
		}
		return caseOut(ctx, svc, d)
	})

	httpapi.Register(api, httpapi.OrgPermission("cases", "update"), huma.Operation{
		OperationID: "update-case", Method: http.MethodPatch, Path: "/v1/orgs/{org}/cases/{id}", Tags: []string{tagCases},
		Summary: "Choose the excerpt, tags or credited curator",
		Description: "The student's words are never edited: the excerpt must be a passage of the text as written. " +
			"With If-Match from the last read. Audited.",
		Errors: []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body CaseChangesBody
	}) (*caseOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		org := httpapi.OrgID(ctx)
		sub, err := svc.UpdateSubmission(ctx, org, in.ID, v, viewer(ctx, "cases"), SubmissionChanges{Excerpt: in.Body.Excerpt,
			Tags: in.Body.Tags, CuratorID: in.Body.CuratorID})
		if err != nil {
			return nil, err
		}
		d, err := svc.Detail(ctx, sub)
		if err != nil {
			return nil, err
		}
		return caseOut(ctx, svc, d)
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_consents", "create"), huma.Operation{
		OperationID: "grant-case-consent", Method: http.MethodPost, Path: "/v1/orgs/{org}/cases/{id}/consents", Tags: []string{tagCases},
		Summary: "Record a consent for a case",
		Description: "A new consent row (consent is append-only) that replaces the one in force: scopes, the consent text version shown, " +
			"channel, time; for a student under 18 a guardian's consent with the guardian's name. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body CaseConsentBody
	}) (*caseOutput, error) {
		d, err := svc.GrantConsent(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx, "cases"), *in.Body.input())
		if err != nil {
			return nil, err
		}
		return caseOut(ctx, svc, d)
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_consents", "create"), huma.Operation{
		OperationID: "withdraw-case-consent", Method: http.MethodPost, Path: "/v1/orgs/{org}/cases/{id}/consents/withdraw", Tags: []string{tagCases},
		Summary: "Withdraw the consent for a case",
		Description: "Appends a withdrawal and, in the same transaction, takes the case out of every export and archives it if published. " +
			"409 without a consent in force. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body CaseWithdrawalBody
	}) (*caseOutput, error) {
		d, err := svc.WithdrawConsent(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx, "cases"), Withdrawal{Channel: in.Body.Channel, Reason: in.Body.Reason})
		if err != nil {
			return nil, err
		}
		return caseOut(ctx, svc, d)
	})
}

// CaseDecisionBody is a moderator's step.
type CaseDecisionBody struct {
	Status string `json:"status" enum:"approved,rejected,published,archived" doc:"pending → approved | rejected; approved → published | archived; published → archived."`
	Reason string `json:"reason,omitempty" maxLength:"2000" doc:"Why; required to reject or archive."`
}

func registerModeration(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cases", "moderate"), huma.Operation{
		OperationID: "moderate-case", Method: http.MethodPost, Path: "/v1/orgs/{org}/cases/{id}/moderation", Tags: []string{tagCases},
		Summary: "Approve, reject, publish or archive a case",
		Description: "Senior curators and the head. Publishing needs a consent in force covering a website, social or advertising use. " +
			"With If-Match from the last read. Audited, and kept in the case's moderation trail.",
		Errors: []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body CaseDecisionBody
	}) (*caseOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		d, err := svc.Moderate(ctx, httpapi.OrgID(ctx), in.ID, v, viewer(ctx, "cases").UserID, Decision{Status: in.Body.Status, Reason: in.Body.Reason})
		if err != nil {
			return nil, err
		}
		return caseOut(ctx, svc, d)
	})
}
