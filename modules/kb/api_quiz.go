package kb

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QuizOptionDTO is an option as people taking the quiz see it.
type QuizOptionDTO struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// QuizQuestionDTO is a question as people taking the quiz see it.
type QuizQuestionDTO struct {
	ID      string          `json:"id"`
	Text    string          `json:"text"`
	Kind    string          `json:"kind" enum:"single,multiple"`
	Options []QuizOptionDTO `json:"options"`
}

// QuizDTO is a quiz without its answers.
type QuizDTO struct {
	ArticleID         string            `json:"article_id" format:"uuid"`
	PassMarkPercent   int               `json:"pass_mark_percent"`
	MaxAttemptsPerDay int               `json:"max_attempts_per_day" doc:"Attempts one person may make on the required revision within any 24 hours."`
	Questions         []QuizQuestionDTO `json:"questions"`
}

// QuizKeyOptionDTO is an option with whether it is correct.
type QuizKeyOptionDTO struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

// QuizKeyQuestionDTO is a question with its correct options.
type QuizKeyQuestionDTO struct {
	ID      string             `json:"id"`
	Text    string             `json:"text"`
	Kind    string             `json:"kind" enum:"single,multiple"`
	Options []QuizKeyOptionDTO `json:"options"`
}

// QuizKeyDTO is a quiz with its answers, for editors.
type QuizKeyDTO struct {
	ArticleID         string               `json:"article_id" format:"uuid"`
	PassMarkPercent   int                  `json:"pass_mark_percent"`
	MaxAttemptsPerDay int                  `json:"max_attempts_per_day" doc:"Attempts one person may make on the required revision within any 24 hours."`
	Questions         []QuizKeyQuestionDTO `json:"questions"`
}

func quizDTO(a *Article) QuizDTO {
	out := QuizDTO{ArticleID: a.ID, PassMarkPercent: a.Quiz.PassMarkPercent, MaxAttemptsPerDay: a.Quiz.AttemptsPerDay(), Questions: make([]QuizQuestionDTO, len(a.Quiz.Questions))}
	for i, q := range a.Quiz.Questions {
		dq := QuizQuestionDTO{ID: q.ID, Text: q.Text, Kind: q.Kind, Options: make([]QuizOptionDTO, len(q.Options))}
		for j, o := range q.Options {
			dq.Options[j] = QuizOptionDTO{ID: o.ID, Text: o.Text}
		}
		out.Questions[i] = dq
	}
	return out
}

func quizKeyDTO(a *Article) QuizKeyDTO {
	out := QuizKeyDTO{ArticleID: a.ID, PassMarkPercent: a.Quiz.PassMarkPercent, MaxAttemptsPerDay: a.Quiz.AttemptsPerDay(), Questions: make([]QuizKeyQuestionDTO, len(a.Quiz.Questions))}
	for i, q := range a.Quiz.Questions {
		dq := QuizKeyQuestionDTO{ID: q.ID, Text: q.Text, Kind: q.Kind, Options: make([]QuizKeyOptionDTO, len(q.Options))}
		for j, o := range q.Options {
			dq.Options[j] = QuizKeyOptionDTO{ID: o.ID, Text: o.Text, Correct: o.Correct}
		}
		out.Questions[i] = dq
	}
	return out
}

type quizOutput struct{ Body QuizDTO }

type quizKeyOutput struct {
	ETag string `header:"ETag" doc:"The article's ETag."`
	Body QuizKeyDTO
}

// QuizOptionInput is one option of a new quiz question.
type QuizOptionInput struct {
	Text    string `json:"text" minLength:"1" maxLength:"500"`
	Correct bool   `json:"correct,omitempty"`
}

// QuizQuestionInput is one question of a new quiz.
type QuizQuestionInput struct {
	Text    string            `json:"text" minLength:"1" maxLength:"1000"`
	Kind    string            `json:"kind" enum:"single,multiple"`
	Options []QuizOptionInput `json:"options" minItems:"2" maxItems:"10"`
}

type putQuizInput struct {
	ArticlePath
	httpapi.IfMatch
	Body struct {
		PassMarkPercent   int                 `json:"pass_mark_percent" minimum:"1" maximum:"100" doc:"Share of questions to answer right, in %."`
		MaxAttemptsPerDay int                 `json:"max_attempts_per_day,omitempty" minimum:"1" maximum:"20" default:"3" doc:"Attempts one person may make on the required revision within any 24 hours; one more answers 429 with Retry-After."`
		Questions         []QuizQuestionInput `json:"questions" minItems:"1" maxItems:"30"`
	}
}

type deleteQuizInput struct {
	ArticlePath
	httpapi.IfMatch
}

// AnswerInput is the options chosen for one question.
type AnswerInput struct {
	QuestionID string   `json:"question_id" maxLength:"16"`
	OptionIDs  []string `json:"option_ids" maxItems:"10"`
}

type attemptInput struct {
	ArticlePath
	Body struct {
		Answers []AnswerInput `json:"answers" maxItems:"30" doc:"A question left out counts as answered wrong."`
	}
}

// AttemptDTO is one graded quiz attempt. It tells the score, never which
// answers were right or wrong: with the daily attempt limit, the score alone
// is too little to find the answers by trying.
type AttemptDTO struct {
	ID              string        `json:"id" format:"uuid"`
	ArticleID       string        `json:"article_id" format:"uuid"`
	RevisionID      string        `json:"revision_id" format:"uuid" doc:"The required (major) revision the attempt counts for."`
	Answers         []AnswerInput `json:"answers"`
	Correct         int           `json:"correct" doc:"Questions answered right."`
	Total           int           `json:"total"`
	ScorePercent    int           `json:"score_percent"`
	PassMarkPercent int           `json:"pass_mark_percent"`
	Passed          bool          `json:"passed"`
	CreatedAt       time.Time     `json:"created_at"`
}

