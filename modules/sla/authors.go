package sla

import (
	"context"
	"errors"
	"strings"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// attribute decides whose message the caller records and when it was
// sent, so that nobody can rewrite their own SLA record:
//
//   - whoever holds sla_messages:backfill (the integration's key, an
//     administrator) names the author and the time; backfill reports a
//     person doing so, whose message the audit log flags;
//   - the application itself (seeding, the command line) does too;
//   - anyone else records their own staff reply, at the server's time: a
//     student's or a bot's message, another author or a time of their
//     choosing is refused.
func (s *Service) attribute(ctx context.Context, orgID string, in *MessageInput) (backfill bool, err error) {
	m := reqctx.From(ctx)
	if m.Principal != nil && m.Principal.Kind == reqctx.ActorSystem {
		return false, nil
	}
	if m.Org.Allowed("sla_messages", "backfill") {
		return m.Principal != nil && m.Principal.Kind == reqctx.ActorUser, nil
	}
	if in.Direction != DirectionStaff || in.AuthorKind != AuthorStaff {
		return false, errs.Forbidden("students' and bots' messages come from the integration (or an administrator's backfill); " +
			"staff record their own replies")
	}
	person, err := s.people.Person(ctx, orgID, m.Principal.ActorID())
	if errors.Is(err, errs.ErrNotFound) {
		return false, errs.Forbidden("only a signed-in member of the school records a reply, as themselves")
	} else if err != nil {
		return false, err
	}
	if email := strings.TrimSpace(in.AuthorEmail); email != "" && !strings.EqualFold(email, person.Email) {
		return false, errs.Forbidden("a reply is recorded as the person who sends it; leave author_email out")
	}
	if !in.SentAt.IsZero() {
		return false, errs.Invalid("body.sent_at", "only the integration (or an administrator's backfill) sets the time; "+
			"leave it out and the server's time is recorded")
	}
	in.AuthorEmail, in.authorID, in.SentAt = person.Email, person.UserID, s.Now()
	return false, nil
}
