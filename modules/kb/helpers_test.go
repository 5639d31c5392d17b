package kb_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
	del   = http.MethodDelete
)

type revision struct {
	ID            string
	ArticleID     string `json:"article_id"`
	Number        int
	Status        string
	Change        string
	Title         string
	Body          string
	ContentSHA256 string     `json:"content_sha256"`
	AckRevisionID string     `json:"ack_revision_id"`
	PublishedAt   *time.Time `json:"published_at"`
}

type article struct {
	ID                string
	Category          string
	Status            string
	Title             string
	AudienceRoles     []string `json:"audience_roles"`
	RequiredRoles     []string `json:"required_roles"`
	DueDays           int      `json:"due_days"`
	DueFrom           string   `json:"due_from"`
	HasQuiz           bool     `json:"has_quiz"`
	CurrentRevisionID string   `json:"current_revision_id"`
	AckRevisionID     string   `json:"ack_revision_id"`
	DraftRevisionID   string   `json:"draft_revision_id"`
	Version           int64
	CurrentRevision   *revision `json:"current_revision"`
	Draft             *revision
}

type ack struct {
	ID             string
	ArticleID      string    `json:"article_id"`
	RevisionID     string    `json:"revision_id"`
	AckRevisionID  string    `json:"ack_revision_id"`
	UserID         string    `json:"user_id"`
	AcknowledgedAt time.Time `json:"acknowledged_at"`
	IP             string
	UserAgent      string `json:"user_agent"`
	ContentSHA256  string `json:"content_sha256"`
	QuizAttemptID  string `json:"quiz_attempt_id"`
}

type readingItem struct {
	ArticleID      string `json:"article_id"`
	Title          string
	RevisionID     string `json:"revision_id"`
	RevisionNumber int    `json:"revision_number"`
	AckRevisionID  string `json:"ack_revision_id"`
	Status         string
	DueAt          time.Time `json:"due_at"`
	QuizRequired   bool      `json:"quiz_required"`
	Acknowledgment *ack
}

type page[T any] struct {
	Items      []T
	NextCursor string `json:"next_cursor"`
}

func ifMatch(v int64) apptest.Option { return apptest.Header("If-Match", fmt.Sprintf(`"%d"`, v)) }

// regulation is a typical article body for tests: required for curators.
func regulation(title, body string) map[string]any {
	return map[string]any{"category": "homework_checking", "title": title, "body": body,
		"required_roles": []string{"curator"}, "due_days": 7}
}

// create writes an article as the school's head of service.
func create(t *testing.T, s *apptest.Server, sc *apptest.School, body map[string]any) article {
	t.Helper()
	var a article
	s.Do(post, sc.Path("/kb/articles"), body, sc.People["head_of_service"].Auth()).Expect(201).Decode(&a)
	return a
}

// publish publishes the article's draft as the head of service.
func publish(t *testing.T, s *apptest.Server, sc *apptest.School, a article, change string) article {
	t.Helper()
	var out article
	s.Do(post, sc.Path("/kb/articles/"+a.ID+"/publish"), map[string]string{"change": change},
		sc.People["head_of_service"].Auth(), ifMatch(a.Version)).Expect(200).Decode(&out)
	return out
}

// edit changes the article's body (into a draft) as the head of service.
func edit(t *testing.T, s *apptest.Server, sc *apptest.School, a article, body string) article {
	t.Helper()
	var out article
	s.Do(patch, sc.Path("/kb/articles/"+a.ID), map[string]string{"body": body},
		sc.People["head_of_service"].Auth(), ifMatch(a.Version)).Expect(200).Decode(&out)
	return out
}

// acknowledge acknowledges the article's current revision as actor.
func acknowledge(t *testing.T, s *apptest.Server, sc *apptest.School, a article, actor apptest.Actor) ack {
	t.Helper()
	var out ack
	s.Do(post, sc.Path("/kb/articles/"+a.ID+"/acknowledgments"), map[string]string{"revision_id": a.CurrentRevisionID},
		actor.Auth()).Expect(201).Decode(&out)
	return out
}

func myReading(t *testing.T, s *apptest.Server, sc *apptest.School, actor apptest.Actor) map[string]readingItem {
	t.Helper()
	var p page[readingItem]
	s.Do(get, sc.Path("/kb/me/required-reading"), nil, actor.Auth()).Expect(200).Decode(&p)
	out := map[string]readingItem{}
	for _, it := range p.Items {
		out[it.ArticleID] = it
	}
	return out
}

// later moves the clock on by d and signs everyone in again, since a
// session lasts hours and the reading periods last days.
func later(s *apptest.Server, d time.Duration, schools []*apptest.School, people ...*apptest.Actor) {
	s.T.Helper()
	s.Clock.Advance(d)
	for _, sc := range schools {
		for role, a := range sc.People {
			a.Token = s.Login(a.Email, apptest.Password)
			sc.People[role] = a
		}
	}
	for _, a := range people {
		a.Token = s.Login(a.Email, apptest.Password)
	}
}

// refusal is one request that must be turned down at some point of a
// story: who sends what, and the problem it gets.
type refusal struct {
	name     string
	method   string
	path     string // under the school, e.g. /kb/articles/{id}
	body     any
	who      string // the caller's role in the school
	version  int64  // sent as If-Match; 0 sends none
	status   int
	location string // the field a 422 names
}

// expectRefusals sends each request as a subtest and checks its problem.
func expectRefusals(t *testing.T, s *apptest.Server, sc *apptest.School, rows []refusal) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			opts := []apptest.Option{sc.People[r.who].Auth()}
			if r.version != 0 {
				opts = append(opts, ifMatch(r.version))
			}
			var locations []string
			if r.location != "" {
				locations = append(locations, r.location)
			}
			s.WithT(t).Do(r.method, sc.Path(r.path), r.body, opts...).ExpectProblem(r.status, locations...)
		})
	}
}
