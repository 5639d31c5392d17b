package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
)

// casePlan is how a cohort's case collection went: the reference school
// collected 3–6 cases a cohort before collection became a curator's duty,
// then 10+ video cases and about 100 reviews. The two oldest cohorts show
// the before, flow 11 the first weeks of the regulation, flow 12 the
// target nearly met, and practice flow 8 a cohort half-way through.
type casePlan struct {
	requests  int // students asked
	answered  int // requests answered with a case
	recorded  int // cases curators took down without a request
	videos    int // collected cases with a video link
	pending   int // answered cases still waiting for moderation
	rejected  int
	published int // of the collected ones
	openLinks int // of the unanswered requests, links still open
	declined  int // of the unanswered requests
}

var casePlans = map[string]casePlan{
	"flow-rel-10": {requests: 0, recorded: 4, videos: 1, published: 3},
	"flow-prac-7": {requests: 0, recorded: 5, videos: 1, published: 4},
	"flow-rel-11": {requests: 34, answered: 22, recorded: 2, videos: 4, pending: 0, rejected: 2, published: 14, declined: 5},
	"flow-rel-12": {requests: 116, answered: 98, recorded: 8, videos: 11, pending: 4, rejected: 3, published: 60, openLinks: 6, declined: 6},
	"flow-prac-8": {requests: 78, answered: 52, recorded: 4, videos: 6, pending: 7, rejected: 2, published: 25, openLinks: 14, declined: 5},
}

// caseWords are students' own words, as they wrote them.
var caseWords = []struct{ text, before, after string }{
	{"Пришла на курс, чтобы разобраться в своих отношениях, а получила профессию. Спасибо куратору за терпение и честную обратную связь!",
		"Работала бухгалтером, психологию читала только в блогах", "Веду первых клиентов на консультациях"},
	{"Больше всего ценю разборы домашних заданий: куратор всегда объясняла, что именно получилось и куда расти.",
		"Боялась, что не потяну теорию", "Сдала все модули вовремя"},
	{"Курс помог мне выстроить границы с мамой. Техники из третьего модуля использую каждый день.",
		"Постоянные конфликты в семье", "Спокойные разговоры без криков"},
	{"Я сомневалась, стоит ли идти в психологию после 40. Теперь точно знаю — стоило.",
		"Сомнения и страх начинать заново", "Поступила в магистратуру по консультированию"},
	{"Практика в парах — лучшее, что было на курсе. Живые случаи, супервизия, поддержка группы.",
		"Только книжные знания", "Уверенно провожу первичную консультацию"},
	{"Спасибо за быстрые ответы в чате: ни разу не ждала дольше пары часов.",
		"", ""},
	{"Через месяц после выпуска взяла первого платного клиента. Для меня это маленькое чудо.",
		"Ноль клиентов и синдром самозванца", "Пять постоянных клиентов"},
	{"Структура курса понятная, материалы можно пересматривать. Куратор помогла не бросить на втором модуле.",
		"Хотела бросить после второго модуля", "Дошла до финального проекта"},
}

// caseTags are the topics curators tag cases with.
var caseTags = [][]string{{"карьера"}, {"отношения"}, {"первый клиент", "карьера"}, {"поддержка куратора"}, {"практика"}, {"семья"}}

// seedCases tells each cohort's case collection. It writes the rows in
// one transaction through the cases store: some eight hundred requests,
// trail steps, cases, consents and decisions one service call at a time
// would take most of the demo's budget. Seeding again changes nothing.
func seedCases(ctx context.Context, r *run) error {
	store := cases.Store{}
	if done, err := store.HasRequests(ctx, r.svc.Cases.DB, r.orgID); err != nil || done {
		return err
	}
	head, err := r.svc.Identity.ActivePersonByEmail(ctx, r.orgID, "head@demo.test")
	if err != nil {
		return err
	}
	senior, err := r.svc.Identity.ActivePersonByEmail(ctx, r.orgID, "senior@demo.test")
	if err != nil {
		return err
	}
	enrollments, err := r.svc.School.ListEnrollments(ctx, r.orgID, school.EnrollmentFilter{})
	if err != nil {
		return err
	}
	students, err := r.svc.School.ListStudents(ctx, r.orgID, school.StudentFilter{Limit: maxDemoRows})
	if err != nil {
		return err
	}
	born := map[string]*string{}
	for _, s := range students {
		born[s.ID] = s.BirthDate
	}
	w := &caseWriter{r: r, moderators: []string{head.UserID, senior.UserID}, born: born}
	for _, c := range demoCohorts {
		cohort, err := r.svc.School.CohortByExternalID(ctx, r.orgID, demoSource, c.key)
		if err != nil {
			return err
		}
		var roll []school.Enrollment
		for _, e := range enrollments {
			if e.CohortID == cohort.ID && e.Status != school.EnrollmentRefunded {
				roll = append(roll, e)
			}
		}
		sort.Slice(roll, func(i, j int) bool { return roll[i].StudentID < roll[j].StudentID })
		w.cohort(cohort, roll, r.tl.starts(c), casePlans[c.key])
	}
	w.withdrawOne()
	return seedTx(ctx, r.svc.Cases.DB, func(ctx context.Context, tx bun.Tx) error {
		if err := store.InsertRequests(ctx, tx, w.requests); err != nil {
			return err
		}
		if err := store.InsertRequestEvents(ctx, tx, w.trail); err != nil {
			return err
		}
		if err := store.InsertSubmissions(ctx, tx, w.subs); err != nil {
			return err
		}
		if err := store.InsertConsents(ctx, tx, w.consents); err != nil {
			return err
		}
		return store.InsertModerations(ctx, tx, w.decisions)
	})
}

