package onboarding

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// OnboardingPlanItemDTO is one item of a plan as it stands.
type OnboardingPlanItemDTO struct {
	ID                string     `json:"id" format:"uuid"`
	Key               string     `json:"key"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	Kind              string     `json:"kind" enum:"read_regulation,pass_quiz,shadow,supervised_reviews,sign_document,task"`
	Assignee          string     `json:"assignee" enum:"newcomer,mentor,hr"`
	DueAt             time.Time  `json:"due_at"`
	Weight            int        `json:"weight"`
	Required          bool       `json:"required" doc:"Required before students."`
	Automatic         bool       `json:"automatic" doc:"Completes itself from the knowledge base or the review queue; never confirmed by hand."`
	ArticleID         *string    `json:"article_id" format:"uuid"`
	ReviewCount       *int       `json:"review_count" doc:"supervised_reviews: reviews that must pass quality control."`
	ReviewsPassed     *int       `json:"reviews_passed" doc:"supervised_reviews: the newcomer's reviews that passed so far."`
	MinQualityPercent *int       `json:"min_quality_percent"`
	Status            string     `json:"status" enum:"done,pending,overdue"`
	DoneAt            *time.Time `json:"done_at" doc:"When it was done: for an automatic item, the time of the fact (the acknowledgment, the pass, the n-th passed check)."`
	DoneBy            *string    `json:"done_by" doc:"Who confirmed it, or \"system\" for an automatic item."`
	DoneByName        *string    `json:"done_by_name"`
	Source            *string    `json:"source" enum:"manual,kb,homework" doc:"manual (a person confirmed it), kb or homework (the fact of that module completed it); null while not done."`
	Note              *string    `json:"note"`
}

// OnboardingPlanDTO is a newcomer's plan as it stands now.
type OnboardingPlanDTO struct {
	ID               string                  `json:"id" format:"uuid"`
	UserID           string                  `json:"user_id" format:"uuid"`
	UserName         *string                 `json:"user_name"`
	Role             string                  `json:"role" enum:"curator,senior_curator,head_of_service,hr,finance"`
	TemplateID       string                  `json:"template_id" format:"uuid"`
	MentorID         *string                 `json:"mentor_id" format:"uuid"`
	MentorName       *string                 `json:"mentor_name"`
	StartDate        string                  `json:"start_date" format:"date"`
	Status           string                  `json:"status" enum:"onboarding,active,completed" doc:"onboarding: required items left, no students yet; active: may take students; completed: every item done."`
	ProgressPercent  *float64                `json:"progress_percent" doc:"weight_done ÷ weight_total × 100, one decimal; null when the items weigh nothing."`
	WeightDone       int                     `json:"weight_done"`
	WeightTotal      int                     `json:"weight_total"`
	OverdueItems     int                     `json:"overdue_items"`
	Unfinished       []string                `json:"unfinished_required" nullable:"false" doc:"Titles of the required items not done: what keeps students from the newcomer."`
	ActivatedAt      *time.Time              `json:"activated_at" doc:"When the newcomer could take students."`
	Activation       *string                 `json:"activation" doc:"completed (every required item done) or early (HR or the head let the newcomer start); null while neither."`
	ActivationReason *string                 `json:"activation_reason"`
	Items            []OnboardingPlanItemDTO `json:"items" nullable:"false"`
	Version          int64                   `json:"version"`
}

func planDTO(v *PlanView, names map[string]string) OnboardingPlanDTO {
	p := &v.Plan
	d := OnboardingPlanDTO{ID: p.ID, UserID: p.UserID, UserName: nameOf(names, &p.UserID), Role: p.Role, TemplateID: p.TemplateID,
		MentorID: p.MentorID, MentorName: nameOf(names, p.MentorID), StartDate: dateOf(p.StartDate), Status: v.Status(),
		ProgressPercent: v.Progress(), WeightDone: v.WeightDone, WeightTotal: v.WeightTotal, OverdueItems: v.Overdue(),
		Unfinished: v.Unfinished(), ActivatedAt: httpapi.UTC(v.ActivatedAt()), Activation: p.Activation,
		Items: make([]OnboardingPlanItemDTO, len(v.Items)), Version: p.Version}
	if d.Unfinished == nil {
		d.Unfinished = []string{}
	}
	if d.ActivatedAt != nil && d.Activation == nil {
		completed := ActivationCompleted
		d.Activation = &completed
	}
	if p.ActivationReason != "" {
		d.ActivationReason = &p.ActivationReason
	}
	for i := range v.Items {
		d.Items[i] = itemDTO(&v.Items[i], names)
	}
	return d
}

func itemDTO(st *ItemState, names map[string]string) OnboardingPlanItemDTO {
	it := &st.Item
	d := OnboardingPlanItemDTO{ID: it.ID, Key: it.Key, Title: it.Title, Description: it.Description, Kind: it.Kind, Assignee: it.Assignee,
		DueAt: it.DueAt.UTC(), Weight: it.Weight, Required: it.Required, Automatic: it.Automatic(), ArticleID: it.ArticleID,
		Status: st.Status, DoneAt: httpapi.UTC(st.DoneAt)}
	if it.Kind == KindSupervised {
		count, passed, mark := it.ReviewCount, st.Passed, it.MinQualityPercent
		if st.Recorded {
			passed = count
		}
		d.ReviewCount, d.ReviewsPassed, d.MinQualityPercent = &count, &passed, &mark
	}
	if st.DoneAt != nil {
		by, source := st.DoneBy, st.Source
		d.DoneBy, d.DoneByName, d.Source = &by, nameOf(names, &by), &source
		if st.Note != "" {
			note := st.Note
			d.Note = &note
		}
	}
	return d
}

// people lists everyone a page of plans names.
func people(views []PlanView) []string {
	var ids []string
	for i := range views {
		p := &views[i].Plan
		ids = append(ids, p.UserID)
		if p.MentorID != nil {
			ids = append(ids, *p.MentorID)
		}
		for _, st := range views[i].Items {
			if st.DoneBy != "" && st.DoneBy != systemActor {
				ids = append(ids, st.DoneBy)
			}
		}
	}
	return ids
}

type planOutput struct {
	ETag string `header:"ETag"`
	Body OnboardingPlanDTO
}

type planListOutput struct {
	Body httpapi.Page[OnboardingPlanDTO]
}

// OnboardingPlanPath addresses one plan.
type OnboardingPlanPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Plan id."`
}

