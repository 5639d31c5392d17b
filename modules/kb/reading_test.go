package kb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/kb"
)

func TestAcknowledgment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		cur, head, hr := alpha.People["curator"], alpha.People["head_of_service"], alpha.People["hr"]
		a := publish(t, s, alpha, create(t, s, alpha, regulation("Проверка ДЗ", "Проверяйте работу за 24 часа.")), "major")
		path := alpha.Path("/kb/articles/" + a.ID + "/acknowledgments")

		// What the curator reads, and the hash of it.
		var rev revision
		s.Do(get, alpha.Path("/kb/articles/"+a.ID+"/revisions/"+a.CurrentRevisionID), nil, cur.Auth()).Expect(200).Decode(&rev)

		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID}).ExpectProblem(401)
		s.Do(post, path, map[string]string{}, cur.Auth()).ExpectProblem(422, "body.revision_id")
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID, "content_sha256": "xyz"}, cur.Auth()).ExpectProblem(422, "body.content_sha256")
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID, "content_sha256": strings.Repeat("0", 64)}, cur.Auth()).ExpectProblem(409)
		// Not required for finance: nothing to acknowledge.
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID}, alpha.People["finance"].Auth()).ExpectProblem(409)
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID}, alpha.People["integration"].Auth()).ExpectProblem(403)

		var got ack
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID, "content_sha256": rev.ContentSHA256},
			cur.Auth(), apptest.Header("User-Agent", "kb-test/1.0")).Expect(201).Decode(&got)
		if got.ContentSHA256 != kb.ContentHash(rev.Title, rev.Body) || got.ContentSHA256 != rev.ContentSHA256 {
			t.Fatalf("hash %s, want the hash of %q + %q", got.ContentSHA256, rev.Title, rev.Body)
		}
		if got.UserID != cur.UserID || got.RevisionID != a.CurrentRevisionID || got.AckRevisionID != a.AckRevisionID ||
			got.UserAgent != "kb-test/1.0" || got.IP == "" || !got.AcknowledgedAt.Equal(apptest.Start) {
			t.Fatalf("acknowledgment %+v", got)
		}

		// An acknowledgment cannot be made again, changed or deleted.
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID}, cur.Auth()).ExpectProblem(409)
		one := alpha.Path("/kb/acknowledgments/" + got.ID)
		for _, method := range []string{put, patch, del} {
			s.Do(method, one, map[string]string{"content_sha256": strings.Repeat("0", 64)}, head.Auth()).ExpectProblem(405)
		}
		s.Do(del, path, nil, cur.Auth()).ExpectProblem(405)
		if _, err := s.DB.NewDelete().TableExpr("kb_acknowledgments").Where("id = ?", got.ID).Exec(s.Ctx()); err == nil {
			t.Fatal("the database let an acknowledgment be deleted")
		}
		if _, err := s.DB.NewUpdate().TableExpr("kb_acknowledgments").Set("ip = '0.0.0.0'").Where("id = ?", got.ID).Exec(s.Ctx()); err == nil {
			t.Fatal("the database let an acknowledgment be changed")
		}
		var same ack
		s.Do(get, one, nil, hr.Auth()).Expect(200).Decode(&same)
		if same != got {
			t.Fatalf("stored %+v, answered %+v", same, got)
		}

		// A curator sees their own acknowledgments only; HR and the head
		// see everyone's.
		other := s.NewMember(alpha.Org.ID, "curator2@alpha.test", "curator")
		acknowledge(t, s, alpha, a, other)
		s.Do(get, alpha.Path("/kb/acknowledgments"), nil, cur.Auth()).ExpectProblem(403)
		s.Do(get, one, nil, other.Auth()).ExpectProblem(403)
		s.Do(get, alpha.Path("/kb/required-reading/articles/"+a.ID), nil, cur.Auth()).ExpectProblem(403)
		s.Do(get, alpha.Path("/kb/required-reading/people"), nil, cur.Auth()).ExpectProblem(403)
		var mine page[ack]
		s.Do(get, alpha.Path("/kb/me/acknowledgments"), nil, cur.Auth()).Expect(200).Decode(&mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != got.ID {
			t.Fatalf("a curator's own acknowledgments: %+v", mine.Items)
		}
		for _, who := range []apptest.Actor{hr, head, alpha.People["admin"]} {
			var all page[ack]
			s.Do(get, alpha.Path("/kb/acknowledgments?article_id="+a.ID), nil, who.Auth()).Expect(200).Decode(&all)
			if len(all.Items) != 2 || all.Items[0].UserID != other.UserID || all.Items[1].UserID != cur.UserID {
				t.Fatalf("%s sees %+v", who.Email, all.Items)
			}
		}
		var one1 page[ack]
		s.Do(get, alpha.Path("/kb/acknowledgments?limit=1"), nil, hr.Auth()).Expect(200).Decode(&one1)
		var two page[ack]
		s.Do(get, alpha.Path("/kb/acknowledgments?limit=1&cursor="+one1.NextCursor), nil, hr.Auth()).Expect(200).Decode(&two)
		if len(one1.Items) != 1 || len(two.Items) != 1 || one1.Items[0].ID == two.Items[0].ID || two.NextCursor != "" {
			t.Fatalf("paging: %+v then %+v", one1, two)
		}
		s.Do(get, alpha.Path("/kb/acknowledgments?user_id=nobody"), nil, hr.Auth()).ExpectProblem(422, "query.user_id")

		// Acknowledging a revision that is no longer current is refused.
		v2 := publish(t, s, alpha, edit(t, s, alpha, a, "Проверяйте работу за 12 часов."), "major")
		s.Do(post, path, map[string]string{"revision_id": a.CurrentRevisionID}, cur.Auth()).ExpectProblem(409)
		acknowledge(t, s, alpha, v2, cur)
		if n := s.Count("kb_acknowledgments", "user_id = ?", cur.UserID); n != 2 {
			t.Fatalf("%d acknowledgments of the curator, want one per major revision", n)
		}
	})
}

