package identity

import (
	"context"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// A person who already has an account joins another school only with their
// consent: the school's administrator invites them, and they accept or
// decline once signed in.

// Invitation statuses, as the audit log records them.
const (
	invitationPending  = "invited"
	invitationAccepted = "accepted"
	invitationDeclined = "declined"
)

// invite records an invitation of account u to orgID, unless u is a member
// already, and returns what AddMember answers for a new account: the email,
// name and roles the administrator gave, with the invitation's id standing
// for the user's, so that nothing of the account shows.
func (s *Service) invite(ctx context.Context, tx bun.IDB, orgID string, u *User, email string, in NewMember) (*Member, error) {
	if _, err := s.store.Membership(ctx, tx, orgID, u.ID); err == nil {
		return nil, errAlreadyMember
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	roles := sortedRoles(in.Roles)
	now := s.Now()
	inv := &Invitation{ID: ids.New(), OrgID: orgID, UserID: u.ID, Roles: strings.Join(roles, ","),
		InvitedBy: reqctx.From(ctx).Principal.ActorID(), CreatedAt: now}
	if err := s.store.InsertInvitation(ctx, tx, inv); err != nil {
		return nil, err
	}
	err := s.Record(ctx, tx, orgID, "invitation", inv.ID, map[string]auditlog.Change{
		"email": {After: email}, "roles": {After: roles}, "status": {After: invitationPending}})
	return &Member{
		Membership: Membership{ID: inv.ID, OrgID: orgID, UserID: inv.ID, Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1},
		Email:      email, Name: in.Name, UserStatus: StatusActive, Roles: roles,
	}, err
}

// Invitations lists the invitations waiting for the signed-in person.
func (s *Service) Invitations(ctx context.Context, p *reqctx.Principal) ([]PendingInvitation, error) {
	return s.store.InvitationsOfUser(ctx, s.DB, p.UserID)
}

// AcceptInvitation makes the signed-in person a member of the school that
// invited them, with the roles offered.
func (s *Service) AcceptInvitation(ctx context.Context, p *reqctx.Principal, id string) error {
	return s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		inv, err := s.answerInvitation(ctx, tx, p, id, invitationAccepted)
		if err != nil {
			return nil, err
		}
		return []credentialChange{memberChanged(inv.OrgID, inv.UserID)}, s.addMembership(ctx, tx, inv.OrgID, inv.UserID, inv.RoleList())
	})
}

// DeclineInvitation removes an invitation of the signed-in person; they get
// no access to the school.
func (s *Service) DeclineInvitation(ctx context.Context, p *reqctx.Principal, id string) error {
	return s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		_, err := s.answerInvitation(ctx, tx, p, id, invitationDeclined)
		return nil, err
	})
}

// answerInvitation removes the person's invitation id and audits the answer
// in the inviting school's log. An invitation addressed to someone else is
// not found.
func (s *Service) answerInvitation(ctx context.Context, tx bun.IDB, p *reqctx.Principal, id, answer string) (*Invitation, error) {
	inv, err := s.store.InvitationOf(ctx, tx, id, p.UserID)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteInvitation(ctx, tx, inv.ID); err != nil {
		return nil, err
	}
	return inv, s.Record(ctx, tx, inv.OrgID, "invitation", inv.ID, map[string]auditlog.Change{"status": {Before: invitationPending, After: answer}})
}
