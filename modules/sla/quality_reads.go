package sla

import (
	"context"
	"time"

	"github.com/curatorops/curatorops/modules/platform/clock"
)

// The reads below serve conversation quality control: which conversations a
// person answered on a day, and what a reviewer reads of one.

// AnsweredConversation is one conversation a staff member answered on a
// local day: the clocks she stopped there and whether any of them breached.
type AnsweredConversation struct {
	ConversationID string
	StudentID      string
	Channel        string
	ResponderID    string
	Day            string // the school's local day, YYYY-MM-DD
	Answers        int
	Breached       bool
	LastAnsweredAt time.Time
}

// Day is a local day of the school with its bounds in UTC.
type Day struct {
	Date     string
	From, To time.Time
}

// LocalDay returns the bounds of date (YYYY-MM-DD) in the school's time
// zone; a malformed date is refused naming field.
func (s *Service) LocalDay(ctx context.Context, orgID, date, field string) (Day, error) {
	loc, err := s.location(ctx, orgID)
	if err != nil {
		return Day{}, err
	}
	d, err := clock.ParseDay(field, date, loc)
	if err != nil {
		return Day{}, err
	}
	return Day{Date: date, From: d.UTC(), To: d.AddDate(0, 0, 1).UTC()}, nil
}

// AnsweredOn lists the conversations answered on day, one row per
// conversation and responder, by conversation id then responder id.
func (s *Service) AnsweredOn(ctx context.Context, orgID string, day Day) ([]AnsweredConversation, error) {
	clocks, err := s.store.AnsweredClocksBetween(ctx, s.DB, orgID, day.From, day.To)
	if err != nil {
		return nil, err
	}
	convs, err := s.conversationsOf(ctx, orgID, clocks)
	if err != nil {
		return nil, err
	}
	return groupAnswers(clocks, convs, func(time.Time) string { return day.Date }), nil
}

// ConversationAnswers lists who answered a conversation and on which local
// days, one row per responder and day, by day then responder.
func (s *Service) ConversationAnswers(ctx context.Context, orgID, conversationID string) ([]AnsweredConversation, error) {
	conv, err := s.store.Conversation(ctx, s.DB, orgID, conversationID)
	if err != nil {
		return nil, err
	}
	loc, err := s.location(ctx, orgID)
	if err != nil {
		return nil, err
	}
	clocks, err := s.store.AnsweredClocksOf(ctx, s.DB, orgID, conversationID)
	if err != nil {
		return nil, err
	}
	return groupAnswers(clocks, map[string]*Conversation{conv.ID: conv}, func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }), nil
}

func (s *Service) conversationsOf(ctx context.Context, orgID string, clocks []ResponseClock) (map[string]*Conversation, error) {
	out := map[string]*Conversation{}
	for _, c := range clocks {
		if _, ok := out[c.ConversationID]; ok {
			continue
		}
		conv, err := s.store.Conversation(ctx, s.DB, orgID, c.ConversationID)
		if err != nil {
			return nil, err
		}
		out[c.ConversationID] = conv
	}
	return out, nil
}

// groupAnswers folds answered clocks into one row per conversation,
// responder and local day, in the clocks' order.
func groupAnswers(clocks []ResponseClock, convs map[string]*Conversation, dayOf func(time.Time) string) []AnsweredConversation {
	var out []AnsweredConversation
	index := map[[3]string]int{}
	for _, c := range clocks {
		day := dayOf(*c.StoppedAt)
		key := [3]string{c.ConversationID, *c.ResponderID, day}
		i, ok := index[key]
		if !ok {
			conv := convs[c.ConversationID]
			out = append(out, AnsweredConversation{ConversationID: c.ConversationID, StudentID: conv.StudentID, Channel: conv.Channel,
				ResponderID: *c.ResponderID, Day: day})
			i = len(out) - 1
			index[key] = i
		}
		a := &out[i]
		a.Answers++
		a.Breached = a.Breached || c.Breached
		if c.StoppedAt.After(a.LastAnsweredAt) {
			a.LastAnsweredAt = c.StoppedAt.UTC()
		}
	}
	return out
}

// ConversationDay is what a reviewer reads of a conversation on one day:
// the messages sent that day and the clocks that started or stopped then.
type ConversationDay struct {
	Conversation Conversation
	Messages     []Message
	Clocks       []ResponseClock
	Truncated    bool // more messages were sent that day than are shown
}

// reviewMessageLimit bounds the messages a review shows of one day.
const reviewMessageLimit = 1000

// ConversationOn returns the conversation as it went on day.
func (s *Service) ConversationOn(ctx context.Context, orgID, conversationID string, day Day) (*ConversationDay, error) {
	conv, err := s.store.Conversation(ctx, s.DB, orgID, conversationID)
	if err != nil {
		return nil, err
	}
	msgs, err := s.store.MessagesBetween(ctx, s.DB, orgID, conversationID, day.From, day.To, reviewMessageLimit+1)
	if err != nil {
		return nil, err
	}
	clocks, err := s.store.ClocksTouching(ctx, s.DB, orgID, conversationID, day.From, day.To)
	if err != nil {
		return nil, err
	}
	out := &ConversationDay{Conversation: *conv, Messages: msgs, Clocks: clocks}
	if len(msgs) > reviewMessageLimit {
		out.Messages, out.Truncated = msgs[:reviewMessageLimit], true
	}
	return out, nil
}

// MessageInConversation reports whether the message belongs to the
// conversation, so that a review can quote it.
func (s *Service) MessageInConversation(ctx context.Context, orgID, conversationID, messageID string) (bool, error) {
	return s.store.MessageInConversation(ctx, s.DB, orgID, conversationID, messageID)
}