func attemptDTO(a *QuizAttempt) AttemptDTO {
	out := AttemptDTO{ID: a.ID, ArticleID: a.ArticleID, RevisionID: a.RevisionID, Answers: make([]AnswerInput, len(a.Answers)),
		Correct: a.Correct, Total: a.Total, ScorePercent: a.ScorePercent, PassMarkPercent: a.PassMark, Passed: a.Passed, CreatedAt: a.CreatedAt.UTC()}
	for i, an := range a.Answers {
		out.Answers[i] = AnswerInput{QuestionID: an.QuestionID, OptionIDs: strs(an.OptionIDs)}
	}
	return out
}

type attemptOutput struct{ Body AttemptDTO }

type listAttemptsOutput struct{ Body httpapi.Page[AttemptDTO] }

func registerQuiz(api huma.API, svc *Service) {
	versioned := []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "read"), huma.Operation{
		OperationID: "get-kb-quiz", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}/quiz", Tags: []string{tagArticles},
		Summary:     "Get an article's quiz",
		Description: "Questions and options, never which options are correct.",
	}, func(ctx context.Context, in *ArticlePath) (*quizOutput, error) {
		a, err := svc.Quiz(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &quizOutput{Body: quizDTO(a)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "get-kb-quiz-answer-key", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}/quiz/answer-key", Tags: []string{tagArticles},
		Summary:     "Get an article's quiz with the correct options",
		Description: "For editors, to review the quiz they wrote.",
	}, func(ctx context.Context, in *ArticlePath) (*quizKeyOutput, error) {
		a, err := svc.Quiz(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &quizKeyOutput{ETag: httpapi.ETag(a.Version), Body: quizKeyDTO(a)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "put-kb-quiz", Method: http.MethodPut, Path: "/v1/orgs/{org}/kb/articles/{id}/quiz", Tags: []string{tagArticles},
		Summary:     "Set an article's quiz",
		Description: "Replaces the quiz; acknowledging then needs a passed attempt. Questions are numbered q1, q2 … and options o1, o2 …. A single-choice question has exactly one correct option. Needs If-Match with the article's ETag.",
		Errors:      versioned,
	}, func(ctx context.Context, in *putQuizInput) (*quizKeyOutput, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		qs := make([]Question, len(in.Body.Questions))
		for i, q := range in.Body.Questions {
			qs[i] = Question{Text: q.Text, Kind: q.Kind, Options: make([]Option, len(q.Options))}
			for j, o := range q.Options {
				qs[i].Options[j] = Option{Text: o.Text, Correct: o.Correct}
			}
		}
		a, err := svc.SetQuiz(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, version, in.Body.PassMarkPercent, qs, MaxAttemptsPerDay(in.Body.MaxAttemptsPerDay))
		if err != nil {
			return nil, err
		}
		return &quizKeyOutput{ETag: httpapi.ETag(a.Version), Body: quizKeyDTO(a)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_articles", "write"), huma.Operation{
		OperationID: "delete-kb-quiz", Method: http.MethodDelete, Path: "/v1/orgs/{org}/kb/articles/{id}/quiz", Tags: []string{tagArticles},
		Summary:     "Remove an article's quiz",
		Description: "Acknowledging no longer needs a passed attempt; attempts made stay. Needs If-Match with the article's ETag.",
		Errors:      versioned, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *deleteQuizInput) (*struct{}, error) {
		version, err := versionOf(in.IfMatch)
		if err != nil {
			return nil, err
		}
		_, err = svc.DeleteQuiz(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, version)
		return nil, err
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_reading", "acknowledge"), huma.Operation{
		OperationID: "create-kb-quiz-attempt", Method: http.MethodPost, Path: "/v1/orgs/{org}/kb/articles/{id}/quiz/attempts", Tags: []string{tagReading},
		Summary:       "Answer an article's quiz",
		Description:   "Grades the answers and keeps the attempt, passed or not, for the article's required revision. The answer tells the score and whether it passed, never which answers were right or wrong. Each person may make the quiz's max_attempts_per_day attempts (3 unless set) on the required revision within any 24 hours; one more answers 429 with Retry-After, the seconds until the oldest of them stops counting.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *attemptInput) (*attemptOutput, error) {
		answers := make([]Answer, len(in.Body.Answers))
		for i, a := range in.Body.Answers {
			answers[i] = Answer{QuestionID: a.QuestionID, OptionIDs: strs(a.OptionIDs)}
		}
		at, err := svc.SubmitAttempt(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID, answers)
		if err != nil {
			return nil, err
		}
		return &attemptOutput{Body: attemptDTO(at)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("kb_reading", "read_own"), huma.Operation{
		OperationID: "list-my-kb-quiz-attempts", Method: http.MethodGet, Path: "/v1/orgs/{org}/kb/articles/{id}/quiz/attempts", Tags: []string{tagReading},
		Summary:     "List your own attempts at an article's quiz",
		Description: "Newest first. Only the caller's own attempts; nobody else's are shown here.",
	}, func(ctx context.Context, in *ArticlePath) (*listAttemptsOutput, error) {
		rows, err := svc.MyAttempts(ctx, ViewerFrom(ctx), httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &listAttemptsOutput{Body: httpapi.Page[AttemptDTO]{Items: make([]AttemptDTO, len(rows))}}
		for i := range rows {
			out.Body.Items[i] = attemptDTO(&rows[i])
		}
		return out, nil
	})
}
