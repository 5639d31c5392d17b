package console

import (
	"net/http"
	"strings"

	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// --- regulations: everyone's reading, the head's "who has read" ---------------

// myReading lists the caller's required reading, soonest due first, as
// list-my-kb-required-reading does, paged.
func (c *Console) myReading(r *request) error {
	after, err := httpapi.AfterKey(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	status := r.QueryParam("status")
	if status != "" && status != kb.ReadingPending && status != kb.ReadingOverdue && status != kb.ReadingDone {
		return badInput("status")
	}
	items, err := c.d.KB.MyReading(r.ctx, kb.ViewerFrom(r.ctx), r.org.ID, kb.ReadingFilter{Status: status, Limit: pageSize, After: after})
	if err != nil {
		return err
	}
	items, next := onePage(items, func(last kb.ReadingItem) string { return httpapi.EncodeCursor(kb.ReadingItemKey(last)) })
	type line struct {
		ID, Title, Category, Status, StatusKey, Due, Acknowledged string
		Revision                                                  int
		Quiz                                                      bool
	}
	lines := make([]line, 0, len(items))
	for _, it := range items {
		l := line{ID: it.Article.ID, Title: it.Article.Title, Category: it.Article.Category, Status: r.L.Enum("reading", it.Status),
			StatusKey: it.Status, Due: r.L.Time(it.DueAt), Quiz: it.Article.Quiz != nil, Acknowledged: "—"}
		if it.Revision != nil {
			l.Revision = it.Revision.Number
		}
		if it.Acknowledgment != nil {
			l.Acknowledged = r.L.Time(it.Acknowledgment.AcknowledgedAt)
		}
		lines = append(lines, l)
	}
	return r.render(http.StatusOK, "reading", map[string]any{"Items": lines, "Next": next, "Status": status,
		"SeesAll": r.allowed("kb_acknowledgments", "read_all")})
}

// regulation shows one article to read with, for the person it is required
// for, the quiz (when it has one) and the acknowledgment form, as
// get-kb-article, create-kb-quiz-attempt and acknowledge-kb-article do.
func (c *Console) regulation(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	v := kb.ViewerFrom(r.ctx)
	view, err := c.d.KB.Article(r.ctx, v, r.org.ID, id)
	if err != nil {
		return err
	}
	a := view.Article
	data := map[string]any{"ID": a.ID, "Title": a.Title, "Category": a.Category, "Status": r.L.Enum("article", a.Status),
		"Attempt": r.QueryParam("attempt")}
	if view.Current != nil {
		data["Body"] = view.Current.Body
		data["RevisionID"], data["Revision"], data["Hash"] = view.Current.ID, view.Current.Number, view.Current.ContentSHA256
	}
	// Where the caller stands: her own reading item for this article, if
	// it is required for her.
	var item *kb.ReadingItem
	if r.allowed("kb_reading", "read_own") {
		mine, err := c.d.KB.MyReading(r.ctx, v, r.org.ID, kb.ReadingFilter{Limit: 10000})
		if err != nil {
			return err
		}
		for i := range mine {
			if mine[i].Article.ID == a.ID {
				item = &mine[i]
				break
			}
		}
	}
	if item != nil {
		data["Required"], data["ReadingStatus"], data["Due"] = true, r.L.Enum("reading", item.Status), r.L.Time(item.DueAt)
		if item.Acknowledgment != nil {
			data["AcknowledgedAt"], data["AckHash"] = r.L.Time(item.Acknowledgment.AcknowledgedAt), item.Acknowledgment.ContentSHA256
		}
	}
	needsAck := item != nil && item.Acknowledgment == nil && a.Status == kb.StatusPublished && view.Current != nil
	canAck := needsAck && r.allowed("kb_reading", "acknowledge")
	passed := a.Quiz == nil
	if a.Quiz != nil && needsAck {
		attempts, err := c.d.KB.MyAttempts(r.ctx, v, r.org.ID, a.ID)
		if err != nil {
			return err
		}
		type tried struct {
			At, Score string
			Passed    bool
		}
		var list []tried
		for _, at := range attempts {
			if at.RevisionID == a.AckRevisionID && at.Passed {
				passed = true
			}
			list = append(list, tried{At: r.L.Time(at.CreatedAt), Score: r.L.T("quiz.score", at.Correct, at.Total, at.ScorePercent), Passed: at.Passed})
		}
		type option struct{ ID, Text string }
		type question struct {
			ID, Text string
			Multiple bool
			Options  []option
		}
		var qs []question
		for _, q := range a.Quiz.Questions {
			qq := question{ID: q.ID, Text: q.Text, Multiple: q.Kind == kb.QuestionMultiple}
			for _, o := range q.Options {
				// The correct options are never sent to the person taking
				// the quiz.
				qq.Options = append(qq.Options, option{ID: o.ID, Text: o.Text})
			}
			qs = append(qs, qq)
		}
		data["Quiz"], data["Attempts"], data["PassMark"] = qs, list, a.Quiz.PassMarkPercent
	}
	data["CanAcknowledge"], data["QuizPassed"] = canAck && passed, passed
	data["CanTakeQuiz"] = canAck && !passed
	return r.render(http.StatusOK, "regulation", data)
}

// acknowledge records that the caller read the revision shown, as
// acknowledge-kb-article does with the shown content's hash.
func (c *Console) acknowledge(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rev, hash := r.FormValue("revision_id"), r.FormValue("content_sha256")
	if !ids.Valid(rev) {
		return badInput("revision_id")
	}
	if len(hash) != 64 || strings.Trim(strings.ToLower(hash), "0123456789abcdef") != "" {
		return badInput("content_sha256")
	}
	if _, err := c.d.KB.Acknowledge(r.ctx, kb.ViewerFrom(r.ctx), r.org.ID, id, rev, hash); err != nil {
		return err
	}
	return r.back("/regulations/" + id)
}

// quizAttempt sends the caller's answers, as create-kb-quiz-attempt
// does: the score and whether it passed, never which answer was wrong.
func (c *Console) quizAttempt(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := r.Request().ParseForm(); err != nil {
		return badInput("form")
	}
	var answers []kb.Answer
	for key, vals := range r.Request().PostForm {
		q, ok := strings.CutPrefix(key, "answer.")
		if !ok {
			continue
		}
		if len(q) > 16 || len(vals) > 20 {
			return badInput(key)
		}
		answers = append(answers, kb.Answer{QuestionID: q, OptionIDs: vals})
	}
	if len(answers) > 100 {
		return badInput("answers")
	}
	at, err := c.d.KB.SubmitAttempt(r.ctx, kb.ViewerFrom(r.ctx), r.org.ID, id, answers)
	if err != nil {
		return err
	}
	result := "failed"
	if at.Passed {
		result = "passed"
	}
	return r.back("/regulations/" + id + "?attempt=" + result)
}

// readingByArticle is the head's view of required reading: for each
// required article how many have acknowledged its current major revision
// and how many are pending or overdue, as kb-reading-by-article does.
func (c *Console) readingByArticle(r *request) error {
	after, err := httpapi.AfterKey(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	rows, err := c.d.KB.ReadingByArticle(r.ctx, r.org.ID, kb.ReadingFilter{Limit: pageSize, After: after})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last kb.ArticleTally) string { return httpapi.EncodeCursor(kb.ArticleTallyKey(last)) })
	type line struct {
		ID, Title, Category, DoneShare string
		Revision                       int
		Required, Done, Pending, Late  int
	}
	lines := make([]line, 0, len(rows))
	for _, t := range rows {
		l := line{ID: t.Article.ID, Title: t.Article.Title, Category: t.Article.Category, Required: t.Required, Done: t.Done,
			Pending: t.Pending, Late: t.Overdue, DoneShare: "—"}
		if t.AckRevision != nil {
			l.Revision = t.AckRevision.Number
		}
		if t.Required > 0 {
			pct := 100 * float64(t.Done) / float64(t.Required)
			l.DoneShare = r.L.Pct(&pct)
		}
		lines = append(lines, l)
	}
	return r.render(http.StatusOK, "reading_articles", map[string]any{"Articles": lines, "Next": next})
}

// readersOf lists everyone an article is required for, by name, with
// their status, as kb-reading-of-article does; ?status= keeps one status.
func (c *Console) readersOf(r *request) error {
	after, err := httpapi.AfterKey(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	status := r.QueryParam("status")
	if status != "" && status != kb.ReadingPending && status != kb.ReadingOverdue && status != kb.ReadingDone {
		return badInput("status")
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	view, err := c.d.KB.Article(r.ctx, kb.ViewerFrom(r.ctx), r.org.ID, id)
	if err != nil {
		return err
	}
	rows, err := c.d.KB.ArticleReading(r.ctx, r.org.ID, view.Article.ID, kb.ReadingFilter{Status: status, Limit: pageSize, After: after})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last kb.PersonStatus) string { return httpapi.EncodeCursor(kb.PersonStatusKey(last)) })
	type line struct {
		UserID, Name, Email, Status, StatusKey, Due, Acknowledged string
	}
	lines := make([]line, 0, len(rows))
	for _, p := range rows {
		l := line{UserID: p.Person.UserID, Name: p.Person.Name, Email: p.Person.Email, Status: r.L.Enum("reading", p.Item.Status),
			StatusKey: p.Item.Status, Due: r.L.Time(p.Item.DueAt), Acknowledged: "—"}
		if p.Item.Acknowledgment != nil {
			l.Acknowledged = r.L.Time(p.Item.Acknowledgment.AcknowledgedAt)
		}
		lines = append(lines, l)
	}
	return r.render(http.StatusOK, "readers", map[string]any{"Article": view.Article.Title, "ArticleID": view.Article.ID,
		"People": lines, "Next": next, "Status": status})
}