// caseWriter gathers the demo's case rows.
type caseWriter struct {
	r          *run
	moderators []string
	born       map[string]*string
	requests   []*cases.Request
	trail      []*cases.RequestEvent
	subs       []*cases.Submission
	consents   []*cases.Consent
	decisions  []*cases.Moderation
	n          int // cases so far, to vary words, ratings and tags
}

// cohort lays out one cohort's requests and cases from its start: asked
// around module three, answers within five days.
func (w *caseWriter) cohort(c *school.Cohort, roll []school.Enrollment, starts time.Time, p casePlan) {
	course, first := c.CourseID, len(w.subs)
	for i := 0; i < p.requests && i < len(roll); i++ {
		e := roll[i]
		asked := w.before(starts.Add(time.Duration(28*24+i*5) * time.Hour))
		if i >= p.answered && i < p.answered+p.openLinks {
			asked = w.r.tl.now.Add(-time.Duration(1+i%10) * 24 * time.Hour) // asked lately: the link still works
		}
		req := &cases.Request{ID: ids.New(), OrgID: w.r.orgID, StudentID: e.StudentID, EnrollmentID: e.ID, CohortID: c.ID, CourseID: course,
			CuratorID: e.CuratorID, Moment: []string{cases.MomentModuleCompleted, cases.MomentCSITop, cases.MomentHomeworkTop, cases.MomentNPSPromoter}[i%4],
			TokenHash: fmt.Sprintf("demo-%s", ids.New()), Status: cases.RequestCreated, CreatedAt: asked, ExpiresAt: asked.Add(14 * 24 * time.Hour), Version: 1}
		w.requests = append(w.requests, req)
		w.step(req, cases.RequestCreated, asked)
		sent := asked.Add(10 * time.Minute)
		w.step(req, cases.RequestSent, sent)
		req.Status, req.SentAt = cases.RequestSent, &sent
		switch {
		case i < p.answered:
			opened := sent.Add(time.Duration(2+i%30) * time.Hour)
			done := opened.Add(time.Duration(5+i%40) * time.Minute)
			w.step(req, cases.RequestOpened, opened)
			w.step(req, cases.RequestSubmitted, done)
			req.Status, req.OpenedAt, req.ClosedAt = cases.RequestSubmitted, &opened, &done
			w.submission(e, c, req, done)
		case i < p.answered+p.openLinks:
		case i < p.answered+p.openLinks+p.declined:
			closed := sent.Add(26 * time.Hour)
			req.Status, req.ClosedAt = cases.RequestDeclined, &closed
			if i%3 == 0 {
				req.Status = cases.RequestOptedOut
			}
			w.step(req, req.Status, closed)
		default:
			req.Status, req.ClosedAt = cases.RequestExpired, &req.ExpiresAt
			w.step(req, cases.RequestExpired, req.ExpiresAt)
		}
	}
	for i := 0; i < p.recorded; i++ {
		e := roll[len(roll)-1-i]
		w.submission(e, c, nil, w.before(starts.Add(time.Duration(60+i*3)*24*time.Hour)))
	}
	w.moderate(w.subs[first:], p)
}

// before keeps a planned time in the past of the story.
func (w *caseWriter) before(t time.Time) time.Time {
	if t.After(w.r.tl.now) {
		return w.r.tl.now.Add(-time.Hour)
	}
	return t
}

func (w *caseWriter) step(req *cases.Request, status string, at time.Time) {
	w.trail = append(w.trail, &cases.RequestEvent{ID: ids.New(), OrgID: w.r.orgID, RequestID: req.ID, Status: status, At: at})
}