func TestMajorRevisionAsksForReadingAgain(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		c1, c2 := alpha.People["curator"], s.NewMember(alpha.Org.ID, "curator2@alpha.test", "curator")
		a := publish(t, s, alpha, create(t, s, alpha, regulation("Общение в чатах", "Отвечаем за 2 часа.")), "major")
		for _, c := range []apptest.Actor{c1, c2} {
			it := myReading(t, s, alpha, c)[a.ID]
			if it.Status != "pending" || !it.DueAt.Equal(apptest.Start.Add(7*24*time.Hour)) || it.RevisionNumber != 1 {
				t.Fatalf("before acknowledging: %+v", it)
			}
			acknowledge(t, s, alpha, a, c)
			if it := myReading(t, s, alpha, c)[a.ID]; it.Status != "done" || it.Acknowledgment == nil {
				t.Fatalf("after acknowledging: %+v", it)
			}
		}

		// A minor revision keeps the acknowledgments.
		later(s, 24*time.Hour, []*apptest.School{alpha}, &c2)
		c1 = alpha.People["curator"]
		minor := publish(t, s, alpha, edit(t, s, alpha, a, "Отвечаем за 2 часа, без опечаток."), "minor")
		for _, c := range []apptest.Actor{c1, c2} {
			if it := myReading(t, s, alpha, c)[a.ID]; it.Status != "done" || it.RevisionNumber != 2 || it.AckRevisionID != a.CurrentRevisionID {
				t.Fatalf("after a minor revision: %+v", it)
			}
		}
		// A curator may still acknowledge the minor revision? No: the
		// major revision it belongs to is acknowledged already.
		s.Do(post, alpha.Path("/kb/articles/"+a.ID+"/acknowledgments"), map[string]string{"revision_id": minor.CurrentRevisionID}, c1.Auth()).ExpectProblem(409)

		// A major revision makes everyone's reading pending again.
		later(s, 24*time.Hour, []*apptest.School{alpha}, &c2)
		c1 = alpha.People["curator"]
		major := publish(t, s, alpha, edit(t, s, alpha, minor, "Отвечаем за 1 час."), "major")
		for _, c := range []apptest.Actor{c1, c2} {
			it := myReading(t, s, alpha, c)[a.ID]
			if it.Status != "pending" || it.RevisionNumber != 3 || it.AckRevisionID != major.CurrentRevisionID || it.Acknowledgment != nil ||
				!it.DueAt.Equal(apptest.Start.Add(9*24*time.Hour)) {
				t.Fatalf("after a major revision: %+v", it)
			}
		}
		ackd := acknowledge(t, s, alpha, major, c1)
		if ackd.ContentSHA256 != major.CurrentRevision.ContentSHA256 {
			t.Fatal("the hash is not of the revision acknowledged")
		}

		// Eight days on, the other curator is overdue.
		later(s, 8*24*time.Hour, []*apptest.School{alpha}, &c2)
		if it := myReading(t, s, alpha, c2)[a.ID]; it.Status != "overdue" {
			t.Fatalf("past the due date: %+v", it)
		}
		var overdue page[readingItem]
		s.Do(get, alpha.Path("/kb/me/required-reading?status=overdue"), nil, c2.Auth()).Expect(200).Decode(&overdue)
		if len(overdue.Items) != 1 {
			t.Fatalf("overdue filter: %+v", overdue.Items)
		}
		s.Do(get, alpha.Path("/kb/me/required-reading?status=done"), nil, c2.Auth()).Expect(200).Decode(&overdue)
		if len(overdue.Items) != 0 {
			t.Fatalf("done filter: %+v", overdue.Items)
		}
		s.Do(get, alpha.Path("/kb/me/required-reading?status=late"), nil, c2.Auth()).ExpectProblem(422, "query.status")

		// Archived articles are no longer required.
		s.Do(post, alpha.Path("/kb/articles/"+a.ID+"/archive"), nil, alpha.People["head_of_service"].Auth(), ifMatch(major.Version)).Expect(200)
		if items := myReading(t, s, alpha, c2); len(items) != 0 {
			t.Fatalf("archived article still required: %+v", items)
		}
	})
}

