package server

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/onboarding"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// onboardingPeople answers onboarding's questions about members from the
// identity module.
type onboardingPeople struct{ identity *identity.Service }

func (p onboardingPeople) ActiveMember(ctx context.Context, orgID, userID string) (*onboarding.Member, error) {
	person, err := p.identity.ActivePerson(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	return &onboarding.Member{UserID: person.UserID, Name: person.Name, Email: person.Email, Roles: person.Roles}, nil
}

func (p onboardingPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}

// onboardingKB answers from the knowledge base, reading as an editor does
// (every article whatever its audience): the facts are the newcomer's,
// the reader is the onboarding module.
type onboardingKB struct{ kb *kb.Service }

var everyArticle = kb.Viewer{SeesAll: true}

// published returns the school's published article, or errs.ErrNotFound.
func (a onboardingKB) published(ctx context.Context, orgID, articleID string) (*kb.Article, error) {
	v, err := a.kb.Article(ctx, everyArticle, orgID, articleID)
	if err != nil {
		return nil, err
	}
	if v.Article.Status != kb.StatusPublished {
		return nil, errs.NotFound("article")
	}
	return v.Article, nil
}

func (a onboardingKB) Article(ctx context.Context, orgID, articleID string) (*onboarding.Article, error) {
	art, err := a.published(ctx, orgID, articleID)
	if err != nil {
		return nil, err
	}
	return &onboarding.Article{ID: art.ID, Title: art.Title, HasQuiz: art.Quiz != nil}, nil
}

func (a onboardingKB) AcknowledgedAt(ctx context.Context, orgID, articleID, userID string) (*time.Time, error) {
	art, err := a.published(ctx, orgID, articleID)
	if err != nil {
		return nil, notFoundIsNone(err)
	}
	acks, err := a.kb.Acknowledgments(ctx, orgID, kb.AckFilter{ArticleID: art.ID, RevisionID: art.AckRevisionID, UserID: userID, Limit: 1})
	if err != nil || len(acks) == 0 {
		return nil, err
	}
	return &acks[0].AcknowledgedAt, nil
}

func (a onboardingKB) QuizPassedAt(ctx context.Context, orgID, articleID, userID string) (*time.Time, error) {
	art, err := a.published(ctx, orgID, articleID)
	if err != nil {
		return nil, notFoundIsNone(err)
	}
	attempts, err := a.kb.MyAttempts(ctx, kb.Viewer{UserID: userID, SeesAll: true}, orgID, art.ID)
	if err != nil {
		return nil, err
	}
	var first *time.Time
	for i := range attempts {
		at := &attempts[i]
		if at.Passed && at.RevisionID == art.AckRevisionID && (first == nil || at.CreatedAt.Before(*first)) {
			first = &at.CreatedAt
		}
	}
	return first, nil
}

// articlesPage is how many articles RequiredArticles reads at a time.
const articlesPage = 200

func (a onboardingKB) RequiredArticles(ctx context.Context, orgID, role string) ([]onboarding.Article, error) {
	var out []onboarding.Article
	after := ""
	for {
		page, err := a.kb.Articles(ctx, everyArticle, orgID, kb.ArticleFilter{Status: kb.StatusPublished, Limit: articlesPage, AfterID: after})
		if err != nil {
			return nil, err
		}
		for _, art := range page[:min(len(page), articlesPage)] {
			if slices.Contains(art.RequiredRoles, role) {
				out = append(out, onboarding.Article{ID: art.ID, Title: art.Title, HasQuiz: art.Quiz != nil})
			}
		}
		if len(page) <= articlesPage {
			break
		}
		after = page[articlesPage-1].ID
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out, nil
}

// notFoundIsNone reads an article gone from the knowledge base as a fact
// that does not exist.
func notFoundIsNone(err error) error {
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	return err
}

// onboardingReviews answers from the review queue: the quality checks of
// a newcomer's reviews.
type onboardingReviews struct{ homework *homework.Service }

func (r onboardingReviews) QualityChecks(ctx context.Context, orgID, curatorID string, since time.Time) ([]onboarding.QualityCheck, error) {
	checks, err := r.homework.CuratorQualityChecks(ctx, orgID, curatorID, since)
	if err != nil {
		return nil, err
	}
	out := make([]onboarding.QualityCheck, len(checks))
	for i := range checks {
		out[i] = onboarding.QualityCheck{CheckedAt: checks[i].CreatedAt, ScorePercent: checks[i].Percent(), Overturned: checks[i].OverturnedTo != nil}
	}
	return out, nil
}
