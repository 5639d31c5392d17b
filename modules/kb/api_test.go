package kb_test

import (
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/platform/authz"
)

// Who sees drafts and every audience is what the policy says of
// kb_articles:read_all: for each role, what the API shows follows it.
func TestPolicyDecidesWhoSeesEveryArticle(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		draft := create(t, s, alpha, regulation("Черновик", "Текст"))
		forNobody := regulation("Только для интеграции", "Текст")
		forNobody["audience_roles"], forNobody["required_roles"] = []string{"integration"}, []string{}
		narrow := publish(t, s, alpha, create(t, s, alpha, forNobody), "major")
		policy := s.App.Enforcer()
		var some, notAll bool
		for _, role := range authz.Roles {
			t.Run(role, func(t *testing.T) {
				s := s.WithT(t)
				who := alpha.People[role]
				if !policy.Allowed([]string{role}, authz.Permission{Object: "kb_articles", Action: "read"}) {
					s.Do(get, alpha.Path("/kb/articles/"+draft.ID), nil, who.Auth()).ExpectProblem(403)
					return
				}
				all := policy.Allowed([]string{role}, authz.Permission{Object: "kb_articles", Action: "read_all"})
				some, notAll = some || all, notAll || !all
				want := 404
				if all {
					want = 200
				}
				res := s.Do(get, alpha.Path("/kb/articles/"+draft.ID), nil, who.Auth()).Expect(want)
				if all {
					var seen article
					if res.Decode(&seen); seen.Draft == nil || seen.DraftRevisionID != draft.DraftRevisionID {
						t.Errorf("%s, granted read_all, does not see the draft: %+v", role, seen)
					}
				}
				s.Do(get, alpha.Path("/kb/articles/"+narrow.ID), nil, who.Auth()).Expect(want)
				s.Do(get, alpha.Path("/kb/articles/"+draft.ID+"/revisions/"+draft.DraftRevisionID), nil, who.Auth()).Expect(want)
				var list page[article]
				s.Do(get, alpha.Path("/kb/articles"), nil, who.Auth()).Expect(200).Decode(&list)
				if got := len(list.Items) == 2; got != all {
					t.Errorf("%s lists %d articles; read_all=%v", role, len(list.Items), all)
				}
				var hits struct{ Items []struct{ ArticleID string } }
				s.Do(get, alpha.Path("/kb/search?"+escape("q=текст")), nil, who.Auth()).Expect(200).Decode(&hits)
				if got := len(hits.Items) == 2; got != all {
					t.Errorf("%s finds %d articles; read_all=%v", role, len(hits.Items), all)
				}
			})
		}
		if !some || !notAll {
			t.Fatal("the policy should grant kb_articles:read_all to some readers and not to others")
		}
	})
}

func TestCategories(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head, cur := alpha.People["head_of_service"], alpha.People["curator"]

		var cats page[struct {
			Key, Name string
			BuiltIn   bool `json:"built_in"`
		}]
		s.Do(get, alpha.Path("/kb/categories"), nil, cur.Auth()).Expect(200).Decode(&cats)
		if len(cats.Items) != 6 || cats.Items[0].Key != "duties" || !cats.Items[0].BuiltIn || cats.Items[5].Key != "onboarding" {
			t.Fatalf("built-in categories: %+v", cats.Items)
		}

		s.Do(post, alpha.Path("/kb/categories"), map[string]string{"key": "webinars", "name": "Вебинары"}, cur.Auth()).ExpectProblem(403)
		created := s.Do(post, alpha.Path("/kb/categories"), map[string]string{"key": "webinars", "name": "Вебинары"}, head.Auth()).Expect(201).Map()
		if created["key"] != "webinars" || created["name"] != "Вебинары" || created["built_in"] != false {
			t.Fatalf("created %v", created)
		}
		s.Do(post, alpha.Path("/kb/categories"), map[string]string{"key": "webinars", "name": "Снова"}, head.Auth()).ExpectProblem(409)
		s.Do(post, alpha.Path("/kb/categories"), map[string]string{"key": "refunds", "name": "Свои возвраты"}, head.Auth()).ExpectProblem(409)
		s.Do(post, alpha.Path("/kb/categories"), map[string]string{"key": "Bad Key", "name": "x"}, head.Auth()).ExpectProblem(422, "body.key")
		s.Do(get, alpha.Path("/kb/categories"), nil, cur.Auth()).Expect(200).Decode(&cats)
		if len(cats.Items) != 7 || cats.Items[6].Key != "webinars" || cats.Items[6].BuiltIn {
			t.Fatalf("after adding one: %+v", cats.Items)
		}

		// The school's own category is usable; another school's is not.
		beta := s.NewSchool("beta")
		body := regulation("Вебинары", "Текст")
		body["category"] = "webinars"
		create(t, s, alpha, body)
		s.Do(post, beta.Path("/kb/articles"), body, beta.People["head_of_service"].Auth()).ExpectProblem(422, "body.category")
	})
}

