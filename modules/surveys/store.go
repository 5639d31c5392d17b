package surveys

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
)

// Store holds every query of the surveys module. It is stateless: each
// method takes the connection or transaction to run on.
type Store struct{}

// InsertSurvey stores a new survey.
func (Store) InsertSurvey(ctx context.Context, db bun.IDB, sv *Survey) error {
	_, err := db.NewInsert().Model(sv).Exec(ctx)
	return err
}

// Survey loads one survey of the school.
func (Store) Survey(ctx context.Context, db bun.IDB, orgID, id string) (*Survey, error) {
	sv := new(Survey)
	return sv, database.ScanOne(ctx, db.NewSelect().Model(sv).Where("org_id = ? AND id = ?", orgID, id), "survey")
}

// LockSurvey loads a survey for an update, locking it on PostgreSQL.
func (Store) LockSurvey(ctx context.Context, db bun.IDB, orgID, id string) (*Survey, error) {
	sv := new(Survey)
	return sv, database.ScanOne(ctx, database.ForUpdate(db.NewSelect().Model(sv).Where("org_id = ? AND id = ?", orgID, id)), "survey")
}

// UpdateSurvey writes a survey while its version is still wasVersion.
func (Store) UpdateSurvey(ctx context.Context, db bun.IDB, sv *Survey, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, sv, wasVersion, "title", "course_id", "questions", "status", "updated_at", "version")
}

// SurveyFilter narrows a listing of surveys.
type SurveyFilter struct {
	Status, CourseID, Moment string
	AfterID                  string
	Limit                    int
}

// ListSurveys lists the school's surveys by id.
func (Store) ListSurveys(ctx context.Context, db bun.IDB, orgID string, f SurveyFilter) ([]Survey, error) {
	var out []Survey
	q := db.NewSelect().Model(&out).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("status", f.Status), database.Eq("course_id", f.CourseID), database.Eq("moment", f.Moment))
	return out, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// AnsweredKeys lists the question keys of a survey that have answers.
func (Store) AnsweredKeys(ctx context.Context, db bun.IDB, orgID, surveyID string) ([]string, error) {
	var keys []string
	err := db.NewSelect().TableExpr("survey_answers").ColumnExpr("DISTINCT question_key").
		Where("org_id = ? AND survey_id = ?", orgID, surveyID).Scan(ctx, &keys)
	return keys, err
}

// InsertAnswer stores an answer unless the student already answered the
// question at that moment; it reports whether the row is new.
func (Store) InsertAnswer(ctx context.Context, db bun.IDB, a *Answer) (bool, error) {
	return database.AffectedOne(db.NewInsert().Model(a).
		On("CONFLICT (org_id, survey_id, student_id, moment_key, question_key) DO NOTHING").Exec(ctx))
}

// answerQuery selects answers with their tags.
func answerQuery(db bun.IDB, out any, orgID string) *bun.SelectQuery {
	return db.NewSelect().Model(out).
		ColumnExpr("a.*").ColumnExpr("t.tags AS tags, t.version AS tags_version").
		Join("LEFT JOIN survey_answer_tags AS t ON t.answer_id = a.id AND t.org_id = a.org_id").
		Where("a.org_id = ?", orgID)
}

// Answer loads one answer of the school with its tags.
func (Store) Answer(ctx context.Context, db bun.IDB, orgID, id string) (*Answer, error) {
	a := new(Answer)
	return a, database.ScanOne(ctx, answerQuery(db, a, orgID).ModelTableExpr("survey_answers AS a").Where("a.id = ?", id), "survey answer")
}

// AnswerFilter narrows a listing of answers; CuratorID set by the rules
// (a curator sees her own students' answers) or by the caller.
type AnswerFilter struct {
	SurveyID, CohortID, CuratorID, StudentID, Scale, Tag string
	From, To                                             *time.Time
	AfterID                                              string
	Limit                                                int
}