// submission adds a case in the student's words, with consent, and a
// guardian's consent for the first minor.
func (w *caseWriter) submission(e school.Enrollment, c *school.Cohort, req *cases.Request, at time.Time) {
	words := caseWords[w.n%len(caseWords)]
	w.n++
	sub := &cases.Submission{ID: ids.New(), OrgID: w.r.orgID, StudentID: e.StudentID, EnrollmentID: e.ID, CohortID: c.ID, CourseID: c.CourseID,
		CuratorID: e.CuratorID, Source: cases.SourceLink, Body: &words.text, Rating: ptr(5 - w.n%7/6), Tags: tagList(caseTags[w.n%len(caseTags)]),
		Status: cases.StatusPending, SubmittedAt: at, CreatedAt: at, UpdatedAt: at, Version: 1}
	if words.before != "" {
		sub.BeforeText, sub.AfterText = &words.before, &words.after
	}
	if req != nil {
		sub.RequestID = &req.ID
	} else {
		sub.Source, sub.RecordedBy = cases.SourceCurator, e.CuratorID
	}
	scopes := []string{cases.ScopeInternal, cases.ScopeWebsite, cases.ScopeSocial}
	if w.n%4 == 0 {
		scopes = []string{cases.ScopeInternal}
	}
	consent := &cases.Consent{ID: ids.New(), OrgID: w.r.orgID, SubmissionID: sub.ID, StudentID: sub.StudentID, Action: cases.ConsentGranted,
		Scopes: listOf(scopes), TextVersion: "v1", Channel: sub.Source, GivenBy: cases.GivenByStudent, GivenAt: at, CreatedAt: at}
	if b := w.born[e.StudentID]; b != nil && *b >= "2008-01-01" {
		consent.GivenBy, consent.GuardianName = cases.GivenByGuardian, ptr("Законный представитель: "+guardianNames[w.n%len(guardianNames)])
		consent.Channel = "paper"
	}
	sub.ConsentScopes = consent.Scopes
	w.subs = append(w.subs, sub)
	w.consents = append(w.consents, consent)
}

var guardianNames = []string{"Ковалёва Наталья Игоревна", "Белов Андрей Сергеевич", "Громова Елена Викторовна"}

// moderate walks a cohort's cases through moderation: the newest stay
// pending, a few are rejected, the rest are approved and many published,
// a video link on the first of them.
func (w *caseWriter) moderate(subs []*cases.Submission, p casePlan) {
	for i, sub := range subs {
		if i < p.videos {
			sub.VideoURL, sub.Video = ptr(fmt.Sprintf("https://video.demo-school.example/cases/%s", sub.ID)), true
		}
		switch {
		case i >= len(subs)-p.pending:
			continue
		case i >= len(subs)-p.pending-p.rejected:
			w.decide(sub, cases.StatusRejected, "Не о курсе: жалоба на оплату, передана в поддержку")
		default:
			w.decide(sub, cases.StatusApproved, "")
			if i < p.published && sub.Covers(cases.ScopeWebsite) {
				w.decide(sub, cases.StatusPublished, "")
			}
		}
	}
}

func (w *caseWriter) decide(sub *cases.Submission, to, reason string) {
	at := sub.UpdatedAt.Add(20 * time.Hour)
	if at.After(w.r.tl.now) {
		at = w.r.tl.now
	}
	w.decisions = append(w.decisions, &cases.Moderation{ID: ids.New(), OrgID: w.r.orgID, SubmissionID: sub.ID, FromStatus: sub.Status,
		ToStatus: to, Reason: reason, ActorID: &w.moderators[len(w.decisions)%len(w.moderators)], At: at})
	sub.Status, sub.UpdatedAt = to, at
	sub.Version++
}

// withdrawOne has one published student withdraw consent: the case is
// archived and leaves every export.
func (w *caseWriter) withdrawOne() {
	for _, sub := range w.subs {
		if sub.Status != cases.StatusPublished {
			continue
		}
		at := sub.UpdatedAt.Add(72 * time.Hour)
		if at.After(w.r.tl.now) {
			at = w.r.tl.now
		}
		w.consents = append(w.consents, &cases.Consent{ID: ids.New(), OrgID: w.r.orgID, SubmissionID: sub.ID, StudentID: sub.StudentID,
			Action: cases.ConsentWithdrawn, Channel: "email", GivenBy: cases.GivenByStudent, Reason: "Не хочу, чтобы коллеги узнали",
			GivenAt: at, CreatedAt: at})
		sub.ConsentScopes = ""
		w.decide(sub, cases.StatusArchived, "consent withdrawn")
		return
	}
}

func ptr[T any](v T) *T { return &v }

func tagList(tags []string) string { return listOf(tags) }

// listOf stores words the way the cases module does: ",a,b,".
func listOf(words []string) string {
	out := ""
	for _, w := range words {
		out += "," + w
	}
	if out == "" {
		return ""
	}
	return out + ","
}
