package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/integration"
	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
)

// homeworkWriter records planned homework as the homework service would —
// the same submission, review and quality-check rows, the same audit
// entries, the same review.completed events — and writes it all in one
// transaction with multi-row inserts. The service takes three transactions
// and some thirty queries per submission; a fresh demo's submissions would
// take half a minute that way. homework_write_test.go replays part of the
// demo through the service and holds the writer to it row by row.
type homeworkWriter struct {
	r        *run
	settings *homework.Settings
	cal      *bizcal.Calendar
	sample   homework.Sampler
	lease    time.Duration

	students    map[string]*homework.Student    // by external id
	assignments map[string]*homework.Assignment // by external id
	enrollments map[string][]school.Enrollment  // by student id
	courses     map[string]string               // course id by cohort id
	curators    map[string]bool                 // the active curators, by user id
	open        map[string]int                  // open items in each curator's queue
	latest      map[string]*homework.Submission // the last attempt, by student and assignment id
	status      map[string]string               // by external id, of every demo submission
	reviewedAt  map[string]time.Time            // by external id, of the demo submissions with a verdict
	recorded    map[string]*homework.Submission // the demo submissions recorded before, by external id
	byID        map[string]*homework.Submission // the submissions written, by id
	verdictOf   map[string]string               // the id of each written submission's latest review

	subs    []*homework.Submission
	reviews []*homework.Review
	checks  []*homework.QualityCheck
	entries []auditlog.Entry
	events  []homework.CompletedEvent
}

// Audit entity types and the event the homework service records.
const (
	entitySubmission     = "homework_submission"
	entityQualityCheck   = "homework_quality_check"
	eventReviewCompleted = "review.completed"
)