// ListAnswers lists answers by id.
func (Store) ListAnswers(ctx context.Context, db bun.IDB, orgID string, f AnswerFilter) ([]Answer, error) {
	var out []Answer
	q := answerQuery(db, &out, orgID).ModelTableExpr("survey_answers AS a")
	q = database.WhereSet(q, database.Eq("a.survey_id", f.SurveyID), database.Eq("a.cohort_id", f.CohortID),
		database.Eq("a.curator_id", f.CuratorID), database.Eq("a.student_id", f.StudentID), database.Eq("a.scale", f.Scale))
	if f.From != nil {
		q = q.Where("a.answered_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("a.answered_at < ?", *f.To)
	}
	if f.Tag != "" {
		// Tags are a short JSON array of strings; the quoted tag matches one
		// element exactly on both databases.
		q = q.Where("t.tags IS NOT NULL AND "+tagsText(db)+" LIKE ?", "%"+jsonString(f.Tag)+"%")
	}
	if f.AfterID != "" {
		q = q.Where("a.id > ?", f.AfterID)
	}
	return out, q.OrderExpr("a.id ASC").Limit(int64(f.Limit + 1)).Scan(ctx)
}

// tagsText is the tags column as text on either database.
func tagsText(db bun.IDB) string {
	if database.IsPostgres(db) {
		return "t.tags::text"
	}
	return "t.tags"
}

// StudentAnswers lists every answer of a student, oldest first.
func (Store) StudentAnswers(ctx context.Context, db bun.IDB, orgID, studentID string) ([]Answer, error) {
	var out []Answer
	err := answerQuery(db, &out, orgID).ModelTableExpr("survey_answers AS a").Where("a.student_id = ?", studentID).
		OrderExpr("a.answered_at ASC, a.id ASC").Scan(ctx)
	return out, err
}

// SurveysByID loads surveys of the school by id.
func (Store) SurveysByID(ctx context.Context, db bun.IDB, orgID string, ids []string) ([]Survey, error) {
	var out []Survey
	if len(ids) == 0 {
		return out, nil
	}
	return out, db.NewSelect().Model(&out).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx)
}

// LowScores lists the CSI answers of 1–3 answered in [from, to).
func (Store) LowScores(ctx context.Context, db bun.IDB, orgID string, from, to time.Time) ([]Answer, error) {
	var out []Answer
	err := db.NewSelect().Model(&out).
		Where("org_id = ? AND scale = ? AND value <= 3 AND answered_at >= ? AND answered_at < ?", orgID, ScaleCSI, from, to).
		OrderExpr("answered_at ASC, id ASC").Scan(ctx)
	return out, err
}

// Score is one numeric answer as the scorecard counts it.
type Score struct {
	CohortID   string    `bun:"cohort_id"`
	CourseID   string    `bun:"course_id"`
	CuratorID  *string   `bun:"curator_id"`
	Scale      string    `bun:"scale"`
	Value      int       `bun:"value"`
	AnsweredAt time.Time `bun:"answered_at"`
}

// Scores passes every CSI and NPS answer answered in [from, to) to fn.
func (Store) Scores(ctx context.Context, db bun.IDB, orgID string, from, to time.Time, fn func(Score)) error {
	rows, err := db.NewSelect().TableExpr("survey_answers").Column("cohort_id", "course_id", "curator_id", "scale", "value", "answered_at").
		Where("org_id = ? AND answered_at >= ? AND answered_at < ? AND scale IN (?, ?) AND value IS NOT NULL", orgID, from, to, ScaleCSI, ScaleNPS).
		Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s Score
		if err := rows.Scan(&s.CohortID, &s.CourseID, &s.CuratorID, &s.Scale, &s.Value, &s.AnsweredAt); err != nil {
			return err
		}
		fn(s)
	}
	return rows.Err()
}

// LockTags loads an answer's tags for an update; an answer never tagged
// has no row and gets the empty tags at version 1.
func (Store) LockTags(ctx context.Context, db bun.IDB, orgID, answerID string) (*AnswerTags, error) {
	t := new(AnswerTags)
	err := database.ForUpdate(db.NewSelect().Model(t).Where("org_id = ? AND answer_id = ?", orgID, answerID)).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return &AnswerTags{AnswerID: answerID, OrgID: orgID, Tags: []string{}, Version: untaggedVersion}, nil
	}
	return t, err
}

// untaggedVersion is the version of the tags of an answer never tagged.
const untaggedVersion = 1

// WriteTags writes an answer's tags while their version is still
// wasVersion: the first tagging inserts the row, and of two at once one
// loses.
func (Store) WriteTags(ctx context.Context, db bun.IDB, t *AnswerTags, wasVersion int64) (bool, error) {
	if wasVersion == untaggedVersion {
		return database.AffectedOne(db.NewInsert().Model(t).On("CONFLICT (answer_id) DO NOTHING").Exec(ctx))
	}
	return database.UpdateVersion(ctx, db, t, wasVersion, "tags", "updated_at", "updated_by", "version")
}

// BlankComments erases the free text of a student's answers; the trigger
// lets nothing else change.
func (Store) BlankComments(ctx context.Context, db bun.IDB, orgID, studentID string) (int, error) {
	res, err := db.NewUpdate().TableExpr("survey_answers").Set("comment = NULL").
		Where("org_id = ? AND student_id = ? AND comment IS NOT NULL", orgID, studentID).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// jsonString is s as a JSON string literal, quotes included.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