// NewOnboardingPlanBody starts a plan.
type NewOnboardingPlanBody struct {
	UserID    string  `json:"user_id" format:"uuid" doc:"An active member of the school without a plan."`
	Role      string  `json:"role,omitempty" enum:"curator,senior_curator,head_of_service,hr,finance" default:"curator" doc:"Whose template to copy."`
	StartDate string  `json:"start_date" format:"date" example:"2026-12-07"`
	MentorID  *string `json:"mentor_id,omitempty" format:"uuid" doc:"An active member of the school, usually a senior curator."`
}

// OnboardingMentorBody changes the plan's mentor.
type OnboardingMentorBody struct {
	MentorID *string `json:"mentor_id" format:"uuid" nullable:"true" doc:"The new mentor; null leaves the plan without one."`
}

// OnboardingActivationBody lets a newcomer start before finishing onboarding.
type OnboardingActivationBody struct {
	Reason string `json:"reason" minLength:"1" maxLength:"1000" doc:"Why the newcomer may take students before every required item is done; kept in the audit log."`
}

// OnboardingCompletionBody confirms an item.
type OnboardingCompletionBody struct {
	Note string `json:"note,omitempty" maxLength:"1000" doc:"What was done, e.g. the signed document's number."`
}

type planListInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	UserID    string `query:"user_id" format:"uuid"`
	MentorID  string `query:"mentor_id" format:"uuid"`
	Activated string `query:"activated" enum:"true,false" doc:"true: newcomers who may take students; false: those who may not yet (as last recorded)."`
}

// planOut answers one plan with the names of the people it names.
func planOut(ctx context.Context, svc *Service, v *PlanView) (*planOutput, error) {
	names, err := svc.PeopleNames(ctx, v.Plan.OrgID, people([]PlanView{*v}))
	if err != nil {
		return nil, err
	}
	return &planOutput{ETag: httpapi.ETag(v.Plan.Version), Body: planDTO(v, names)}, nil
}