func TestArticleLifecycle(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head, cur := alpha.People["head_of_service"], alpha.People["curator"]

		body := regulation("Проверка ДЗ", "Проверяйте работу за 24 часа.")
		res := s.Do(post, alpha.Path("/kb/articles"), body, head.Auth()).Expect(201)
		var a article
		res.Decode(&a)
		if res.Header.Get("ETag") != `"1"` || a.Status != "draft" || a.Title != "Проверка ДЗ" || a.CurrentRevisionID != "" ||
			a.Draft == nil || a.Draft.Number != 1 || a.Draft.Status != "draft" || a.Draft.Body != "Проверяйте работу за 24 часа." ||
			a.DraftRevisionID != a.Draft.ID || a.DueFrom != "publication" {
			t.Fatalf("created %s %s", res.Header.Get("ETag"), res.Body)
		}
		if a.Draft.ContentSHA256 != kb.ContentHash("Проверка ДЗ", "Проверяйте работу за 24 часа.") {
			t.Fatal("the draft's hash is not the content hash")
		}
		path := "/kb/articles/" + a.ID

		// A draft is the editors' business only.
		expectRefusals(t, s, alpha, []refusal{
			{name: "a curator reads a draft", method: get, path: path, who: "curator", status: 404},
		})
		var list page[article]
		s.Do(get, alpha.Path("/kb/articles"), nil, cur.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 0 {
			t.Fatalf("a curator lists drafts: %+v", list.Items)
		}
		s.Do(get, alpha.Path("/kb/articles?status=draft"), nil, head.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != a.ID {
			t.Fatalf("head lists %+v", list.Items)
		}

		// Edits need the current version.
		expectRefusals(t, s, alpha, []refusal{
			{name: "no If-Match", method: patch, path: path, body: map[string]string{"title": "Проверка домашних заданий"}, who: "head_of_service", status: 428},
			{name: "stale If-Match", method: patch, path: path, body: map[string]string{"title": "x"}, who: "head_of_service", version: 7, status: 412},
			{name: "unknown category", method: patch, path: path, body: map[string]string{"category": "nope"}, who: "head_of_service", version: 1, status: 422, location: "body.category"},
			{name: "unknown role", method: patch, path: path, body: map[string]any{"required_roles": []string{"janitor"}}, who: "head_of_service", version: 1, status: 422, location: "body.required_roles[0]"},
			{name: "two-line title", method: patch, path: path, body: map[string]any{"title": "две\nстроки"}, who: "head_of_service", version: 1, status: 422, location: "body.title"},
			{name: "no due period", method: patch, path: path, body: map[string]any{"due_days": 0}, who: "head_of_service", version: 1, status: 422, location: "body.due_days"},
			{name: "a curator edits", method: patch, path: path, body: map[string]string{"title": "x"}, who: "curator", version: 1, status: 403},
		})
		res = s.Do(patch, alpha.Path(path), map[string]string{"title": "Проверка домашних заданий"}, head.Auth(), ifMatch(1)).Expect(200)
		res.Decode(&a)
		if res.Header.Get("ETag") != `"2"` || a.Title != "Проверка домашних заданий" || a.Draft.Number != 1 || a.Draft.Title != a.Title {
			t.Fatalf("after editing the draft: %s", res.Body)
		}

		// Publishing: the first publication is major.
		pub := path + "/publish"
		expectRefusals(t, s, alpha, []refusal{
			{name: "a first minor publication", method: post, path: pub, body: map[string]string{"change": "minor"}, who: "head_of_service", version: 2, status: 422, location: "body.change"},
			{name: "a curator publishes", method: post, path: pub, body: map[string]string{}, who: "curator", version: 2, status: 403},
			{name: "publishing without If-Match", method: post, path: pub, body: map[string]string{}, who: "head_of_service", status: 428},
		})
		v1 := publish(t, s, alpha, a, "major")
		if v1.Status != "published" || v1.CurrentRevision == nil || v1.CurrentRevision.Number != 1 || v1.CurrentRevision.Change != "major" ||
			v1.AckRevisionID != v1.CurrentRevisionID || v1.DraftRevisionID != "" || v1.Draft != nil || v1.Version != 3 {
			t.Fatalf("after publishing: %+v", v1)
		}
		expectRefusals(t, s, alpha, []refusal{
			{name: "publishing with no draft", method: post, path: pub, body: map[string]string{}, who: "head_of_service", version: 3, status: 409},
		})

		// Readers now see it, without editor-only fields.
		var seen article
		s.Do(get, alpha.Path(path), nil, cur.Auth()).Expect(200).Decode(&seen)
		if seen.CurrentRevision == nil || seen.CurrentRevision.Body != "Проверяйте работу за 24 часа." || seen.Draft != nil {
			t.Fatalf("curator sees %+v", seen)
		}

		// Editing a published article starts a draft; readers still see v1.
		v2draft := edit(t, s, alpha, v1, "Проверяйте работу за 12 часов.")
		if v2draft.Draft == nil || v2draft.Draft.Number != 2 || v2draft.Draft.Title != "Проверка домашних заданий" ||
			v2draft.CurrentRevisionID != v1.CurrentRevisionID || v2draft.Status != "published" {
			t.Fatalf("editing a published article: %+v", v2draft)
		}
		var still article
		s.Do(get, alpha.Path(path), nil, cur.Auth()).Expect(200).Decode(&still)
		if still.CurrentRevision.Body != "Проверяйте работу за 24 часа." || still.DraftRevisionID != "" || still.Draft != nil {
			t.Fatalf("a reader sees the draft: %+v", still)
		}
		// A second edit goes into the same draft.
		v2draft = edit(t, s, alpha, v2draft, "Проверяйте работу за 12 часов, в выходные за 24.")
		if v2draft.Draft.Number != 2 {
			t.Fatalf("a second edit made revision %d", v2draft.Draft.Number)
		}
		v2 := publish(t, s, alpha, v2draft, "minor")
		if v2.CurrentRevision.Number != 2 || v2.CurrentRevision.Change != "minor" || v2.AckRevisionID != v1.CurrentRevisionID {
			t.Fatalf("minor publication: %+v", v2)
		}

		var revs page[revision]
		s.Do(get, alpha.Path(path+"/revisions"), nil, cur.Auth()).Expect(200).Decode(&revs)
		if len(revs.Items) != 2 || revs.Items[0].Number != 2 || revs.Items[1].Number != 1 || revs.Items[0].Body != "" {
			t.Fatalf("revisions: %+v", revs.Items)
		}

		// Archiving takes it away from readers.
		arch := path + "/archive"
		expectRefusals(t, s, alpha, []refusal{
			{name: "a curator archives", method: post, path: arch, who: "curator", version: v2.Version, status: 403},
			{name: "archiving a stale version", method: post, path: arch, who: "head_of_service", version: v2.Version - 1, status: 412},
		})
		var archived article
		s.Do(post, alpha.Path(arch), nil, head.Auth(), ifMatch(v2.Version)).Expect(200).Decode(&archived)
		if archived.Status != "archived" || archived.CurrentRevisionID != v2.CurrentRevisionID {
			t.Fatalf("archived: %+v", archived)
		}
		expectRefusals(t, s, alpha, []refusal{
			{name: "archiving twice", method: post, path: arch, who: "head_of_service", version: archived.Version, status: 409},
			{name: "a curator reads the archived article", method: get, path: path, who: "curator", status: 404},
			{name: "a curator lists its revisions", method: get, path: path + "/revisions", who: "curator", status: 404},
		})

		// Every change was audited.
		if n := s.Count("audit_entries", "entity_type = ? AND entity_id = ?", "kb_article", a.ID); n < 7 {
			t.Errorf("%d audit entries of the article, want one per change", n)
		}
	})
}

