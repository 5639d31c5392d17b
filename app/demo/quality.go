package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/quality"
	"github.com/curatorops/curatorops/modules/sla"
)

// qualityDays is how many finished days before the seed's the demo samples.
const qualityDays = 30

// qualityOpenDays are the latest sampled days left unreviewed: the
// reviewers' queue.
const qualityOpenDays = 2

// qualityScorecardName names the demo's chat scorecard.
const qualityScorecardName = "Чаты со студентами"

// demoChatCriteria are the chat regulation's checks: the six criteria of
// the reference school's «регламент общения в чатах».
func demoChatCriteria(regulationID *string) []quality.CriterionInput {
	return []quality.CriterionInput{
		{Key: "greeting", Title: "Поздоровалась и обратилась по имени", Kind: quality.KindYesNo, Weight: 10, KBArticleID: regulationID},
		{Key: "answered", Title: "Ответила на заданный вопрос", Kind: quality.KindScale, Weight: 25, KBArticleID: regulationID},
		{Key: "tone", Title: "Тон: доброжелательно, на «вы», без канцелярита", Kind: quality.KindScale, Weight: 20, KBArticleID: regulationID},
		{Key: "accuracy", Title: "Точно по регламентам школы", Kind: quality.KindScale, Weight: 20, KBArticleID: regulationID},
		{Key: "next_step", Title: "Назвала следующий шаг и срок", Kind: quality.KindYesNo, Weight: 15, AllowNA: true, KBArticleID: regulationID},
		{Key: "no_promises", Title: "Не обещала того, чего нет в оферте", Kind: quality.KindYesNo, Weight: 10, AllowNA: true, KBArticleID: regulationID},
	}
}

// seedQuality tells a month of conversation quality control through the
// service, acting as the people who did it: the head sets up the chat
// scorecard and draws a daily sample for each of the last 30 finished
// days (seeded by the date, so the same every time); the reviewers score
// every sampled conversation except the last two days' (their queue);
// curators acknowledge the reviews older than a week, one curator disputes
// one review and the head revises it; the senior curator and the head run
// one calibration round. Every step is skipped when already done, so
// seeding twice changes nothing.
func seedQuality(ctx context.Context, r *run) error {
	svc := r.svc.Quality
	head, err := r.firstWithRole(ctx, "head_of_service")
	if err != nil {
		return err
	}
	senior, err := r.firstWithRole(ctx, "senior_curator")
	if err != nil {
		return err
	}
	asHead := actingAs(ctx, head)
	if err := seedQualitySetup(asHead, r); err != nil {
		return err
	}
	today := r.tl.now.In(moscow)
	for d := qualityDays; d >= 1; d-- {
		date := today.AddDate(0, 0, -d).Format(time.DateOnly)
		if _, _, err := svc.Sample(asHead, r.orgID, date, quality.DailySeed(date)); err != nil && !errors.Is(err, errs.ErrConflict) {
			return fmt.Errorf("sample %s: %w", date, err)
		}
	}
	openFrom := today.AddDate(0, 0, -qualityOpenDays).Format(time.DateOnly)
	if err := seedQualityReviews(ctx, r, openFrom); err != nil {
		return err
	}
	if err := seedQualityAnswers(ctx, r, head, today.AddDate(0, 0, -7).Format(time.DateOnly)); err != nil {
		return err
	}
	return seedQualityCalibration(ctx, r, head, senior)
}

// actingAs is ctx acting as a person of the school, as her requests would.
func actingAs(ctx context.Context, userID string) context.Context {
	return reqctx.With(ctx, &reqctx.Meta{OperationID: "seed-demo", Principal: &reqctx.Principal{Kind: reqctx.ActorUser, UserID: userID}})
}

func (r *run) firstWithRole(ctx context.Context, role string) (string, error) {
	people, err := r.svc.Identity.ActivePeople(ctx, r.orgID, role)
	if err != nil {
		return "", err
	}
	if len(people) == 0 {
		return "", fmt.Errorf("the demo school has no %s", role)
	}
	return people[0].UserID, nil
}

