package kb

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// AcknowledgmentDTO is one acknowledgment: who read which revision, when,
// from where, and the hash of exactly what they read.
type AcknowledgmentDTO struct {
	ID             string    `json:"id" format:"uuid"`
	ArticleID      string    `json:"article_id" format:"uuid"`
	RevisionID     string    `json:"revision_id" format:"uuid" doc:"The revision read."`
	AckRevisionID  string    `json:"ack_revision_id" format:"uuid" doc:"The major revision the acknowledgment counts for."`
	UserID         string    `json:"user_id" format:"uuid"`
	AcknowledgedAt time.Time `json:"acknowledged_at"`
	IP             string    `json:"ip"`
	UserAgent      string    `json:"user_agent"`
	ContentSHA256  string    `json:"content_sha256" doc:"SHA-256 (hex) of the revision's UTF-8 title, \\n\\n and body: recompute it from the revision to verify."`
	QuizAttemptID  string    `json:"quiz_attempt_id,omitempty" format:"uuid" doc:"The passed attempt that opened the acknowledgment."`
}

func ackDTO(a *Acknowledgment) AcknowledgmentDTO {
	return AcknowledgmentDTO{ID: a.ID, ArticleID: a.ArticleID, RevisionID: a.RevisionID, AckRevisionID: a.AckRevisionID,
		UserID: a.UserID, AcknowledgedAt: a.AcknowledgedAt.UTC(), IP: a.IP, UserAgent: a.UserAgent,
		ContentSHA256: a.ContentSHA256, QuizAttemptID: a.QuizAttemptID}
}

type ackOutput struct{ Body AcknowledgmentDTO }

type listAcksOutput struct {
	Body httpapi.Page[AcknowledgmentDTO]
}

type acknowledgeInput struct {
	ArticlePath
	Body struct {
		RevisionID    string `json:"revision_id" format:"uuid" doc:"The revision read: it must be the current published one."`
		ContentSHA256 string `json:"content_sha256,omitempty" pattern:"^[0-9a-fA-F]{64}$" doc:"Optional: the hash of what the client showed; refused when it differs from the revision."`
	}
}

type listAcksInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	ArticleID  string `query:"article_id" format:"uuid"`
	RevisionID string `query:"revision_id" format:"uuid" doc:"The major revision acknowledged."`
	UserID     string `query:"user_id" format:"uuid"`
}

type listMyAcksInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	ArticleID string `query:"article_id" format:"uuid"`
}

type ackPath struct {
	httpapi.OrgPath
	AckID string `path:"ack_id" format:"uuid"`
}

// ReadingItemDTO is one required article of one person.
type ReadingItemDTO struct {
	ArticleID      string             `json:"article_id" format:"uuid"`
	Title          string             `json:"title"`
	Category       string             `json:"category"`
	RevisionID     string             `json:"revision_id" format:"uuid" doc:"The current published revision: what to read and acknowledge."`
	RevisionNumber int                `json:"revision_number"`
	AckRevisionID  string             `json:"ack_revision_id" format:"uuid" doc:"The major revision the acknowledgment counts for."`
	Status         string             `json:"status" enum:"pending,overdue,done"`
	DueAt          time.Time          `json:"due_at"`
	QuizRequired   bool               `json:"quiz_required"`
	Acknowledgment *AcknowledgmentDTO `json:"acknowledgment,omitempty"`
}

func readingItemDTO(it ReadingItem) ReadingItemDTO {
	out := ReadingItemDTO{ArticleID: it.Article.ID, Title: it.Article.Title, Category: it.Article.Category,
		RevisionID: it.Revision.ID, RevisionNumber: it.Revision.Number, AckRevisionID: it.AckRevision.ID,
		Status: it.Status, DueAt: it.DueAt.UTC(), QuizRequired: it.Article.Quiz != nil}
	if it.Acknowledgment != nil {
		a := ackDTO(it.Acknowledgment)
		out.Acknowledgment = &a
	}
	return out
}

type readingInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status string `query:"status" enum:"pending,overdue,done"`
}

type personReadingInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	UserID string `path:"user_id" format:"uuid"`
	Status string `query:"status" enum:"pending,overdue,done"`
}

type readingOutput struct{ Body httpapi.Page[ReadingItemDTO] }

// TallyDTO counts reading by status.
type TallyDTO struct {
	Required int `json:"required"`
	Done     int `json:"done"`
	Pending  int `json:"pending"`
	Overdue  int `json:"overdue"`
}

func tallyDTO(t Tally) TallyDTO {
	return TallyDTO{Required: t.Required, Done: t.Done, Pending: t.Pending, Overdue: t.Overdue}
}

// ArticleTallyDTO is how the people an article is required for stand.
type ArticleTallyDTO struct {
	ArticleID         string `json:"article_id" format:"uuid"`
	Title             string `json:"title"`
	Category          string `json:"category"`
	AckRevisionID     string `json:"ack_revision_id" format:"uuid"`
	AckRevisionNumber int    `json:"ack_revision_number"`
	TallyDTO
}

type tallyInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
}

type articleTallyOutput struct{ Body httpapi.Page[ArticleTallyDTO] }

// PersonStatusDTO is where one person stands with one article.
type PersonStatusDTO struct {
	UserID           string     `json:"user_id" format:"uuid"`
	Name             string     `json:"name"`
	Email            string     `json:"email"`
	Status           string     `json:"status" enum:"pending,overdue,done"`
	DueAt            time.Time  `json:"due_at"`
	AcknowledgedAt   *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgmentID string     `json:"acknowledgment_id,omitempty" format:"uuid"`
}

type articleReadingInput struct {
	ArticlePath
	httpapi.PageQuery
	Status string `query:"status" enum:"pending,overdue,done" doc:"e.g. pending,overdue: who has not acknowledged."`
}

type articleReadingOutput struct{ Body httpapi.Page[PersonStatusDTO] }

// PersonTallyDTO is how one person stands with all their required reading.
type PersonTallyDTO struct {
	UserID string   `json:"user_id" format:"uuid"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles"`
	TallyDTO
}

type peopleTallyInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status string `query:"status" enum:"pending,overdue,done" doc:"Only people with at least one item in this status."`
	Role   string `query:"role" enum:"admin,head_of_service,senior_curator,curator,hr,finance,integration"`
}

type peopleTallyOutput struct{ Body httpapi.Page[PersonTallyDTO] }

// ReminderDTO is one emitted kb.reading_overdue event.
type ReminderDTO struct {
	ID         string    `json:"id" format:"uuid"`
	ArticleID  string    `json:"article_id" format:"uuid"`
	RevisionID string    `json:"revision_id" format:"uuid"`
	UserID     string    `json:"user_id" format:"uuid"`
	DueAt      time.Time `json:"due_at"`
	RemindedAt time.Time `json:"reminded_at"`
}

type listRemindersInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	ArticleID string `query:"article_id" format:"uuid"`
	UserID    string `query:"user_id" format:"uuid"`
}

type listRemindersOutput struct{ Body httpapi.Page[ReminderDTO] }

type sendRemindersOutput struct {
	Body struct {
		Emitted int `json:"emitted" doc:"Reminders emitted now; each person is reminded of a revision once."`
	}
}