func TestCreateArticleRefusesBadInput(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head := alpha.People["head_of_service"]
		cases := []struct {
			name     string
			change   func(map[string]any)
			location string
		}{
			{"unknown category", func(b map[string]any) { b["category"] = "gossip" }, "body.category"},
			{"no title", func(b map[string]any) { b["title"] = "" }, "body.title"},
			{"unknown role", func(b map[string]any) { b["audience_roles"] = []string{"curator", "student"} }, "body.audience_roles[1]"},
			{"due period too long", func(b map[string]any) { b["due_days"] = 400 }, "body.due_days"},
			{"unknown due basis", func(b map[string]any) { b["due_from"] = "birthday" }, "body.due_from"},
			{"audience by cohort, which is not taken", func(b map[string]any) { b["cohort_ids"] = []string{"cohort-2026-03"} }, "body.cohort_ids"},
			{"audience by course, which is not taken", func(b map[string]any) { b["course_ids"] = []string{"course-1"} }, "body.course_ids"},
			{"unknown field", func(b map[string]any) { b["priority"] = 1 }, "body.priority"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := s.WithT(t)
				body := regulation("Регламент", "Текст")
				c.change(body)
				s.Do(post, alpha.Path("/kb/articles"), body, head.Auth()).ExpectProblem(422, c.location)
			})
		}
		if n := s.Count("kb_articles", ""); n != 0 {
			t.Fatalf("refused requests wrote %d articles", n)
		}
		s.Do(post, alpha.Path("/kb/articles"), regulation("Регламент", "Текст"), alpha.People["curator"].Auth()).ExpectProblem(403)
		s.Do(post, alpha.Path("/kb/articles"), regulation("Регламент", "Текст"), alpha.People["hr"].Auth()).ExpectProblem(403)
		s.Do(post, alpha.Path("/kb/articles"), regulation("Регламент", "Текст")).ExpectProblem(401)
	})
}

