package hiring

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Limits of a test task.
const (
	MaxTaskItems    = 20
	DefaultTaskDays = 7
	MaxTaskDays     = 30
)

// ItemInput marks a homework submission as a calibration item.
type ItemInput struct {
	SubmissionID     string
	Title            string
	ReferenceVerdict string
	ReferenceScore   int
	// Text replaces the submission's text in what candidates see, for
	// the head to remove anything that could identify the student.
	Text *string
}

// MarkItem copies a real homework submission (its work and rubric, never
// the student) into the calibration set with the head's reference verdict
// and score.
func (s *Service) MarkItem(ctx context.Context, orgID string, in ItemInput) (*CalibrationItem, error) {
	work, err := s.submissions.CalibrationSource(ctx, orgID, in.SubmissionID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid("body.submission_id", "no such submission in this school")
	}
	if err != nil {
		return nil, err
	}
	material := Material{Text: redact(work.Text, work.StudentValues), Links: work.Links}
	if in.Text != nil {
		material.Text = *in.Text
	}
	if material.Links == nil {
		material.Links = []string{}
	}
	maxScore := 0
	for _, l := range work.Rubric {
		maxScore += l.MaxPoints
	}
	if err := checkScore(in.ReferenceScore, maxScore, "body.reference_score"); err != nil {
		return nil, err
	}
	now := s.Now()
	it := &CalibrationItem{ID: ids.New(), OrgID: orgID, SubmissionID: in.SubmissionID, Title: in.Title, Content: material,
		Rubric: work.Rubric, MaxScore: maxScore, ReferenceVerdict: in.ReferenceVerdict, ReferenceScore: in.ReferenceScore, Active: true,
		CreatedBy: actorID(ctx), CreatedAt: now, UpdatedAt: now, Version: 1}
	if it.Rubric == nil {
		it.Rubric = []RubricLine{}
	}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertItem(ctx, tx, it); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("the submission is already a calibration item")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "hiring_calibration_item", it.ID, auditlog.Diff(nil, it))
	})
	return it, err
}

// StudentMark replaces the student's personal values in calibration texts.
const StudentMark = "[студент]"

// redact replaces every personal value of the student in text, the full
// name and each of its words (a first name alone is the usual greeting).
func redact(text string, values []string) string {
	var words []string
	for _, v := range values {
		words = append(words, v)
		words = append(words, strings.Fields(v)...)
	}
	// Longest first, so that a full name goes before its parts.
	sort.Slice(words, func(i, j int) bool { return len(words[i]) > len(words[j]) })
	for _, w := range words {
		if len([]rune(w)) >= 3 {
			text = strings.ReplaceAll(text, w, StudentMark)
		}
	}
	return text
}

func checkScore(score, maxScore int, location string) error {
	if score < 0 || score > maxScore {
		return errs.Invalid(location, "must lie between 0 and the rubric's "+strconv.Itoa(maxScore)+" points")
	}
	return nil
}

// ItemPatch changes a calibration item. A change applies to tasks submitted
// afterwards: submitted answers keep the reference they were scored against.
type ItemPatch struct {
	Title            *string
	ReferenceVerdict *string
	ReferenceScore   *int
	Text             *string
	Active           *bool
}

// ChangeItem edits a calibration item at version.
func (s *Service) ChangeItem(ctx context.Context, orgID, id string, version int64, p ItemPatch) (*CalibrationItem, error) {
	var out *CalibrationItem
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[CalibrationItem, *CalibrationItem]{
			What: "the calibration item",
			Load: func() (*CalibrationItem, error) { return s.store.Item(ctx, tx, orgID, id) },
			Change: func(it *CalibrationItem) error {
				database.SetIf(&it.Title, p.Title)
				database.SetIf(&it.ReferenceVerdict, p.ReferenceVerdict)
				database.SetIf(&it.ReferenceScore, p.ReferenceScore)
				database.SetIf(&it.Content.Text, p.Text)
				database.SetIf(&it.Active, p.Active)
				return checkScore(it.ReferenceScore, it.MaxScore, "body.reference_score")
			},
			Write: func(it *CalibrationItem, was int64) (bool, error) { return s.store.UpdateItem(ctx, tx, it, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "hiring_calibration_item", id, auditlog.Diff(before, after))
	})
	return out, err
}

