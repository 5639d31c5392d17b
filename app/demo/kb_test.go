package demo_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

var kbTables = []string{"kb_articles", "kb_revisions", "kb_acknowledgments", "kb_quiz_attempts", "kb_templates", "kb_search"}

func checkSeedWritesTheKnowledgeBase(t *testing.T, s *apptest.Server) {
	before := map[string]int{}
	for _, table := range kbTables {
		before[table] = s.Count(table, "")
	}
	if before["kb_articles"] != 5 || before["kb_templates"] != 12 || s.Count("kb_articles", "status = ? AND required_roles = ?", "published", "curator") != 5 {
		t.Fatalf("seeded %v, want five published regulations required for curators and a dozen templates", before)
	}

	hr := s.Login("hr@demo.test", demo.Password)
	var byArticle struct {
		Items []struct {
			Title                            string
			Required, Done, Pending, Overdue int
		}
	}
	s.Do(http.MethodGet, "/v1/orgs/demo/kb/required-reading/articles", nil, apptest.Bearer(hr)).Expect(200).Decode(&byArticle)
	done, pending := 0, 0
	for _, a := range byArticle.Items {
		if want := demo.CuratorCount + demo.NewcomerCount; a.Required != want {
			t.Errorf("%s is required for %d people, want the %d curators", a.Title, a.Required, want)
		}
		done += a.Done
		pending += a.Pending
	}
	if len(byArticle.Items) != 5 || done == 0 || pending == 0 {
		t.Fatalf("want a mix of acknowledged and pending reading: %+v", byArticle.Items)
	}

	cur := s.Login("curator03@demo.test", demo.Password)
	var hits struct{ Items []struct{ Title string } }
	s.Do(http.MethodGet, "/v1/orgs/demo/kb/search?q="+url.QueryEscape("проверки домашних заданий"), nil, apptest.Bearer(cur)).Expect(200).Decode(&hits)
	if len(hits.Items) == 0 || hits.Items[0].Title != "Регламент проверки домашних заданий" {
		t.Fatalf("searching the demo regulations: %+v", hits.Items)
	}

	if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
		t.Fatal(err)
	}
	for _, table := range kbTables {
		if got := s.Count(table, ""); got != before[table] {
			t.Errorf("%s: %d rows after the second seed, %d after the first", table, got, before[table])
		}
	}
}