// seedQualitySetup creates the chat scorecard, pointing to the chat
// regulation, and makes it the school's default with 3 conversations a
// week per curator (7 for newcomers).
func seedQualitySetup(ctx context.Context, r *run) error {
	svc := r.svc.Quality
	cards, err := svc.Scorecards(ctx, r.orgID)
	if err != nil || len(cards) > 0 {
		return err
	}
	articles, err := r.svc.KB.Articles(ctx, kb.Viewer{SeesAll: true}, r.orgID, kb.ArticleFilter{Category: "chat_communication", Limit: 50})
	if err != nil {
		return err
	}
	var regulationID *string
	for _, a := range articles {
		if a.Title == "Регламент общения в чатах" {
			regulationID = &a.ID
		}
	}
	card, err := svc.CreateScorecard(ctx, r.orgID, qualityScorecardName, demoChatCriteria(regulationID))
	if err != nil {
		return err
	}
	_, err = svc.SaveSettings(ctx, r.orgID, 0, quality.SettingsInput{ReviewsPerWeek: quality.DefaultReviewsPerWeek,
		NewcomerReviewsPerWeek: quality.DefaultNewcomerReviewsPerWeek, DefaultScorecardID: &card.Scorecard.ID})
	return err
}

// seedQualityReviews scores every open sampled assignment of a day before
// openFrom, as its reviewer. The scores follow the conversation: a
// breached clock costs the answer and the next step; a few reviews find
// the tone or the accuracy lacking.
func seedQualityReviews(ctx context.Context, r *run, openFrom string) error {
	svc := r.svc.Quality
	open, err := svc.Assignments(ctx, r.orgID, quality.Reader{SeesAll: true}, quality.AssignmentFilter{Status: "open", Limit: 1000})
	if err != nil {
		return err
	}
	for _, a := range open {
		if a.Day >= openFrom || a.Source == quality.SourceCalibration {
			continue
		}
		h := idHash(a.ID)
		in := quality.ReviewInput{Scores: chatReviewScores(h, a.Breached), Comment: demoReviewComments[h%uint64(len(demoReviewComments))]}
		if _, err := svc.SubmitReview(actingAs(ctx, a.ReviewerID), r.orgID, a.ID, in); err != nil {
			return fmt.Errorf("review %s: %w", a.ID, err)
		}
	}
	return nil
}

var demoReviewComments = []string{"", "Хороший ответ, по делу.", "Не хватило конкретного срока.",
	"Тон отличный, но ответ пришлось уточнять.", "Всё по регламенту."}

// chatReviewScores are the six criteria's values for a review with hash h.
func chatReviewScores(h uint64, breached bool) []quality.ScoreInput {
	val := func(n int) *int { return &n }
	answered, tone, accuracy := 5-int(h%3)/2, 5-int(h>>4%5)/3, 5-int(h>>8%4)/2
	nextStep, promises := val(1), val(1)
	if breached {
		answered--
		nextStep = val(int(h >> 12 % 2))
	}
	if h>>16%7 == 0 {
		promises = nil
	}
	if h>>20%9 == 0 {
		tone = 2
	}
	greeting := val(1)
	if h>>24%6 == 0 {
		greeting = val(0)
	}
	scores := []quality.ScoreInput{
		{Key: "greeting", Value: greeting}, {Key: "answered", Value: val(answered)}, {Key: "tone", Value: val(tone)},
		{Key: "accuracy", Value: val(accuracy)}, {Key: "next_step", Value: nextStep}, {Key: "no_promises", Value: promises},
	}
	if tone == 2 {
		scores[2].Comment = "Резковато: «читайте внимательнее задание». По регламенту — мягче и с примером."
	}
	if *greeting == 0 {
		scores[0].Comment = "Ответ без приветствия и без имени студента."
	}
	return scores
}