// Item returns one calibration item.
func (s *Service) Item(ctx context.Context, orgID, id string) (*CalibrationItem, error) {
	return s.store.Item(ctx, s.DB, orgID, id)
}

// Items lists the calibration set.
func (s *Service) Items(ctx context.Context, orgID, afterID string, limit int) ([]CalibrationItem, error) {
	return s.store.ListItems(ctx, s.DB, orgID, afterID, limit)
}

// IssuedTask is a new test task with the token of its link, shown once.
type IssuedTask struct {
	Task  *TestTask
	Token string
}

// IssueTask gives an application a calibration set to review through a
// one-time link valid for days: the items named, or every active item.
// An application has one open task at a time.
func (s *Service) IssueTask(ctx context.Context, orgID, applicationID string, itemIDs []string, days int) (*IssuedTask, error) {
	if days == 0 {
		days = DefaultTaskDays
	}
	var out *IssuedTask
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		stages, err := s.ensureCatalogs(ctx, tx, orgID)
		if err != nil {
			return err
		}
		a, err := s.store.LockApplication(ctx, tx, orgID, applicationID)
		if err != nil {
			return err
		}
		if st := stageByID(stages, a.StageID); st != nil && isEnd(st.Kind) {
			return errs.Conflict("the application is closed at stage %q", st.Title)
		}
		items, err := s.store.Items(ctx, tx, orgID, itemIDs)
		if err != nil {
			return err
		}
		if err := checkTaskItems(items, itemIDs); err != nil {
			return err
		}
		token, hash := newToken()
		now := s.Now()
		t := &TestTask{ID: ids.New(), OrgID: orgID, ApplicationID: a.ID, CandidateID: a.CandidateID, TokenHash: hash,
			ItemIDs: itemIDsOf(items), Status: TaskIssued, ExpiresAt: now.AddDate(0, 0, days), IssuedBy: actorID(ctx), IssuedAt: now, Version: 1}
		if err := s.store.InsertTask(ctx, tx, t); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("the application has an open test task; revoke it first")
			}
			return err
		}
		out = &IssuedTask{Task: t, Token: token}
		return s.Record(ctx, tx, orgID, "hiring_test_task", t.ID, map[string]auditlog.Change{
			"application_id": {After: a.ID}, "item_ids": {After: t.ItemIDs}, "expires_at": {After: t.ExpiresAt}})
	})
	return out, err
}

func checkTaskItems(items []CalibrationItem, asked []string) error {
	if asked != nil && len(items) != len(asked) {
		return errs.Invalid("body.item_ids", "every item must be a calibration item of this school, each once")
	}
	for _, it := range items {
		if !it.Active {
			return errs.Invalid("body.item_ids", "a retired calibration item cannot be issued")
		}
	}
	if len(items) == 0 {
		return errs.Conflict("the school has no active calibration items; the head marks some first")
	}
	if len(items) > MaxTaskItems {
		return errs.Invalid("body.item_ids", "a test task holds at most "+strconv.Itoa(MaxTaskItems)+" items")
	}
	return nil
}

func itemIDsOf(items []CalibrationItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// RevokeTask closes an open test task; its link stops working.
func (s *Service) RevokeTask(ctx context.Context, orgID, id string) (*TestTask, error) {
	var out *TestTask
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t, err := s.store.Task(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if t.Status != TaskIssued {
			return errs.Conflict("the test task is %s", t.Status)
		}
		after := *t
		after.Status = TaskRevoked
		after.Bump(s.Now())
		if _, err := s.store.UpdateTask(ctx, tx, &after, t.Version); err != nil {
			return err
		}
		out = &after
		return s.Record(ctx, tx, orgID, "hiring_test_task", id, map[string]auditlog.Change{"status": {Before: t.Status, After: after.Status}})
	})
	return out, err
}