func registerPlans(api huma.API, svc *Service) {
	seen := " HR and the head (onboarding_plans:read_all) see every plan; anyone else sees their own plan and their mentees'."
	httpapi.Register(api, httpapi.OrgPermission("onboarding_plans", "create"), huma.Operation{
		OperationID: "create-onboarding-plan", Method: http.MethodPost, Path: "/v1/orgs/{org}/onboarding-plans", Tags: []string{"Onboarding"},
		Summary:     "Start a newcomer's onboarding plan",
		Description: "Copies the role's template (the default one is set up first when the role has none: sign the contract, read and pass the quiz of every regulation the knowledge base requires of the role, and for curators shadow a senior curator and five supervised reviews). Due dates count from the start date. 409 when the person has a plan. A hire accepted through hiring gets one automatically. Audited.",
		Errors:      []int{http.StatusConflict}, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewOnboardingPlanBody
	}) (*planOutput, error) {
		start, err := time.Parse(time.DateOnly, in.Body.StartDate)
		if err != nil {
			return nil, errs.Invalid("body.start_date", "must be a date such as 2026-12-07")
		}
		role := in.Body.Role
		if role == "" {
			role = "curator"
		}
		v, err := svc.CreatePlan(ctx, httpapi.OrgID(ctx), PlanInput{UserID: in.Body.UserID, Role: role, StartDate: start, MentorID: in.Body.MentorID})
		if err != nil {
			return nil, err
		}
		return planOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_plans", "read"), huma.Operation{
		OperationID: "list-onboarding-plans", Method: http.MethodGet, Path: "/v1/orgs/{org}/onboarding-plans", Tags: []string{"Onboarding"},
		Summary:     "List onboarding plans",
		Description: "In id order (oldest first), each as it stands now: progress by weight, overdue items, the required items left." + seen,
	}, func(ctx context.Context, in *planListInput) (*planListOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		f := PlanFilter{UserID: in.UserID, MentorID: in.MentorID, AfterID: after, Limit: in.Limit}
		if in.Activated != "" {
			b := in.Activated == "true"
			f.Activated = &b
		}
		views, err := svc.Plans(ctx, httpapi.OrgID(ctx), ReaderFrom(ctx), f)
		if err != nil {
			return nil, err
		}
		names, err := svc.PeopleNames(ctx, httpapi.OrgID(ctx), people(views))
		if err != nil {
			return nil, err
		}
		return &planListOutput{Body: httpapi.NewPage(views, in.Limit, func(v PlanView) OnboardingPlanDTO { return planDTO(&v, names) },
			func(v PlanView) []string { return []string{v.Plan.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_plans", "read"), huma.Operation{
		OperationID: "get-onboarding-plan", Method: http.MethodGet, Path: "/v1/orgs/{org}/onboarding-plans/{id}", Tags: []string{"Onboarding"},
		Summary:     "Get an onboarding plan",
		Description: "As it stands now: an item that completes itself shows done as soon as the fact exists, with the fact's time." + seen,
	}, func(ctx context.Context, in *OnboardingPlanPath) (*planOutput, error) {
		v, err := svc.Plan(ctx, httpapi.OrgID(ctx), in.ID, ReaderFrom(ctx))
		if err != nil {
			return nil, err
		}
		return planOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_plans", "update"), huma.Operation{
		OperationID: "change-onboarding-mentor", Method: http.MethodPut, Path: "/v1/orgs/{org}/onboarding-plans/{id}/mentor", Tags: []string{"Onboarding"},
		Summary: "Change a plan's mentor", Description: "With If-Match from the last read. Audited.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		OnboardingPlanPath
		httpapi.IfMatch
		Body OnboardingMentorBody
	}) (*planOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		v, err := svc.ChangeMentor(ctx, httpapi.OrgID(ctx), in.ID, ver, in.Body.MentorID)
		if err != nil {
			return nil, err
		}
		return planOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_plans", "activate"), huma.Operation{
		OperationID: "activate-onboarding-plan", Method: http.MethodPost, Path: "/v1/orgs/{org}/onboarding-plans/{id}/activate", Tags: []string{"Onboarding"},
		Summary:     "Let a newcomer take students early",
		Description: "HR or the head lets the newcomer take students before every required item is done, with a reason; the audit log keeps who, when and why. The items stay on the plan. 409 when the newcomer may already take students. With If-Match.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		OnboardingPlanPath
		httpapi.IfMatch
		Body OnboardingActivationBody
	}) (*planOutput, error) {
		ver, err := in.Version()
		if err != nil {
			return nil, err
		}
		v, err := svc.Activate(ctx, httpapi.OrgID(ctx), in.ID, ver, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return planOut(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("onboarding_plans", "complete"), huma.Operation{
		OperationID: "complete-onboarding-item", Method: http.MethodPost, Path: "/v1/orgs/{org}/onboarding-plans/{id}/items/{item}/complete", Tags: []string{"Onboarding"},
		Summary:     "Confirm a plan item",
		Description: "The newcomer confirms their own items, the mentor theirs and the shadowing (only the mentor confirms the shadowing), HR and the head (onboarding_plans:manage) any other. Regulation, quiz and supervised-review items complete themselves and are refused (409), as is an item already done. A completion is final. Audited.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		OnboardingPlanPath
		Item string                    `path:"item" format:"uuid" doc:"Plan item id."`
		Body *OnboardingCompletionBody `required:"false"`
	}) (*planOutput, error) {
		note := ""
		if in.Body != nil {
			note = in.Body.Note
		}
		v, err := svc.CompleteItem(ctx, httpapi.OrgID(ctx), in.ID, in.Item, ReaderFrom(ctx), note)
		if err != nil {
			return nil, err
		}
		return planOut(ctx, svc, v)
	})
}