// seedQualityAnswers has curators acknowledge their reviews of days before
// ackBefore. The first review with a low tone score is disputed instead,
// and the head revises it, once per school.
func seedQualityAnswers(ctx context.Context, r *run, head, ackBefore string) error {
	svc := r.svc.Quality
	reviews, err := svc.Reviews(ctx, r.orgID, quality.Reader{SeesAll: true}, quality.ReviewFilter{Limit: 1000})
	if err != nil {
		return err
	}
	disputed := false
	for _, v := range reviews {
		if v.Response != nil && v.Response.Kind == quality.ResponseDisputed {
			disputed = true
		}
	}
	for i := len(reviews) - 1; i >= 0; i-- { // oldest first
		v := reviews[i]
		if v.Response != nil || v.Review.Kind != quality.ReviewOriginal || v.Review.CalibrationID != nil || v.Review.Day >= ackBefore {
			continue
		}
		asCurator := actingAs(ctx, v.Review.CuratorID)
		if !disputed && lowTone(v) {
			disputed = true
			if _, err := svc.Respond(asCurator, r.orgID, v.Review.ID, quality.ResponseDisputed,
				"Студентка сама написала в резком тоне, я ответила по существу и со ссылкой на правила. Прошу пересмотреть тон."); err != nil {
				return err
			}
			revised := make([]quality.ScoreInput, len(v.Scores))
			for k, s := range v.Scores {
				revised[k] = quality.ScoreInput{Key: s.CriterionKey, Value: s.Value}
			}
			four := 4
			revised[2] = quality.ScoreInput{Key: "tone", Value: &four, Comment: "С учётом контекста переписки тон допустимый."}
			if _, err := svc.Settle(actingAs(ctx, head), r.orgID, v.Review.ID, quality.SettleInput{Outcome: quality.OutcomeRevised,
				Comment: "Пересмотрено: тон в пределах регламента.", Scores: revised}); err != nil {
				return err
			}
			continue
		}
		if _, err := svc.Respond(asCurator, r.orgID, v.Review.ID, quality.ResponseAcknowledged, ""); err != nil {
			return err
		}
	}
	return nil
}

func lowTone(v quality.ReviewView) bool {
	for _, s := range v.Scores {
		if s.CriterionKey == "tone" && s.Value != nil && *s.Value <= 2 {
			return true
		}
	}
	return false
}

// seedQualityCalibration sends one reviewed conversation to the senior
// curator and the head once, and scores it as both: they disagree on the
// tone and the next step.
func seedQualityCalibration(ctx context.Context, r *run, head, senior string) error {
	svc := r.svc.Quality
	have, err := svc.Calibrations(ctx, r.orgID, "", 1)
	if err != nil || len(have) > 0 {
		return err
	}
	// The round needs a conversation neither reviewer has yet: the daily
	// samples hand most to the senior curator, and a reviewer gets a
	// conversation once.
	target, err := calibrationTarget(ctx, r, head, senior)
	if err != nil || target == nil {
		return err
	}
	for _, a := range []*sla.AnsweredConversation{target} {
		_, as, err := svc.Calibrate(actingAs(ctx, head), r.orgID, quality.CalibrationInput{ConversationID: a.ConversationID,
			CuratorID: a.ResponderID, Day: a.Day, ReviewerIDs: []string{senior, head}, Note: "Сверяем оценку тона и следующего шага."})
		if err != nil {
			return err
		}
		for _, c := range as {
			tone, next := 5, 1
			if c.ReviewerID == head {
				tone, next = 3, 0
			}
			one, four := 1, 4
			in := quality.ReviewInput{Scores: []quality.ScoreInput{{Key: "greeting", Value: &one}, {Key: "answered", Value: &four},
				{Key: "tone", Value: &tone}, {Key: "accuracy", Value: &four}, {Key: "next_step", Value: &next}, {Key: "no_promises", Value: &one}}}
			if _, err := svc.SubmitReview(actingAs(ctx, c.ReviewerID), r.orgID, c.ID, in); err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

// calibrationTarget finds a conversation a curator (neither the head nor
// the senior curator) answered in the last month that nobody was handed
// for review, latest day first; nil when there is none.
func calibrationTarget(ctx context.Context, r *run, head, senior string) (*sla.AnsweredConversation, error) {
	today := r.tl.now.In(moscow)
	for d := qualityOpenDays + 1; d <= qualityDays; d++ {
		date := today.AddDate(0, 0, -d).Format(time.DateOnly)
		day, err := r.svc.SLA.LocalDay(ctx, r.orgID, date, "day")
		if err != nil {
			return nil, err
		}
		answered, err := r.svc.SLA.AnsweredOn(ctx, r.orgID, day)
		if err != nil {
			return nil, err
		}
		handed, err := r.svc.Quality.Assignments(ctx, r.orgID, quality.Reader{SeesAll: true}, quality.AssignmentFilter{Day: date, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for i := range answered {
			a := &answered[i]
			if a.ResponderID == head || a.ResponderID == senior {
				continue
			}
			if !slices.ContainsFunc(handed, func(h quality.Assignment) bool { return h.ConversationID == a.ConversationID }) {
				return a, nil
			}
		}
	}
	return nil, nil
}