// CandidateView is what a candidate sees through their link: the work to
// review and, once submitted, their own answers. It holds nothing of the
// reference verdicts, of the school's other candidates or of the students.
type CandidateView struct {
	Status      string
	ExpiresAt   time.Time
	SubmittedAt *time.Time
	Items       []CalibrationItem
	Answers     []TestAnswer
}

// OpenTask returns the task behind a link's token. A revoked task's link
// no longer works (404).
func (s *Service) OpenTask(ctx context.Context, token string) (*CandidateView, error) {
	t, err := s.store.TaskByToken(ctx, s.DB, hashToken(token), false)
	if err != nil {
		return nil, err
	}
	if t.Status == TaskRevoked {
		return nil, errs.NotFound("test task")
	}
	items, err := s.store.Items(ctx, s.DB, t.OrgID, t.ItemIDs)
	if err != nil {
		return nil, err
	}
	answers, err := s.store.Answers(ctx, s.DB, t.OrgID, t.ID)
	if err != nil {
		return nil, err
	}
	return &CandidateView{Status: t.State(s.Now()), ExpiresAt: t.ExpiresAt, SubmittedAt: t.SubmittedAt, Items: items, Answers: answers}, nil
}

// Answer is a candidate's review of one item.
type Answer struct {
	ItemID  string
	Verdict string
	Score   int
	Comment string
}

// SubmitTask stores the candidate's answers, one per item of the task, and
// scores them against the references as they are now. Once submitted, the
// task is read-only.
func (s *Service) SubmitTask(ctx context.Context, token string, answers []Answer) (*CandidateView, error) {
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t, err := s.store.TaskByToken(ctx, tx, hashToken(token), true)
		if err != nil {
			return err
		}
		switch t.State(s.Now()) {
		case TaskRevoked:
			return errs.NotFound("test task")
		case TaskSubmitted:
			return errs.Conflict("the test task was already submitted; it is read-only")
		case "expired":
			return errs.Conflict("the test task's link expired")
		}
		items, err := s.store.Items(ctx, tx, t.OrgID, t.ItemIDs)
		if err != nil {
			return err
		}
		rows, err := s.answerRows(t, items, answers)
		if err != nil {
			return err
		}
		if err := s.store.InsertAnswers(ctx, tx, rows); err != nil {
			return err
		}
		return s.finishTask(ctx, tx, t, rows)
	})
	if err != nil {
		return nil, err
	}
	return s.OpenTask(ctx, token)
}

// answerRows checks that answers cover the task's items exactly once and
// pairs each with the item's reference.
func (s *Service) answerRows(t *TestTask, items []CalibrationItem, answers []Answer) ([]TestAnswer, error) {
	byID := map[string]*CalibrationItem{}
	position := map[string]int{}
	for i := range items {
		byID[items[i].ID] = &items[i]
	}
	for i, id := range t.ItemIDs {
		position[id] = i
	}
	if len(answers) != len(t.ItemIDs) {
		return nil, errs.Invalid("body.answers", "answer every item of the task, each once ("+strconv.Itoa(len(t.ItemIDs))+")")
	}
	seen := map[string]bool{}
	rows := make([]TestAnswer, 0, len(answers))
	for i, a := range answers {
		at := "body.answers[" + strconv.Itoa(i) + "]"
		it := byID[a.ItemID]
		if it == nil || seen[a.ItemID] {
			return nil, errs.Invalid(at+".item_id", "not an item of this task, or answered twice")
		}
		seen[a.ItemID] = true
		if err := checkScore(a.Score, it.MaxScore, at+".score"); err != nil {
			return nil, err
		}
		rows = append(rows, TestAnswer{ID: ids.New(), OrgID: t.OrgID, TaskID: t.ID, ItemID: it.ID, Position: position[it.ID],
			Verdict: a.Verdict, Score: a.Score, Comment: a.Comment, ReferenceVerdict: it.ReferenceVerdict,
			ReferenceScore: it.ReferenceScore, MaxScore: it.MaxScore, CreatedAt: s.Now()})
	}
	return rows, nil
}

