package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/surveys"
)

// demoSurveyTitle names the demo school's survey, asked at the end of every
// module it hands in.
const demoSurveyTitle = "Оценка модуля"

// surveyMood is what a cohort's students say of the curator service, in % of
// their answers: satisfied on the CSI scale (4–5), promoters (9–10) and
// detractors (0–6) on the NPS scale. The earliest cohorts answered before
// the curator service was rebuilt (CSI 58 %), the latest after it (95 %,
// NPS up to 95–98), as in the reference school.
type surveyMood struct{ satisfied, promoters, detractors int }

var surveyMoods = map[string]surveyMood{
	"flow-rel-10": {58, 42, 30},
	"flow-prac-7": {70, 58, 18},
	"flow-rel-11": {83, 76, 8},
	"flow-rel-12": {93, 93, 2},
	"flow-prac-8": {95, 97, 0},
}

// surveyAnswerPercent is the share of the module ends a student answers the
// survey at.
const surveyAnswerPercent = 85

var (
	warmComments = []string{"Куратор всегда на связи, спасибо!", "Очень подробная обратная связь по домашке.",
		"Чувствую поддержку, хочется учиться дальше.", "Разборы куратора помогли больше, чем лекции."}
	coldComments = []string{"Ответа куратора ждала больше суток.", "Проверка домашки затянулась на неделю.",
		"Обратная связь формальная, непонятно, что исправить.", "Не понимаю, к кому обращаться с вопросами."}
)

// surveyResponse is one student's answer at the end of one module.
type surveyResponse struct {
	seat   demoSeat
	module int
	at     time.Time
}

// seedSurveys defines the demo survey and records the students' answers
// at the end of every module they handed in, up to the present hour. The
// answers are written as the surveys service writes them — the same rows
// and audit entries — in one transaction with multi-row inserts: through
// the service, a fresh demo's few thousand answers would take several
// seconds. The demo's curators never change, so each answer counts for
// the enrollment's curator, as the service would work it out.
func seedSurveys(ctx context.Context, r *run) error {
	sv, err := demoSurvey(ctx, r)
	if err != nil {
		return err
	}
	w, err := newSurveysWriter(ctx, r, sv)
	if err != nil {
		return err
	}
	for _, c := range demoCohorts {
		if err := w.addCohort(c, surveyResponses(r, c)); err != nil {
			return err
		}
	}
	return w.write(ctx)
}

// demoSurvey finds the demo survey or defines it.
func demoSurvey(ctx context.Context, r *run) (*surveys.Survey, error) {
	list, err := r.svc.Surveys.ListSurveys(ctx, r.orgID, surveys.SurveyFilter{Moment: surveys.MomentModuleEnd, Limit: 100})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Title == demoSurveyTitle {
			return &list[i], nil
		}
	}
	return r.svc.Surveys.CreateSurvey(ctx, r.orgID, surveys.SurveyInput{Title: demoSurveyTitle, Moment: surveys.MomentModuleEnd,
		Questions: []surveys.Question{
			{Key: "csi", Scale: surveys.ScaleCSI, Text: "Насколько вы довольны работой куратора в этом модуле?"},
			{Key: "nps", Scale: surveys.ScaleNPS, Text: "Насколько вероятно, что вы порекомендуете школу друзьям?"},
			{Key: "comment", Scale: surveys.ScaleText, Text: "Что нам сделать лучше?"},
		}})
}

// surveyResponses lists the cohort's answers up to the present: at the end
// of each module a student handed in (two weeks a module), from most
// students.
func surveyResponses(r *run, c demoCohort) []surveyResponse {
	var out []surveyResponse
	for _, seat := range demoSeats() {
		if seat.cohort.key != c.key {
			continue
		}
		fate := r.fates[seat.n]
		for m := 1; m <= fate.reach && !fate.refunded; m++ {
			rnd := rand.New(rand.NewPCG(1905, uint64(seat.n)*10+uint64(m)))
			if rnd.IntN(100) >= surveyAnswerPercent {
				continue
			}
			at := r.tl.starts(c).AddDate(0, 0, m*14).Add(time.Duration(8+rnd.IntN(12))*time.Hour + time.Duration(rnd.IntN(60))*time.Minute)
			if at.After(r.tl.now) {
				continue
			}
			out = append(out, surveyResponse{seat: seat, module: m, at: at})
		}
	}
	return out
}

// surveysWriter builds the answer rows of the demo responses not recorded
// yet.
type surveysWriter struct {
	r           *run
	survey      *surveys.Survey
	now         time.Time
	students    map[string]string               // student id by external id
	enrollments map[[2]string]school.Enrollment // by student and cohort id
	cohorts     map[string]*school.Cohort       // by demo key
	modules     map[string][]string             // module ids of each course, in order
	recorded    map[string]bool                 // student/moment/question of the answers stored before
	answers     []*surveys.Answer
	entries     []auditlog.Entry
}