func TestDueFromJoining(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		body := regulation("Адаптация", "Первая неделя куратора.")
		body["category"], body["due_from"], body["due_days"] = "onboarding", "joining", 3
		later(s, 10*24*time.Hour, []*apptest.School{alpha})
		a := publish(t, s, alpha, create(t, s, alpha, body), "major")
		// The fixture curator joined ten days before publication: overdue at once.
		if it := myReading(t, s, alpha, alpha.People["curator"])[a.ID]; it.Status != "overdue" || !it.DueAt.Equal(apptest.Start.Add(3*24*time.Hour)) {
			t.Fatalf("old hand: %+v", it)
		}
		later(s, 24*time.Hour, []*apptest.School{alpha})
		newcomer := s.NewMember(alpha.Org.ID, "new@alpha.test", "curator")
		if it := myReading(t, s, alpha, newcomer)[a.ID]; it.Status != "pending" || !it.DueAt.Equal(apptest.Start.Add(14*24*time.Hour)) {
			t.Fatalf("newcomer: %+v", it)
		}
	})
}

func TestReadingStatusForHeadAndHR(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		hr := alpha.People["hr"]
		anna := s.NewMember(alpha.Org.ID, "anna@alpha.test", "curator")
		boris := s.NewMember(alpha.Org.ID, "boris@alpha.test", "curator")
		a1 := publish(t, s, alpha, create(t, s, alpha, regulation("Проверка ДЗ", "Текст один")), "major")
		short := regulation("Возвраты", "Текст два")
		short["due_days"] = 1
		a2 := publish(t, s, alpha, create(t, s, alpha, short), "major")
		acknowledge(t, s, alpha, a1, anna)
		acknowledge(t, s, alpha, a2, anna)
		acknowledge(t, s, alpha, a1, boris)
		later(s, 2*24*time.Hour, []*apptest.School{alpha}, &anna, &boris)
		hr = alpha.People["hr"]
		// Now: anna done 2; boris done 1, overdue 1 (a2); fixture curator
		// pending 1 (a1), overdue 1 (a2).

		type tally struct {
			ArticleID                        string `json:"article_id"`
			UserID                           string `json:"user_id"`
			Name                             string
			Required, Done, Pending, Overdue int
		}
		var arts page[tally]
		s.Do(get, alpha.Path("/kb/required-reading/articles"), nil, hr.Auth()).Expect(200).Decode(&arts)
		byArticle := map[string]tally{}
		for _, it := range arts.Items {
			byArticle[it.ArticleID] = it
		}
		if got := byArticle[a1.ID]; got.Required != 3 || got.Done != 2 || got.Pending != 1 || got.Overdue != 0 {
			t.Errorf("article one: %+v", got)
		}
		if got := byArticle[a2.ID]; got.Required != 3 || got.Done != 1 || got.Pending != 0 || got.Overdue != 2 {
			t.Errorf("article two: %+v", got)
		}

		var who page[struct {
			UserID string `json:"user_id"`
			Status string
		}]
		s.Do(get, alpha.Path("/kb/required-reading/articles/"+a2.ID+"?status=overdue"), nil, hr.Auth()).Expect(200).Decode(&who)
		if len(who.Items) != 2 || who.Items[0].UserID != boris.UserID || who.Items[1].UserID != alpha.People["curator"].UserID {
			t.Errorf("who is overdue on article two: %+v", who.Items)
		}
		var done page[struct {
			UserID         string     `json:"user_id"`
			AcknowledgedAt *time.Time `json:"acknowledged_at"`
		}]
		s.Do(get, alpha.Path("/kb/required-reading/articles/"+a2.ID+"?status=done"), nil, hr.Auth()).Expect(200).Decode(&done)
		if len(done.Items) != 1 || done.Items[0].UserID != anna.UserID || done.Items[0].AcknowledgedAt == nil {
			t.Errorf("who is done with article two: %+v", done.Items)
		}

		var people page[tally]
		s.Do(get, alpha.Path("/kb/required-reading/people?role=curator"), nil, hr.Auth()).Expect(200).Decode(&people)
		if len(people.Items) != 3 {
			t.Fatalf("people with required reading: %+v", people.Items)
		}
		byPerson := map[string]tally{}
		for _, p := range people.Items {
			byPerson[p.UserID] = p
		}
		if got := byPerson[anna.UserID]; got.Done != 2 || got.Required != 2 {
			t.Errorf("anna: %+v", got)
		}
		if got := byPerson[boris.UserID]; got.Done != 1 || got.Overdue != 1 {
			t.Errorf("boris: %+v", got)
		}
		var page1, page2 page[tally]
		s.Do(get, alpha.Path("/kb/required-reading/people?status=overdue&limit=1"), nil, hr.Auth()).Expect(200).Decode(&page1)
		if len(page1.Items) != 1 || page1.NextCursor == "" {
			t.Fatalf("first page of overdue people: %+v", page1)
		}
		s.Do(get, alpha.Path("/kb/required-reading/people?status=overdue&limit=1&cursor="+page1.NextCursor), nil, hr.Auth()).Expect(200).Decode(&page2)
		if len(page2.Items) != 1 || page2.Items[0].UserID == page1.Items[0].UserID || page2.NextCursor != "" {
			t.Fatalf("second page of overdue people: %+v", page2)
		}

		var boriss page[readingItem]
		s.Do(get, alpha.Path("/kb/required-reading/people/"+boris.UserID), nil, hr.Auth()).Expect(200).Decode(&boriss)
		if len(boriss.Items) != 2 || boriss.Items[0].ArticleID != a2.ID || boriss.Items[0].Status != "overdue" || boriss.Items[1].Status != "done" {
			t.Fatalf("boris's reading, soonest first: %+v", boriss.Items)
		}
		s.Do(get, alpha.Path("/kb/required-reading/people/"+boris.UserID), nil, boris.Auth()).ExpectProblem(403)
		beta := s.NewSchool("beta")
		s.Do(get, alpha.Path("/kb/required-reading/people/"+beta.People["curator"].UserID), nil, hr.Auth()).ExpectProblem(404)
	})
}

