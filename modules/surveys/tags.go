package surveys

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// tagsInput holds the rules of a tag list.
type tagsInput struct {
	Tags []string `json:"tags" validate:"max=20,dive,required,max=40,singleline"`
}

// SetTags replaces the tags of an answer (at most 20, each kept once, in
// the order given). The answer must be one the caller may read.
func (s *Service) SetTags(ctx context.Context, orgID, answerID string, version int64, tags []string) (*Answer, error) {
	if err := validate.Struct(s.Now(), "body.", tagsInput{Tags: tags}); err != nil {
		return nil, err
	}
	clean := make([]string, 0, len(tags))
	for _, t := range tags {
		if !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	if _, err := s.Answer(ctx, orgID, answerID); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[AnswerTags, *AnswerTags]{
			What: "the answer's tags",
			Load: func() (*AnswerTags, error) { return s.store.LockTags(ctx, tx, orgID, answerID) },
			Change: func(t *AnswerTags) error {
				if slices.Equal(t.Tags, clean) {
					return database.ErrUnchanged
				}
				t.Tags, t.UpdatedBy = clean, actor(ctx)
				return nil
			},
			Write: func(t *AnswerTags, was int64) (bool, error) { return s.store.WriteTags(ctx, tx, t, was) },
		}.Run(version, s.Now())
		if err != nil || after == nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "survey_answer_tags", answerID,
			map[string]auditlog.Change{"tags": {Before: before.Tags, After: after.Tags}})
	})
	if err != nil {
		return nil, err
	}
	return s.store.Answer(ctx, s.DB, orgID, answerID)
}