func registerReading(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("kb_reading", "acknowledge"), huma.Operation{
		OperationID: "acknowledge-kb-article", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/articles/{id}/acknowledgments", Tags: []string{tagReading},
		Summary:       "Acknowledge that you read an article",
		Description:   "Records the time, address, user agent and the SHA-256 of the revision read (returned, to verify). One acknowledgment per person and major revision; it can never be changed or withdrawn. An article with a quiz needs a passed attempt first.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *acknowledgeInput) (*ackOutput, error) {
		a, err := svc.Acknowledge(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, in.Body.RevisionID, in.Body.ContentSHA256)
		if err != nil {
			return nil, err
		}
		return &ackOutput{Body: ackDTO(a)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_reading", "read_own"), huma.Operation{
		OperationID: "list-my-kb-required-reading", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/me/required-reading", Tags: []string{tagReading},
		Summary:     "Your required reading",
		Description: "Every article required for your roles with its status (pending, overdue, done) and due date, soonest first. A major revision makes a done article pending again.",
	}, func(ctx context.Context, in *readingInput) (*readingOutput, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		items, err := svc.MyReading(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), ReadingFilter{Status: in.Status, Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		return &readingOutput{Body: httpapi.NewPage(items, in.Limit, readingItemDTO, func(it ReadingItem) []string { return []string{ReadingItemKey(it)} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_reading", "read_own"), huma.Operation{
		OperationID: "list-my-kb-acknowledgments", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/me/acknowledgments", Tags: []string{tagReading},
		Summary:     "Your own acknowledgments",
		Description: "Newest first, every revision you ever acknowledged. Nobody else's acknowledgments are shown here.",
	}, func(ctx context.Context, in *listMyAcksInput) (*listAcksOutput, error) {
		before, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.MyAcknowledgments(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), AckFilter{ArticleID: in.ArticleID, Limit: in.Limit, BeforeID: before})
		if err != nil {
			return nil, err
		}
		return &listAcksOutput{Body: httpapi.NewPage(rows, in.Limit, func(a Acknowledgment) AcknowledgmentDTO { return ackDTO(&a) },
			func(a Acknowledgment) []string { return []string{a.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "list-kb-acknowledgments", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/acknowledgments", Tags: []string{tagReading},
		Summary:     "List everyone's acknowledgments",
		Description: "Newest first; for the head of service, HR and admins. Filter by article, revision or person.",
	}, func(ctx context.Context, in *listAcksInput) (*listAcksOutput, error) {
		before, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Acknowledgments(ctx, httpapi.OrgID(ctx), AckFilter{ArticleID: in.ArticleID, RevisionID: in.RevisionID, UserID: in.UserID, Limit: in.Limit, BeforeID: before})
		if err != nil {
			return nil, err
		}
		return &listAcksOutput{Body: httpapi.NewPage(rows, in.Limit, func(a Acknowledgment) AcknowledgmentDTO { return ackDTO(&a) },
			func(a Acknowledgment) []string { return []string{a.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "get-kb-acknowledgment", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/acknowledgments/{ack_id}", Tags: []string{tagReading},
		Summary:     "Get one acknowledgment",
		Description: "For the head of service, HR and admins. Acknowledgments are append-only: there is no operation to change or delete one.",
	}, func(ctx context.Context, in *ackPath) (*ackOutput, error) {
		a, err := svc.Acknowledgment(ctx, httpapi.OrgID(ctx), in.AckID)
		if err != nil {
			return nil, err
		}
		return &ackOutput{Body: ackDTO(a)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "kb-reading-by-article", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/required-reading/articles", Tags: []string{tagReading},
		Summary:     "Required reading per article",
		Description: "For each required published article, how many people it is required for have acknowledged its current major revision, and how many are pending or overdue.",
	}, func(ctx context.Context, in *tallyInput) (*articleTallyOutput, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ReadingByArticle(ctx, httpapi.OrgID(ctx), ReadingFilter{Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		return &articleTallyOutput{Body: httpapi.NewPage(rows, in.Limit, func(t ArticleTally) ArticleTallyDTO {
			out := ArticleTallyDTO{ArticleID: t.Article.ID, Title: t.Article.Title, Category: t.Article.Category, TallyDTO: tallyDTO(t.Tally)}
			if t.AckRevision != nil {
				out.AckRevisionID, out.AckRevisionNumber = t.AckRevision.ID, t.AckRevision.Number
			}
			return out
		}, func(t ArticleTally) []string { return []string{ArticleTallyKey(t)} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "kb-reading-of-article", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/required-reading/articles/{id}", Tags: []string{tagReading},
		Summary:     "Who has read one article",
		Description: "Everyone the article is required for, by name, with their status and due date; status=pending or overdue shows who has not acknowledged.",
	}, func(ctx context.Context, in *articleReadingInput) (*articleReadingOutput, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ArticleReading(ctx, httpapi.OrgID(ctx), in.ID, ReadingFilter{Status: in.Status, Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		return &articleReadingOutput{Body: httpapi.NewPage(rows, in.Limit, func(p PersonStatus) PersonStatusDTO {
			out := PersonStatusDTO{UserID: p.Person.UserID, Name: p.Person.Name, Email: p.Person.Email, Status: p.Item.Status, DueAt: p.Item.DueAt.UTC()}
			if a := p.Item.Acknowledgment; a != nil {
				at := a.AcknowledgedAt.UTC()
				out.AcknowledgedAt, out.AcknowledgmentID = &at, a.ID
			}
			return out
		}, func(p PersonStatus) []string { return []string{PersonStatusKey(p)} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "kb-reading-by-person", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/required-reading/people", Tags: []string{tagReading},
		Summary:     "Required reading per person",
		Description: "For each active member with required reading, by name: how much is done, pending and overdue.",
	}, func(ctx context.Context, in *peopleTallyInput) (*peopleTallyOutput, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ReadingByPerson(ctx, httpapi.OrgID(ctx), ReadingFilter{Status: in.Status, Role: in.Role, Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		return &peopleTallyOutput{Body: httpapi.NewPage(rows, in.Limit, func(p PersonTally) PersonTallyDTO {
			return PersonTallyDTO{UserID: p.Person.UserID, Name: p.Person.Name, Email: p.Person.Email, Roles: strs(p.Person.Roles), TallyDTO: tallyDTO(p.Tally)}
		}, func(p PersonTally) []string { return []string{PersonTallyKey(p)} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "kb-reading-of-person", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/required-reading/people/{user_id}", Tags: []string{tagReading},
		Summary:     "One person's required reading",
		Description: "What the person must read, with status and due date, soonest first; a person who is not an active member is not found.",
	}, func(ctx context.Context, in *personReadingInput) (*readingOutput, error) {
		after, err := httpapi.AfterKey(in.Cursor)
		if err != nil {
			return nil, err
		}
		items, err := svc.PersonReading(ctx, httpapi.OrgID(ctx), in.UserID, ReadingFilter{Status: in.Status, Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		return &readingOutput{Body: httpapi.NewPage(items, in.Limit, readingItemDTO, func(it ReadingItem) []string { return []string{ReadingItemKey(it)} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_acknowledgments", "read_all"), huma.Operation{
		OperationID: "list-kb-reading-reminders", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/reading-reminders", Tags: []string{tagReading},
		Summary:     "List the overdue-reading reminders emitted",
		Description: "Newest first. Each is a kb.reading_overdue event that was published; the list keeps them for replay.",
	}, func(ctx context.Context, in *listRemindersInput) (*listRemindersOutput, error) {
		before, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Reminders(ctx, httpapi.OrgID(ctx), ReminderFilter{ArticleID: in.ArticleID, UserID: in.UserID, Limit: in.Limit, BeforeID: before})
		if err != nil {
			return nil, err
		}
		return &listRemindersOutput{Body: httpapi.NewPage(rows, in.Limit, func(r Reminder) ReminderDTO {
			return ReminderDTO{ID: r.ID, ArticleID: r.ArticleID, RevisionID: r.RevisionID, UserID: r.UserID, DueAt: r.DueAt.UTC(), RemindedAt: r.RemindedAt.UTC()}
		}, func(r Reminder) []string { return []string{r.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_reminders", "send"), huma.Operation{
		OperationID: "send-kb-reading-reminders", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/reading-reminders", Tags: []string{tagReading},
		Summary:     "Remind everyone whose required reading is overdue",
		Description: "Emits a kb.reading_overdue event for each person and required revision overdue now that was not reminded yet; running it again emits nothing new.",
	}, func(ctx context.Context, _ *httpapi.OrgPath) (*sendRemindersOutput, error) {
		n, err := svc.EmitOrgReminders(ctx, httpapi.OrgID(ctx), svc.Now())
		if err != nil {
			return nil, err
		}
		out := &sendRemindersOutput{}
		out.Body.Emitted = n
		return out, nil
	})
}