func TestOverdueReminders(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		late := s.NewMember(alpha.Org.ID, "late@alpha.test", "curator")
		body := regulation("Сбор кейсов", "Просим отзыв после 3-го модуля.")
		body["category"], body["due_days"] = "case_collection", 3
		a := publish(t, s, alpha, create(t, s, alpha, body), "major")
		publish(t, s, beta, create(t, s, beta, body), "major")
		acknowledge(t, s, alpha, a, alpha.People["curator"])
		svc := s.Services.KB

		if n, err := svc.EmitOverdueReminders(s.Ctx(), s.Clock.Now()); err != nil || n != 0 {
			t.Fatalf("nothing is overdue yet, emitted %d (%v)", n, err)
		}
		later(s, 4*24*time.Hour, []*apptest.School{alpha, beta})
		// alpha: only late is overdue; beta: its fixture curator.
		if n, err := svc.EmitOverdueReminders(s.Ctx(), s.Clock.Now()); err != nil || n != 2 {
			t.Fatalf("emitted %d (%v), want 2", n, err)
		}
		if n, err := svc.EmitOverdueReminders(s.Ctx(), s.Clock.Now()); err != nil || n != 0 {
			t.Fatalf("a second run emitted %d (%v): reminders must be sent once", n, err)
		}
		head := alpha.People["head_of_service"]
		var sent struct{ Emitted int }
		s.Do(post, alpha.Path("/kb/reading-reminders"), nil, head.Auth()).Expect(200).Decode(&sent)
		if sent.Emitted != 0 {
			t.Fatalf("the API run emitted %d after the job", sent.Emitted)
		}
		s.Do(post, alpha.Path("/kb/reading-reminders"), nil, alpha.People["curator"].Auth()).ExpectProblem(403)

		var reminders page[struct {
			UserID     string    `json:"user_id"`
			ArticleID  string    `json:"article_id"`
			RevisionID string    `json:"revision_id"`
			DueAt      time.Time `json:"due_at"`
		}]
		s.Do(get, alpha.Path("/kb/reading-reminders"), nil, alpha.People["hr"].Auth()).Expect(200).Decode(&reminders)
		if len(reminders.Items) != 1 || reminders.Items[0].UserID != late.UserID || reminders.Items[0].RevisionID != a.AckRevisionID ||
			!reminders.Items[0].DueAt.Equal(apptest.Start.Add(3*24*time.Hour)) {
			t.Fatalf("alpha's reminders: %+v", reminders.Items)
		}

		// A major revision is a new reading: overdue again later, reminded again.
		v2 := publish(t, s, alpha, edit(t, s, alpha, a, "Просим отзыв после 2-го модуля."), "major")
		later(s, 4*24*time.Hour, []*apptest.School{alpha, beta})
		head = alpha.People["head_of_service"]
		s.Do(post, alpha.Path("/kb/reading-reminders"), nil, head.Auth()).Expect(200).Decode(&sent)
		if sent.Emitted != 2 {
			t.Fatalf("after a major revision emitted %d, want both curators", sent.Emitted)
		}
		if n := s.Count("kb_reading_reminders", "revision_id = ?", v2.AckRevisionID); n != 2 {
			t.Fatalf("%d reminders of the new revision", n)
		}
	})
}
