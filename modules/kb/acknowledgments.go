package kb

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Acknowledge records that the viewer read the article's current
// revision. revisionID names the revision they read and contentHash,
// when given, the hash of what their client showed: either differing from
// the current revision means they read something else, which is refused.
// An article with a quiz needs a passed attempt on the required revision.
func (s *Service) Acknowledge(ctx context.Context, v Viewer, orgID, articleID, revisionID, contentHash string) (*Acknowledgment, error) {
	p, err := s.people.ActivePerson(ctx, orgID, v.UserID)
	if err != nil {
		return nil, err
	}
	var out *Acknowledgment
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Locked, so that a major revision published meanwhile is either
		// before this acknowledgment or after it.
		a, err := s.store.LockArticle(ctx, tx, orgID, articleID)
		if err != nil {
			return err
		}
		if !v.canRead(a) {
			return errs.NotFound("article")
		}
		if a.Status != StatusPublished {
			return errs.Conflict("only a published article can be acknowledged")
		}
		if !a.requiredFor(p.Roles) {
			return errs.Conflict("this article is not required reading for your roles")
		}
		cur, err := s.store.Revision(ctx, tx, orgID, a.ID, a.CurrentRevisionID)
		if err != nil {
			return err
		}
		if revisionID != cur.ID {
			return errs.Conflict("revision %d is the current one; read it and acknowledge it", cur.Number)
		}
		if contentHash != "" && !strings.EqualFold(contentHash, cur.ContentSHA256) {
			return errs.Conflict("content_sha256 does not match revision %d: what you read is not what is published", cur.Number)
		}
		m := reqctx.From(ctx)
		ack := &Acknowledgment{ID: ids.New(), OrgID: orgID, ArticleID: a.ID, RevisionID: cur.ID, AckRevisionID: a.AckRevisionID,
			UserID: v.UserID, AcknowledgedAt: s.Now(), IP: m.IP, UserAgent: truncate(m.UserAgent, 500),
			ContentSHA256: cur.ContentSHA256}
		if a.Quiz != nil {
			passed, err := s.store.PassedAttempt(ctx, tx, orgID, a.AckRevisionID, v.UserID)
			if err != nil {
				return err
			}
			if passed == nil {
				return errs.Conflict("pass the article's quiz before acknowledging it")
			}
			ack.QuizAttemptID = passed.ID
		}
		if err := s.store.InsertAcknowledgment(ctx, tx, ack); err != nil {
			return err
		}
		out = ack
		return s.Record(ctx, tx, orgID, "kb_acknowledgment", ack.ID, map[string]auditlog.Change{
			"article_id": {After: ack.ArticleID}, "revision_id": {After: ack.RevisionID},
			"ack_revision_id": {After: ack.AckRevisionID}, "content_sha256": {After: ack.ContentSHA256}})
	})
	return out, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Acknowledgments returns a page of the school's acknowledgments.
func (s *Service) Acknowledgments(ctx context.Context, orgID string, f AckFilter) ([]Acknowledgment, error) {
	return s.store.Acknowledgments(ctx, s.DB, orgID, f)
}

// Acknowledgment returns one acknowledgment of the school.
func (s *Service) Acknowledgment(ctx context.Context, orgID, id string) (*Acknowledgment, error) {
	return s.store.Acknowledgment(ctx, s.DB, orgID, id)
}

// MyAcknowledgments returns a page of the viewer's own acknowledgments.
func (s *Service) MyAcknowledgments(ctx context.Context, v Viewer, orgID string, f AckFilter) ([]Acknowledgment, error) {
	f.UserID = v.UserID
	return s.store.Acknowledgments(ctx, s.DB, orgID, f)
}