// finishTask marks the task submitted with its calibration figures, and
// keeps the candidate's best agreement for the reserve search.
func (s *Service) finishTask(ctx context.Context, tx bun.IDB, t *TestTask, rows []TestAnswer) error {
	c := Calibrate(rows)
	now := s.Now()
	after := *t
	after.Status, after.SubmittedAt = TaskSubmitted, &now
	after.Matches, after.Answered, after.DeviationSum, after.MaxScoreSum = &c.Matches, &c.Answered, &c.DeviationSum, &c.MaxScoreSum
	after.Bump(now)
	ok, err := s.store.UpdateTask(ctx, tx, &after, t.Version)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Conflict("the test task was submitted meanwhile")
	}
	if pct := c.AgreementPercent(); pct != nil {
		cand, err := s.store.LockCandidate(ctx, tx, t.OrgID, t.CandidateID)
		if err != nil {
			return err
		}
		if cand.BestTestPercent == nil || *cand.BestTestPercent < int(*pct) {
			best := cand.withBest(int(*pct), now)
			if _, err := s.store.UpdateCandidate(ctx, tx, best, cand.Version); err != nil {
				return err
			}
		}
	}
	return s.Record(ctx, tx, t.OrgID, "hiring_test_task", t.ID, map[string]auditlog.Change{
		"status": {Before: t.Status, After: TaskSubmitted}, "matches": {After: c.Matches}, "answered": {After: c.Answered},
		"deviation_sum": {After: c.DeviationSum}})
}

// withBest is the candidate with a new best agreement (rounded down).
func (c *Candidate) withBest(percent int, at time.Time) *Candidate {
	after := *c
	after.BestTestPercent = &percent
	after.Bump(at)
	return &after
}

// Calibration is how a candidate's reviews compare with the references.
type Calibration struct {
	// Matches of Answered verdicts equal the reference verdict.
	Matches, Answered int
	// DeviationSum is the sum over items of |score - reference score|, in
	// rubric points; MaxScoreSum is the sum of the items' maximum scores.
	DeviationSum, MaxScoreSum int
}

// Calibrate compares answers with the references they carry.
func Calibrate(rows []TestAnswer) Calibration {
	var c Calibration
	for _, r := range rows {
		c.Answered++
		if r.Verdict == r.ReferenceVerdict {
			c.Matches++
		}
		d := r.Score - r.ReferenceScore
		if d < 0 {
			d = -d
		}
		c.DeviationSum += d
		c.MaxScoreSum += r.MaxScore
	}
	return c
}

// AgreementPercent is Matches/Answered in %; nil with no answers.
func (c Calibration) AgreementPercent() *float64 {
	if c.Answered == 0 {
		return nil
	}
	v := float64(c.Matches) * 100 / float64(c.Answered)
	return &v
}

// MeanDeviation is DeviationSum/Answered, in rubric points; nil with no answers.
func (c Calibration) MeanDeviation() *float64 {
	if c.Answered == 0 {
		return nil
	}
	v := float64(c.DeviationSum) / float64(c.Answered)
	return &v
}

// Result returns a submitted task's calibration with the answers beside the
// references, for HR and the head.
func (s *Service) Result(ctx context.Context, orgID, taskID string) (*TestTask, []TestAnswer, error) {
	t, err := s.store.Task(ctx, s.DB, orgID, taskID)
	if err != nil {
		return nil, nil, err
	}
	answers, err := s.store.Answers(ctx, s.DB, orgID, t.ID)
	return t, answers, err
}

// Tasks lists an application's test tasks.
func (s *Service) Tasks(ctx context.Context, orgID, applicationID string) ([]TestTask, error) {
	if _, err := s.store.Application(ctx, s.DB, orgID, applicationID); err != nil {
		return nil, err
	}
	return s.store.Tasks(ctx, s.DB, orgID, applicationID)
}

// newToken returns a link token (256 random bits) and the hash stored.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
