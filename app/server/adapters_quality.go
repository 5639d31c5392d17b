package server

import (
	"context"
	"errors"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/quality"
	"github.com/curatorops/curatorops/modules/sla"
)

// qualityConversations reads students' conversations for quality control
// from the SLA module.
type qualityConversations struct{ sla *sla.Service }

func (a qualityConversations) LocalDay(ctx context.Context, orgID, date, field string) (quality.Day, error) {
	d, err := a.sla.LocalDay(ctx, orgID, date, field)
	return quality.Day{Date: d.Date, From: d.From, To: d.To}, err
}

func (a qualityConversations) AnsweredOn(ctx context.Context, orgID string, day quality.Day) ([]quality.Answered, error) {
	rows, err := a.sla.AnsweredOn(ctx, orgID, sla.Day{Date: day.Date, From: day.From, To: day.To})
	return qualityAnswered(rows), err
}

func (a qualityConversations) ConversationAnswers(ctx context.Context, orgID, conversationID string) ([]quality.Answered, error) {
	rows, err := a.sla.ConversationAnswers(ctx, orgID, conversationID)
	return qualityAnswered(rows), err
}

func qualityAnswered(rows []sla.AnsweredConversation) []quality.Answered {
	out := make([]quality.Answered, len(rows))
	for i, r := range rows {
		out[i] = quality.Answered{ConversationID: r.ConversationID, StudentID: r.StudentID, Channel: r.Channel, CuratorID: r.ResponderID,
			Day: r.Day, Answers: r.Answers, Breached: r.Breached, LastAnsweredAt: r.LastAnsweredAt}
	}
	return out
}

func (a qualityConversations) ConversationOn(ctx context.Context, orgID, conversationID string, day quality.Day) (*quality.ConversationDay, error) {
	c, err := a.sla.ConversationOn(ctx, orgID, conversationID, sla.Day{Date: day.Date, From: day.From, To: day.To})
	if err != nil {
		return nil, err
	}
	out := &quality.ConversationDay{ConversationID: c.Conversation.ID, StudentID: c.Conversation.StudentID, Channel: c.Conversation.Channel,
		Truncated: c.Truncated, Messages: make([]quality.Message, len(c.Messages)), Clocks: make([]quality.ResponseClock, len(c.Clocks))}
	for i, m := range c.Messages {
		out.Messages[i] = quality.Message{ID: m.ID, Direction: m.Direction, AuthorKind: m.AuthorKind, AuthorUserID: m.AuthorUserID,
			Kind: m.Kind, Text: m.Text, SentAt: m.SentAt, Effect: m.Effect}
	}
	for i, k := range c.Clocks {
		out.Clocks[i] = quality.ResponseClock{ID: k.ID, Kind: k.Kind, Status: k.Status, StartedAt: k.StartedAt, DueAt: k.DueAt,
			StoppedAt: k.StoppedAt, ResponderID: k.ResponderID, BusinessSeconds: k.BusinessSeconds, TargetSeconds: k.TargetSeconds,
			Breached: k.Breached}
	}
	return out, nil
}

func (a qualityConversations) MessageInConversation(ctx context.Context, orgID, conversationID, messageID string) (bool, error) {
	return a.sla.MessageInConversation(ctx, orgID, conversationID, messageID)
}

// qualityPeople answers who works in the school from identity.
type qualityPeople struct{ identity *identity.Service }

func (p qualityPeople) WithRole(ctx context.Context, orgID, role string) ([]string, error) {
	people, err := p.identity.ActivePeople(ctx, orgID, role)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(people))
	for i, person := range people {
		out[i] = person.UserID
	}
	return out, nil
}

func (p qualityPeople) Roles(ctx context.Context, orgID, userID string) ([]string, error) {
	person, err := p.identity.ActivePerson(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	return person.Roles, nil
}

func (p qualityPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}

// qualityArticles names the knowledge-base articles scorecard criteria
// point to, whatever their audience: the criteria are the school's.
type qualityArticles struct{ kb *kb.Service }

func (a qualityArticles) ArticleTitles(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, seen := out[id]; seen {
			continue
		}
		v, err := a.kb.Article(ctx, kb.Viewer{SeesAll: true}, orgID, id)
		if errors.Is(err, errs.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = v.Article.Title
	}
	return out, nil
}

// qualityHomework reads the homework review quality score for the quality
// scores page.
type qualityHomework struct{ homework *homework.Service }

func (h qualityHomework) HomeworkScores(ctx context.Context, orgID, month string) (map[string]quality.HomeworkScore, error) {
	rows, err := h.homework.QualityScores(ctx, orgID, homework.StatsReader{SeesAll: true}, month)
	if err != nil {
		return nil, err
	}
	out := make(map[string]quality.HomeworkScore, len(rows))
	for _, r := range rows {
		out[r.CuratorID] = quality.HomeworkScore{Score: r.Score, CheckedReviews: r.CheckedReviews}
	}
	return out, nil
}