func TestPublishedRevisionNeverChanges(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head := alpha.People["head_of_service"]
		a := publish(t, s, alpha, create(t, s, alpha, regulation("Возвраты", "Возврат оформляет РОПиС.")), "major")
		revPath := alpha.Path("/kb/articles/" + a.ID + "/revisions/" + a.CurrentRevisionID)

		// Whatever the request, a published revision is refused with 409.
		s.Do(patch, revPath, map[string]string{"body": "Возврат оформляет куратор."}, head.Auth(), ifMatch(a.Version)).ExpectProblem(409)
		s.Do(patch, revPath, map[string]string{"body": "Возврат оформляет куратор."}, head.Auth()).ExpectProblem(409)
		s.Do(patch, revPath, map[string]string{"title": "x"}, head.Auth(), ifMatch(99)).ExpectProblem(409)
		s.Do(del, revPath, nil, head.Auth(), ifMatch(a.Version)).ExpectProblem(409)
		s.Do(put, revPath, map[string]string{"body": "x"}, head.Auth(), ifMatch(a.Version)).ExpectProblem(405)
		var r revision
		s.Do(get, revPath, nil, alpha.People["curator"].Auth()).Expect(200).Decode(&r)
		if r.Body != "Возврат оформляет РОПиС." || r.Status != "published" || r.ContentSHA256 != kb.ContentHash("Возвраты", "Возврат оформляет РОПиС.") {
			t.Fatalf("the published revision changed: %+v", r)
		}
		// Not even the database lets it change.
		if _, err := s.DB.NewUpdate().TableExpr("kb_revisions").Set("body = 'подмена'").Where("id = ?", a.CurrentRevisionID).Exec(s.Ctx()); err == nil {
			t.Fatal("the database let a published revision change")
		}

		// A draft revision can be edited by id, and discarded.
		draft := edit(t, s, alpha, a, "Черновик")
		draftPath := alpha.Path("/kb/articles/" + a.ID + "/revisions/" + draft.DraftRevisionID)
		s.Do(patch, draftPath, map[string]string{"body": "Черновик 2"}, head.Auth()).ExpectProblem(428)
		s.Do(patch, draftPath, map[string]string{"body": "Черновик 2"}, head.Auth(), ifMatch(a.Version)).ExpectProblem(412)
		s.Do(patch, draftPath, map[string]string{"body": "Черновик 2"}, alpha.People["curator"].Auth(), ifMatch(draft.Version)).ExpectProblem(403)
		// A reader does not even learn that a draft exists.
		s.Do(get, draftPath, nil, alpha.People["curator"].Auth()).ExpectProblem(404)
		s.Do(patch, draftPath, map[string]string{"body": "Черновик 2"}, head.Auth(), ifMatch(draft.Version)).Expect(200).Decode(&r)
		if r.Body != "Черновик 2" || r.Status != "draft" || r.ContentSHA256 != kb.ContentHash("Возвраты", "Черновик 2") {
			t.Fatalf("draft after editing: %+v", r)
		}
		var now article
		s.Do(get, alpha.Path("/kb/articles/"+a.ID), nil, head.Auth()).Expect(200).Decode(&now)
		s.Do(del, draftPath, nil, head.Auth(), ifMatch(now.Version)).Expect(204)
		var after article
		s.Do(get, alpha.Path("/kb/articles/"+a.ID), nil, head.Auth()).Expect(200).Decode(&after)
		if after.DraftRevisionID != "" || after.Draft != nil || after.CurrentRevisionID != a.CurrentRevisionID {
			t.Fatalf("after discarding the draft: %+v", after)
		}
		s.Do(get, draftPath, nil, head.Auth()).ExpectProblem(404)

		// The first draft of a never-published article is the article.
		fresh := create(t, s, alpha, regulation("Черновик", "Текст"))
		s.Do(del, alpha.Path("/kb/articles/"+fresh.ID+"/revisions/"+fresh.DraftRevisionID), nil, head.Auth(), ifMatch(1)).ExpectProblem(409)
		// A revision of another article is not found through this one.
		s.Do(get, alpha.Path("/kb/articles/"+fresh.ID+"/revisions/"+a.CurrentRevisionID), nil, head.Auth()).ExpectProblem(404)
	})
}