func newSurveysWriter(ctx context.Context, r *run, sv *surveys.Survey) (*surveysWriter, error) {
	w := &surveysWriter{r: r, survey: sv, now: r.svc.Surveys.Now(), students: map[string]string{}, enrollments: map[[2]string]school.Enrollment{},
		cohorts: map[string]*school.Cohort{}, modules: map[string][]string{}, recorded: map[string]bool{}}
	sc := r.svc.School
	students, err := sc.ListStudents(ctx, r.orgID, school.StudentFilter{Limit: 100000})
	if err != nil {
		return nil, err
	}
	for _, st := range students {
		if st.ExternalID != nil {
			w.students[*st.ExternalID] = st.ID
		}
	}
	enrollments, err := sc.ListEnrollments(ctx, r.orgID, school.EnrollmentFilter{Limit: 100000})
	if err != nil {
		return nil, err
	}
	for _, e := range enrollments {
		w.enrollments[[2]string{e.StudentID, e.CohortID}] = e
	}
	for _, c := range demoCohorts {
		cohort, err := sc.CohortByExternalID(ctx, r.orgID, demoSource, c.key)
		if err != nil {
			return nil, fmt.Errorf("cohort %s: %w", c.key, err)
		}
		w.cohorts[c.key] = cohort
		if _, ok := w.modules[cohort.CourseID]; !ok {
			course, err := sc.Course(ctx, r.orgID, cohort.CourseID)
			if err != nil {
				return nil, err
			}
			for _, m := range course.Modules {
				w.modules[cohort.CourseID] = append(w.modules[cohort.CourseID], m.ID)
			}
		}
	}
	stored, err := surveys.Store{}.ListAnswers(ctx, sc.DB, r.orgID, surveys.AnswerFilter{SurveyID: sv.ID, Limit: 1 << 20})
	if err != nil {
		return nil, err
	}
	for _, a := range stored {
		w.recorded[a.StudentID+"/"+a.MomentKey+"/"+a.QuestionKey] = true
	}
	return w, nil
}

// addCohort turns a cohort's responses into answers with the cohort's
// mood: the responses are ranked at random, the first share of them
// satisfied (or promoters), the last share detractors, so that the
// cohort's figures are its mood, not a draw around it.
func (w *surveysWriter) addCohort(c demoCohort, responses []surveyResponse) error {
	mood, n := surveyMoods[c.key], len(responses)
	csiRank := rand.New(rand.NewPCG(58, idHash(c.key))).Perm(n)
	npsRank := rand.New(rand.NewPCG(95, idHash(c.key))).Perm(n)
	for i, resp := range responses {
		rnd := rand.New(rand.NewPCG(1905, uint64(resp.seat.n)*10+uint64(resp.module)))
		satisfied := csiRank[i]*100 < mood.satisfied*n
		csi := 1 + rnd.IntN(3)
		if satisfied {
			csi = 4 + rnd.IntN(2)
		}
		nps := 7 + rnd.IntN(2)
		switch {
		case npsRank[i]*100 < mood.promoters*n:
			nps = 9 + rnd.IntN(2)
		case (n-1-npsRank[i])*100 < mood.detractors*n:
			nps = rnd.IntN(7)
		}
		var comment *string
		if rnd.IntN(100) < 25 {
			pool := coldComments
			if satisfied {
				pool = warmComments
			}
			comment = &pool[rnd.IntN(len(pool))]
		}
		if err := w.add(resp, csi, nps, comment); err != nil {
			return err
		}
	}
	return nil
}

// add builds the rows of one response, skipping the answers stored before.
func (w *surveysWriter) add(resp surveyResponse, csi, nps int, comment *string) error {
	cohort := w.cohorts[resp.seat.cohort.key]
	studentID, ok := w.students[resp.seat.studentID()]
	if !ok {
		return fmt.Errorf("student %s is not recorded", resp.seat.studentID())
	}
	e, ok := w.enrollments[[2]string{studentID, cohort.ID}]
	if !ok {
		return fmt.Errorf("student %s is not enrolled in %s", resp.seat.studentID(), cohort.Name)
	}
	module := w.modules[cohort.CourseID][resp.module-1]
	eventID := fmt.Sprintf("demo-survey-%s-m%d", resp.seat.studentID(), resp.module)
	values := []struct {
		key     string
		value   *int
		comment *string
	}{{"csi", &csi, nil}, {"nps", &nps, nil}, {"comment", nil, comment}}
	for _, v := range values {
		q := w.survey.Question(v.key)
		if (v.value == nil && v.comment == nil) || w.recorded[studentID+"/"+module+"/"+v.key] {
			continue
		}
		a := &surveys.Answer{ID: ids.New(), OrgID: w.r.orgID, SurveyID: w.survey.ID, QuestionKey: q.Key, Scale: q.Scale, Value: v.value,
			Comment: v.comment, StudentID: studentID, EnrollmentID: e.ID, CohortID: cohort.ID, CourseID: cohort.CourseID, ModuleID: &module,
			CuratorID: e.CuratorID, MomentKey: module, Source: surveys.SourceLMS, EventID: &eventID,
			AnsweredAt: resp.at.UTC(), CreatedAt: w.now}
		w.answers = append(w.answers, a)
		w.entries = append(w.entries, auditlog.Entry{OrgID: w.r.orgID, EntityType: "survey_answer", EntityID: a.ID, Changes: auditlog.Diff(nil, a)})
	}
	return nil
}

// write stores the new answers and their audit entries in one transaction,
// in the order they were answered.
func (w *surveysWriter) write(ctx context.Context) error {
	if len(w.answers) == 0 {
		return nil
	}
	sort.SliceStable(w.answers, func(i, j int) bool { return w.answers[i].AnsweredAt.Before(w.answers[j].AnsweredAt) })
	entries := auditRows(ctx, w.r, w.entries)
	return database.InTx(ctx, w.r.svc.Surveys.DB, func(ctx context.Context, tx bun.Tx) error {
		if err := insertInBatches(ctx, tx, w.answers); err != nil {
			return err
		}
		return insertInBatches(ctx, tx, entries)
	})
}