// newHomeworkWriter reads what the service would look up for each
// submission — students, assignments, enrollments, curators, the school's
// calendar and queue settings, the submissions already recorded — once.
func newHomeworkWriter(ctx context.Context, r *run, sample homework.Sampler) (*homeworkWriter, error) {
	w := &homeworkWriter{r: r, sample: sample, students: map[string]*homework.Student{}, assignments: map[string]*homework.Assignment{},
		enrollments: map[string][]school.Enrollment{}, courses: map[string]string{}, curators: map[string]bool{}, open: map[string]int{},
		latest: map[string]*homework.Submission{}, status: map[string]string{}, reviewedAt: map[string]time.Time{},
		recorded: map[string]*homework.Submission{}, byID: map[string]*homework.Submission{}, verdictOf: map[string]string{}}
	var err error
	if w.settings, err = r.svc.Homework.Settings(ctx, r.orgID); err != nil {
		return nil, err
	}
	w.lease = time.Duration(w.settings.LeaseMinutes) * time.Minute
	if w.cal, err = schoolCalendar(ctx, r); err != nil {
		return nil, err
	}
	for _, load := range []func(context.Context) error{w.loadStudents, w.loadAssignments, w.loadEnrollments, w.loadCurators, w.loadRecorded} {
		if err := load(ctx); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// schoolCalendar is the school's default calendar in the school's time
// zone, the one review deadlines run on.
func schoolCalendar(ctx context.Context, r *run) (*bizcal.Calendar, error) {
	org, err := r.svc.Identity.OrgByID(ctx, r.orgID)
	if err != nil {
		return nil, err
	}
	cal, _, err := r.svc.School.CompiledCalendar(ctx, r.orgID, "", org.TimeZone)
	return cal, err
}

// maxDemoRows bounds the listings the writer reads; the demo school holds
// far fewer rows of each.
const maxDemoRows = 100000

func (w *homeworkWriter) loadStudents(ctx context.Context) error {
	students, err := w.r.svc.School.ListStudents(ctx, w.r.orgID, school.StudentFilter{Limit: maxDemoRows})
	for _, st := range students {
		if st.Source != nil && *st.Source == demoSource && st.ExternalID != nil {
			w.students[*st.ExternalID] = &homework.Student{ID: st.ID, ExternalID: st.ExternalID}
		}
	}
	return err
}

func (w *homeworkWriter) loadAssignments(ctx context.Context) error {
	for _, c := range demoCourses {
		for m := range c.modules {
			ext := fmt.Sprintf("%s-hw-%d", c.key, m+1)
			a, err := w.r.svc.School.AssignmentByExternalID(ctx, w.r.orgID, demoSource, ext)
			if err != nil {
				return fmt.Errorf("assignment %s: %w", ext, err)
			}
			rubric := make([]homework.RubricCriterion, len(a.Rubric))
			for i, c := range a.Rubric {
				rubric[i] = homework.RubricCriterion{Key: c.Key, Title: c.Title, MaxPoints: c.MaxPoints, Required: c.Required}
			}
			w.assignments[ext] = &homework.Assignment{ID: a.ID, ExternalID: a.ExternalID, CourseID: a.CourseID, ModuleID: a.ModuleID,
				Kind: a.Kind, ReviewTargetMinutes: a.ReviewTargetMinutes, Rubric: rubric}
		}
	}
	return nil
}

func (w *homeworkWriter) loadEnrollments(ctx context.Context) error {
	cohorts, err := w.r.svc.School.ListCohorts(ctx, w.r.orgID, school.CohortFilter{Limit: maxDemoRows})
	if err != nil {
		return err
	}
	for _, c := range cohorts {
		w.courses[c.ID] = c.CourseID
	}
	enrollments, err := w.r.svc.School.ListEnrollments(ctx, w.r.orgID, school.EnrollmentFilter{})
	for _, e := range enrollments {
		w.enrollments[e.StudentID] = append(w.enrollments[e.StudentID], e)
	}
	return err
}

func (w *homeworkWriter) loadCurators(ctx context.Context) error {
	people, err := w.r.svc.Identity.ActivePeople(ctx, w.r.orgID, "curator")
	for _, p := range people {
		w.curators[p.UserID] = true
	}
	return err
}

// loadRecorded reads the submissions already recorded, a page at a time:
// a few queries where looking up every planned attempt would take
// thousands.
func (w *homeworkWriter) loadRecorded(ctx context.Context) error {
	const pageSize = 1000
	var after []string
	for {
		page, err := w.r.svc.Homework.List(ctx, w.r.orgID, homework.Reviewer{SeesAll: true}, homework.ListFilter{Limit: pageSize, After: after})
		if err != nil {
			return err
		}
		for i := range page {
			w.note(&page[i])
			if page[i].Source == demoSource {
				w.recorded[page[i].ExternalID] = &page[i]
			}
		}
		if len(page) < pageSize {
			return nil
		}
		last := page[len(page)-1]
		after = []string{last.DueAt.UTC().Format(time.RFC3339Nano), last.ID}
	}
}

// note takes a submission into the writer's picture of the queues.
func (w *homeworkWriter) note(sub *homework.Submission) {
	if sub.Source == demoSource {
		w.status[sub.ExternalID] = sub.Status
		if sub.ReviewedAt != nil {
			w.reviewedAt[sub.ExternalID] = *sub.ReviewedAt
		}
	}
	if sub.Open() && sub.QueueCuratorID != nil {
		w.open[*sub.QueueCuratorID]++
	}
	key := sub.StudentID + "/" + sub.AssignmentID
	if last := w.latest[key]; last == nil || sub.Attempt > last.Attempt {
		w.latest[key] = sub
	}
}

// reviewedLate takes in the verdict on a recorded submission that was
// waiting.
func (w *homeworkWriter) reviewedLate(waiting, reviewed *homework.Submission) {
	if waiting.QueueCuratorID != nil {
		w.open[*waiting.QueueCuratorID]--
	}
	if last := w.latest[waiting.StudentID+"/"+waiting.AssignmentID]; last != nil && last.ID == waiting.ID {
		w.latest[waiting.StudentID+"/"+waiting.AssignmentID] = reviewed
	}
	w.recorded[reviewed.ExternalID] = reviewed
	w.note(reviewed)
}

// stillToSubmit reports whether a planned attempt is missing and may be
// submitted: a resubmission only follows a request for rework made before
// it. The plan depends on the hour it is made at, so a later seed can see
// another verdict than the one recorded; what is recorded stands, and the
// resubmission is not made.
func (w *homeworkWriter) stillToSubmit(a demoAttempt) bool {
	if _, recorded := w.status[a.ext]; recorded {
		return false
	}
	if a.previous == "" {
		return true
	}
	return w.status[a.previous] == homework.StatusReworkRequested && !w.reviewedAt[a.previous].After(a.at)
}

// waitsForVerdict reports whether a planned attempt was recorded waiting
// by an earlier seed and has a verdict by now.
func (w *homeworkWriter) waitsForVerdict(a demoAttempt) bool {
	sub := w.recorded[a.ext]
	return sub != nil && sub.Open() && a.outcome != "queued" && a.outcome != "claimed"
}

// attempt submits a planned attempt and takes it as far as its outcome.
func (w *homeworkWriter) attempt(a demoAttempt, seniorID string) error {
	sub, err := w.submit(a)
	if err != nil {
		return err
	}
	who := homework.Reviewer{UserID: seniorID, SeesAll: true}
	if sub.QueueCuratorID != nil {
		who = homework.Reviewer{UserID: *sub.QueueCuratorID}
	}
	switch a.outcome {
	case "queued":
	case "claimed":
		// Taken a few minutes before the seed, so that the lease is still
		// live when the demo opens.
		w.claim(sub, who, w.r.wall.Add(-5*time.Minute))
	default:
		w.claim(sub, who, a.reviewAt.Add(-20*time.Minute))
		w.review(sub, who, a)
	}
	w.status[a.ext] = statusAfter(a.outcome)
	return nil
}

// submit records a submission as Service.Submit does: its review deadline
// on the school's calendar, its attempt number and the queue it goes to.
func (w *homeworkWriter) submit(a demoAttempt) (*homework.Submission, error) {
	student, assignment := w.students[a.student], w.assignments[a.assignment]
	if student == nil || assignment == nil {
		return nil, fmt.Errorf("no student %s or no assignment %s", a.student, a.assignment)
	}
	enrollment := w.enrollmentInCourse(student.ID, assignment.CourseID)
	if enrollment == nil {
		return nil, fmt.Errorf("student %s is not enrolled in the course of %s", a.student, a.assignment)
	}
	key := student.ID + "/" + assignment.ID
	attempt, previous := 1, (*string)(nil)
	if last := w.latest[key]; last != nil {
		if last.Status != homework.StatusReworkRequested {
			return nil, fmt.Errorf("attempt %d of %s is %s", last.Attempt, a.assignment, last.Status)
		}
		id := last.ID
		attempt, previous = last.Attempt+1, &id
	}
	target := reviewTarget(assignment)
	sub := &homework.Submission{ID: ids.New(), OrgID: w.r.orgID, Source: demoSource, ExternalID: a.ext,
		StudentID: student.ID, StudentExternalID: student.ExternalID, AssignmentID: assignment.ID, AssignmentExternalID: assignment.ExternalID,
		CourseID: assignment.CourseID, ModuleID: assignment.ModuleID, CohortID: enrollment.CohortID, EnrollmentID: enrollment.ID,
		Attempt: attempt, PreviousSubmissionID: previous, Content: demoContent(a.ext), Rubric: assignment.Rubric,
		SubmittedAt: a.at.UTC(), TargetMinutes: target,
		DueAt:  w.cal.AddBusiness(a.at, time.Duration(target)*time.Minute).UTC().Truncate(time.Microsecond),
		Status: homework.StatusQueued, QueueCuratorID: w.route(enrollment.CuratorID), CreatedAt: a.at, UpdatedAt: a.at, Version: 1}
	w.record(entitySubmission, sub.ID, auditlog.Diff(nil, sub))
	w.subs = append(w.subs, sub)
	w.byID[sub.ID] = sub
	w.note(sub)
	return sub, nil
}

// enrollmentInCourse is the student's enrollment in a cohort of the
// course: an active one first, then the latest.
func (w *homeworkWriter) enrollmentInCourse(studentID, courseID string) *school.Enrollment {
	var found *school.Enrollment
	for i := range w.enrollments[studentID] {
		e := &w.enrollments[studentID][i]
		if w.courses[e.CohortID] == courseID && (found == nil || comesFirst(e, found)) {
			found = e
		}
	}
	return found
}

func comesFirst(a, b *school.Enrollment) bool {
	if aActive, bActive := a.Status == school.EnrollmentActive, b.Status == school.EnrollmentActive; aActive != bActive {
		return aActive
	}
	if !a.EnrolledAt.Equal(b.EnrolledAt) {
		return a.EnrolledAt.After(b.EnrolledAt)
	}
	return a.ID > b.ID
}

// reviewTarget is the assignment's review time in business minutes.
func reviewTarget(a *homework.Assignment) int {
	switch {
	case a.ReviewTargetMinutes > 0:
		return a.ReviewTargetMinutes
	case a.Kind == school.KindFinalProject:
		return homework.FinalProjectTargetMinutes
	default:
		return homework.DefaultTargetMinutes
	}
}

// route picks the queue: the enrollment's curator while they are an active
// curator with room in their queue, the cohort's pool otherwise.
func (w *homeworkWriter) route(curatorID *string) *string {
	if curatorID == nil || !w.curators[*curatorID] || w.open[*curatorID] >= w.settings.OpenCapacity {
		return nil
	}
	id := *curatorID
	return &id
}

func demoContent(ext string) homework.SubmissionContent {
	return homework.SubmissionContent{
		Text:        "Мои ответы на вопросы задания и размышления по теме модуля.",
		Links:       []string{"https://docs.example.com/" + ext},
		Attachments: []homework.SubmissionAttachment{{Name: "homework.pdf", URL: "https://lms.example.com/files/" + ext, SizeBytes: 180000, ContentType: "application/pdf"}},
	}
}

// claim takes a lease on the submission as Service.Claim does; a claim is
// not audited.
func (w *homeworkWriter) claim(sub *homework.Submission, who homework.Reviewer, at time.Time) {
	until := at.Add(w.lease)
	holder := who.UserID
	sub.Status, sub.ClaimedBy, sub.ClaimedAt, sub.LeaseExpiresAt, sub.Draft = homework.StatusInReview, &holder, &at, &until, nil
	sub.UpdatedAt = at
	sub.Version++
}

// review records the holder's verdict as Service.Review does: the review
// row, the submission leaving the queue, the sampling rule, the audit
// entry and review.completed.
func (w *homeworkWriter) review(sub *homework.Submission, who homework.Reviewer, a demoAttempt) {
	at, before := a.reviewAt, *sub
	total := 0
	for _, v := range a.scores {
		total += v
	}
	rev := &homework.Review{ID: ids.New(), OrgID: sub.OrgID, SubmissionID: sub.ID, AssignmentID: sub.AssignmentID, Attempt: sub.Attempt,
		Kind: homework.KindReview, ReviewerID: who.UserID,
		Verdict: a.outcome, Scores: a.scores, Score: total, MaxScore: sub.MaxScore(), Feedback: demoFeedback[a.outcome],
		BusinessSeconds: int64(w.cal.BusinessBetween(sub.SubmittedAt, at) / time.Second), WithinSLA: !at.After(sub.DueAt), CreatedAt: at}
	rev.Sampled = w.sampled(rev)
	sub.Status, sub.Verdict, sub.Score = rev.Verdict, &rev.Verdict, &rev.Score
	sub.ReviewedBy, sub.ReviewedAt, sub.ReviewSeconds = &rev.ReviewerID, &at, &rev.BusinessSeconds
	sub.ClaimedBy, sub.ClaimedAt, sub.LeaseExpiresAt, sub.Draft, sub.DraftSavedAt = nil, nil, nil, nil, nil
	sub.Version++
	sub.UpdatedAt = at
	w.reviews = append(w.reviews, rev)
	w.verdictOf[sub.ID] = rev.ID
	w.record(entitySubmission, sub.ID, auditlog.Diff(&before, sub))
	w.events = append(w.events, completedEvent(sub, rev, false))
}

// sampled applies the school's sampling rule to a new review: every
// rejection and every low score when the school says so, otherwise the
// curator's rate through the sampler. The history's reviewers are all past
// onboarding: the demo's newcomers join after it, so no review here is
// sampled at the probation rate.
func (w *homeworkWriter) sampled(r *homework.Review) bool {
	st := w.settings
	if st.SampleRejected && r.Verdict == homework.StatusRejected {
		return true
	}
	if r.MaxScore > 0 && st.LowScorePercent > 0 && r.Score*100 < st.LowScorePercent*r.MaxScore {
		return true
	}
	return w.sample(r.ID, st.SamplePercent)
}

func completedEvent(sub *homework.Submission, r *homework.Review, overturned bool) homework.CompletedEvent {
	return homework.CompletedEvent{SubmissionID: sub.ID, SubmissionExternalID: sub.ExternalID, Source: sub.Source,
		StudentExternalID: sub.StudentExternalID, AssignmentExternalID: sub.AssignmentExternalID, Attempt: sub.Attempt,
		ReviewID: r.ID, Verdict: r.Verdict, Score: r.Score, MaxScore: r.MaxScore, Scores: r.Scores, Feedback: r.Feedback,
		ReviewedAt: r.CreatedAt.UTC(), Overturned: overturned}
}

// checkPolicy is who gives which sampled review its second look, and what
// they find.
type checkPolicy struct {
	chosen func(*homework.Review) bool
	assess func(r *homework.Review, checkers []string) (checker string, in homework.QualityInput)
}

// demoChecks is the demo school's second looks.
var demoChecks = checkPolicy{chosen: chosenForCheck, assess: demoQualityCheck}

// qualityChecks gives the second look to the sampled reviews written by
// this seed that the policy chooses, in the order the reviews were made.
// Reviews recorded by an earlier seed had theirs decided then.
func (w *homeworkWriter) qualityChecks(policy checkPolicy, checkers []string) error {
	sampled := slices.Clone(w.reviews)
	sort.Slice(sampled, func(i, j int) bool { return sampled[i].ID < sampled[j].ID })
	for _, r := range sampled {
		if !r.Sampled || r.Kind != homework.KindReview || !policy.chosen(r) {
			continue
		}
		checker, in := policy.assess(r, checkers)
		if err := w.check(r, checker, in); err != nil {
			return fmt.Errorf("quality check of review %s: %w", r.ID, err)
		}
	}
	return nil
}

// check records a quality check as Service.CheckReview does, overturning
// the verdict when the checker says so.
func (w *homeworkWriter) check(r *homework.Review, checkerID string, in homework.QualityInput) error {
	if r.ReviewerID == checkerID {
		return fmt.Errorf("a reviewer does not check their own review")
	}
	now := w.r.tl.now
	q := &homework.QualityCheck{ID: ids.New(), OrgID: w.r.orgID, ReviewID: r.ID, SubmissionID: r.SubmissionID, CuratorID: r.ReviewerID,
		CheckerID: checkerID, VerdictCorrect: in.VerdictCorrect, FeedbackHelpful: in.FeedbackHelpful, Tone: in.Tone, OnTime: in.OnTime,
		Comment: in.Comment, Month: r.CreatedAt.UTC().Format("2006-01"), CreatedAt: now}
	if in.Overturn != nil && *in.Overturn != r.Verdict {
		if err := w.overturn(r, checkerID, *in.Overturn, now); err != nil {
			return err
		}
		q.OverturnedTo = in.Overturn
	}
	w.checks = append(w.checks, q)
	w.record(entityQualityCheck, q.ID, auditlog.Diff(nil, q))
	return nil
}

// overturn appends the checker's verdict to a submission whose current
// verdict is r's.
func (w *homeworkWriter) overturn(r *homework.Review, checkerID, verdict string, now time.Time) error {
	sub := w.byID[r.SubmissionID]
	if sub == nil || w.verdictOf[sub.ID] != r.ID {
		return fmt.Errorf("the submission's verdict has changed since review %s", r.ID)
	}
	next := *r
	overturned := r.ID
	next.ID, next.Kind, next.ReviewerID, next.Verdict, next.Sampled, next.OverturnsReviewID, next.CreatedAt =
		ids.New(), homework.KindOverturn, checkerID, verdict, false, &overturned, now
	w.reviews = append(w.reviews, &next)
	w.verdictOf[sub.ID] = next.ID
	before := *sub
	sub.Status, sub.Verdict = verdict, &next.Verdict
	sub.Version++
	sub.UpdatedAt = now
	w.record(entitySubmission, sub.ID, auditlog.Diff(&before, sub))
	w.events = append(w.events, completedEvent(sub, &next, true))
	return nil
}

// record keeps an audit entry for the write.
func (w *homeworkWriter) record(entityType, entityID string, changes map[string]auditlog.Change) {
	w.entries = append(w.entries, auditlog.Entry{OrgID: w.r.orgID, EntityType: entityType, EntityID: entityID, Changes: changes})
}

// write stores everything in one transaction, rows and audit entries in
// batches.
func (w *homeworkWriter) write(ctx context.Context) error {
	if len(w.subs) == 0 && len(w.checks) == 0 {
		return nil
	}
	entries := auditRows(ctx, w.r, w.entries)
	return database.InTx(ctx, w.r.svc.Homework.DB, func(ctx context.Context, tx bun.Tx) error {
		if err := insertInBatches(ctx, tx, w.subs); err != nil {
			return err
		}
		if err := insertInBatches(ctx, tx, w.reviews); err != nil {
			return err
		}
		if err := insertInBatches(ctx, tx, w.checks); err != nil {
			return err
		}
		if err := insertInBatches(ctx, tx, entries); err != nil {
			return err
		}
		return w.publish(ctx, tx)
	})
}

// publish records review.completed for every verdict. A school without
// webhook endpoints gets the outbox rows in batches; one with endpoints
// gets each event through the outbox, which queues its deliveries.
func (w *homeworkWriter) publish(ctx context.Context, tx bun.Tx) error {
	endpoints, err := w.r.svc.Integration.ListEndpoints(ctx, w.r.orgID, 1, "")
	if err != nil {
		return err
	}
	if len(endpoints) > 0 {
		for _, ev := range w.events {
			if err := w.r.svc.Integration.Publish(ctx, tx, w.r.orgID, eventReviewCompleted, ev); err != nil {
				return err
			}
		}
		return nil
	}
	at := w.r.svc.Integration.Now()
	rows := make([]*integration.OutboxEvent, len(w.events))
	for i, ev := range w.events {
		payload, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		rows[i] = &integration.OutboxEvent{ID: ids.New(), OrgID: w.r.orgID, Type: eventReviewCompleted, OccurredAt: at, Payload: payload}
	}
	return insertInBatches(ctx, tx, rows)
}