func TestAudienceDecidesWhoReads(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		forFinance := regulation("Выплаты", "Только для финансов")
		forFinance["audience_roles"], forFinance["required_roles"] = []string{"finance"}, []string{}
		fin := publish(t, s, alpha, create(t, s, alpha, forFinance), "major")
		forAll := regulation("Общее", "Для всех")
		forAll["required_roles"] = []string{}
		all := publish(t, s, alpha, create(t, s, alpha, forAll), "major")
		// Required for curators while meant for HR: curators read it too.
		mixed := regulation("Смешанное", "Для HR и кураторов")
		mixed["audience_roles"] = []string{"hr"}
		mix := publish(t, s, alpha, create(t, s, alpha, mixed), "major")

		visible := func(role string) string {
			var p page[article]
			s.Do(get, alpha.Path("/kb/articles"), nil, alpha.People[role].Auth()).Expect(200).Decode(&p)
			var titles []string
			for _, a := range p.Items {
				titles = append(titles, a.Title)
			}
			return strings.Join(titles, ",")
		}
		for role, want := range map[string]string{
			"curator": "Общее,Смешанное", "finance": "Выплаты,Общее", "hr": "Общее,Смешанное",
			"senior_curator": "Общее", "head_of_service": "Выплаты,Общее,Смешанное",
		} {
			if got := visible(role); got != want {
				t.Errorf("%s sees %q, want %q", role, got, want)
			}
		}
		s.Do(get, alpha.Path("/kb/articles/"+fin.ID), nil, alpha.People["curator"].Auth()).ExpectProblem(404)
		s.Do(get, alpha.Path("/kb/articles/"+fin.ID), nil, alpha.People["finance"].Auth()).Expect(200)
		s.Do(get, alpha.Path("/kb/articles/"+mix.ID), nil, alpha.People["curator"].Auth()).Expect(200)
		s.Do(get, alpha.Path("/kb/articles/"+all.ID), nil, alpha.People["integration"].Auth()).ExpectProblem(403)
	})
}

