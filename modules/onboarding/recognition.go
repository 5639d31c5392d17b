package onboarding

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// RecognitionKinds lists the kinds of recognition.
var RecognitionKinds = []string{RecognitionThanks, RecognitionCertificate}

// RecognitionInput is a thanks or a certificate to award.
type RecognitionInput struct {
	UserID string
	Kind   string
	Title  string
	Text   string
}

// Recognize puts a thanks or a certificate on a member's profile. Audited.
func (s *Service) Recognize(ctx context.Context, orgID string, in RecognitionInput) (*Recognition, error) {
	in.Title, in.Text = strings.TrimSpace(in.Title), strings.TrimSpace(in.Text)
	var v errs.ValidationError
	add := func(loc, msg string) { v.Fields = append(v.Fields, errs.FieldError{Location: loc, Message: msg}) }
	if !slices.Contains(RecognitionKinds, in.Kind) {
		add("body.kind", "must be thanks or certificate")
	}
	if in.Title == "" || len(in.Title) > 200 || !validate.IsSingleLine(in.Title) {
		add("body.title", "must be one line of 1 to 200 characters")
	}
	if len(in.Text) > 4000 {
		add("body.text", "must be at most 4000 characters")
	}
	if len(v.Fields) > 0 {
		return nil, &v
	}
	if _, err := s.member(ctx, orgID, in.UserID, "body.user_id"); err != nil {
		return nil, err
	}
	var out *Recognition
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r := &Recognition{ID: ids.New(), OrgID: orgID, UserID: in.UserID, Kind: in.Kind, Title: in.Title, Text: in.Text,
			AwardedBy: actor(ctx), AwardedAt: s.Now()}
		if err := s.store.InsertRecognition(ctx, tx, r); err != nil {
			return err
		}
		out = r
		return s.Record(ctx, tx, orgID, entityRecognize, r.ID, auditlog.Diff(nil, r))
	})
	return out, err
}

// Recognitions returns a page of the school's recognitions, of one member
// when the filter names them.
func (s *Service) Recognitions(ctx context.Context, orgID string, f RecognitionFilter) ([]Recognition, error) {
	return s.store.Recognitions(ctx, s.DB, orgID, f)
}

// WithdrawRecognition removes a recognition given by mistake. Audited.
func (s *Service) WithdrawRecognition(ctx context.Context, orgID, id string) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.store.Recognition(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if _, err := s.store.DeleteRecognition(ctx, tx, orgID, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityRecognize, r.ID, auditlog.Diff(r, nil))
	})
}