func TestDiffShowsWhatChanged(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		cur := alpha.People["curator"]
		v1 := publish(t, s, alpha, create(t, s, alpha, regulation("Чаты", "Отвечаем за 2 часа.\nБез смайликов.\nВежливо.")), "major")
		draft := edit(t, s, alpha, v1, "Отвечаем за 1 час.\nБез смайликов.\nВежливо.\nПо имени.")
		diff := func(a, b string, actor apptest.Actor) *apptest.Response {
			return s.Do(get, alpha.Path("/kb/articles/"+v1.ID+"/revisions/"+a+"/diff/"+b), nil, actor.Auth())
		}
		// A reader cannot compare with a draft.
		diff(v1.CurrentRevisionID, draft.DraftRevisionID, cur).ExpectProblem(404)
		v2 := publish(t, s, alpha, draft, "major")

		var d struct {
			From, To          revision
			TitleChanged      bool `json:"title_changed"`
			Inserted, Deleted int
			Lines             []struct {
				Op       string
				Text     string
				FromLine int `json:"from_line"`
				ToLine   int `json:"to_line"`
			}
		}
		diff(v1.CurrentRevisionID, v2.CurrentRevisionID, cur).Expect(200).Decode(&d)
		var got []string
		for _, l := range d.Lines {
			got = append(got, l.Op+" "+l.Text)
		}
		want := "delete Отвечаем за 2 часа.|insert Отвечаем за 1 час.|equal Без смайликов.|equal Вежливо.|insert По имени."
		if strings.Join(got, "|") != want || d.Inserted != 2 || d.Deleted != 1 || d.TitleChanged || d.From.Number != 1 || d.To.Number != 2 {
			t.Fatalf("diff:\n%s\nwant\n%s\n%+v", strings.Join(got, "|"), want, d)
		}
		if d.Lines[4].ToLine != 4 || d.Lines[0].FromLine != 1 {
			t.Fatalf("line numbers: %+v", d.Lines)
		}
		other := publish(t, s, alpha, create(t, s, alpha, regulation("Другое", "x")), "major")
		diff(v1.CurrentRevisionID, other.CurrentRevisionID, cur).ExpectProblem(404)
		diff(v1.CurrentRevisionID, "not-a-uuid", cur).ExpectProblem(422, "path.b")
	})
}

func TestOtherSchoolsArticlesAreNotFound(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha, beta := s.NewSchool("alpha"), s.NewSchool("beta")
		a := publish(t, s, alpha, create(t, s, alpha, regulation("Альфа", "Секрет альфы")), "major")
		bhead, bcur := beta.People["head_of_service"], beta.People["curator"]
		s.Do(get, beta.Path("/kb/articles/"+a.ID), nil, bhead.Auth()).ExpectProblem(404)
		s.Do(patch, beta.Path("/kb/articles/"+a.ID), map[string]string{"title": "x"}, bhead.Auth(), ifMatch(a.Version)).ExpectProblem(404)
		s.Do(post, beta.Path("/kb/articles/"+a.ID+"/publish"), map[string]string{}, bhead.Auth(), ifMatch(a.Version)).ExpectProblem(404)
		s.Do(get, beta.Path("/kb/articles/"+a.ID+"/revisions/"+a.CurrentRevisionID), nil, bhead.Auth()).ExpectProblem(404)
		s.Do(post, beta.Path("/kb/articles/"+a.ID+"/acknowledgments"), map[string]string{"revision_id": a.CurrentRevisionID}, bcur.Auth()).ExpectProblem(404)
		s.Do(get, beta.Path("/kb/required-reading/articles/"+a.ID), nil, bhead.Auth()).ExpectProblem(404)
		// Through alpha's path, beta's people are strangers.
		s.Do(get, alpha.Path("/kb/articles/"+a.ID), nil, bhead.Auth()).ExpectProblem(404)
		var hits struct{ Items []struct{ ArticleID string } }
		s.Do(get, beta.Path("/kb/search?q=секрет"), nil, bhead.Auth()).Expect(200).Decode(&hits)
		if len(hits.Items) != 0 {
			t.Fatalf("beta finds alpha's article: %+v", hits.Items)
		}
	})
}
