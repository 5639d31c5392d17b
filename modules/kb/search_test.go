package kb_test

import (
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// searchCorpus is written as the head of service would; status says what
// becomes of each article.
var searchCorpus = []struct {
	title, category, status, body string
}{
	{"Проверка ДЗ", "homework_checking", "published",
		"Куратор проверяет домашнее задание в течение 24 часов.\n\nПроверка домашнего задания включает обратную связь по каждому критерию."},
	{"Чаты", "chat_communication", "published",
		"Отвечаем ученикам в чате не позже чем через 2 часа. Ещё раз перечитайте сообщение перед отправкой."},
	{"Возвраты", "refunds", "published",
		"Если ученик просит вернуть деньги, куратор не обещает возврат, а выясняет причину и передаёт запрос РОПиС. Еще: нельзя спорить с учеником."},
	{"Кейсы", "case_collection", "published",
		"Просим отзыв после третьего модуля. Кейсы собираем только с согласия ученика."},
	{"Обязанности", "duties", "published",
		"Куратор ведёт поток, проверяет задания, отвечает в чатах, собирает кейсы и отзывы."},
	{"LMS", "onboarding", "published",
		"Работа в LMS: students видят уроки, кураторы видят ответы."},
	{"Черновик", "homework_checking", "draft",
		"Проверка домашних заданий по новым правилам."},
	{"Архив", "homework_checking", "archived",
		"Старый порядок проверки домашних заданий."},
}

func TestSearchFindsWordFormsAlikeOnBothDatabases(t *testing.T) {
	queries := []struct {
		name, query string
		editor      bool
		want        string // titles, sorted, comma-separated
	}{
		{"word forms", "q=проверки домашних заданий", false, "Проверка ДЗ"},
		{"ё finds е", "q=ещё", false, "Возвраты,Чаты"},
		{"е finds ё", "q=еще", false, "Возвраты,Чаты"},
		{"case", "q=КЕЙСЫ", false, "Кейсы,Обязанности"},
		{"other case endings", "q=ученики", false, "Возвраты,Кейсы,Чаты"},
		{"every word must occur", "q=куратор чат", false, "Обязанности"},
		{"stop words are searchable", "q=нельзя", false, "Возвраты"},
		{"english words", "q=student", false, "LMS"},
		{"numbers", "q=24", false, "Проверка ДЗ"},
		{"category", "q=куратор&category=refunds", false, "Возвраты"},
		{"nothing", "q=телепортация", false, ""},
		{"readers see published only", "q=проверки домашних заданий&status=draft", false, ""},
		{"editors see drafts", "q=проверки домашних заданий&status=draft", true, "Черновик"},
		{"editors see the archive", "q=проверки домашних заданий&status=archived", true, "Архив"},
		{"editors see every status", "q=проверки домашних заданий", true, "Архив,Проверка ДЗ,Черновик"},
	}
	found := map[string]map[string]string{} // dialect → query → titles
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			s := apptest.New(t, dialect)
			alpha := s.NewSchool("alpha")
			for _, c := range searchCorpus {
				body := regulation(c.title, c.body)
				body["category"] = c.category
				a := create(t, s, alpha, body)
				if c.status != "draft" {
					a = publish(t, s, alpha, a, "major")
				}
				if c.status == "archived" {
					s.Do(post, alpha.Path("/kb/articles/"+a.ID+"/archive"), nil, alpha.People["head_of_service"].Auth(), ifMatch(a.Version)).Expect(200)
				}
			}
			found[dialect] = map[string]string{}
			for _, q := range queries {
				who := alpha.People["curator"]
				if q.editor {
					who = alpha.People["head_of_service"]
				}
				var res struct {
					Items []struct{ Title, Snippet string }
				}
				s.Do(get, alpha.Path("/kb/search?"+escape(q.query)), nil, who.Auth()).Expect(200).Decode(&res)
				var titles []string
				for _, it := range res.Items {
					titles = append(titles, it.Title)
				}
				sort.Strings(titles)
				got := strings.Join(titles, ",")
				found[dialect][q.name] = got
				if got != q.want {
					t.Errorf("%s (%s): found %q, want %q", q.name, q.query, got, q.want)
				}
			}

			// The snippet highlights the forms that matched.
			var res struct {
				Items []struct{ Title, Snippet string }
			}
			s.Do(get, alpha.Path("/kb/search?"+escape("q=проверки домашних заданий")), nil, alpha.People["curator"].Auth()).Expect(200).Decode(&res)
			if len(res.Items) != 1 || !strings.Contains(res.Items[0].Snippet, "<mark>Проверка</mark> <mark>домашнего</mark> <mark>задания</mark>") {
				t.Errorf("snippet: %+v", res.Items)
			}
			s.Do(get, alpha.Path("/kb/search?"+escape("q=ещё")), nil, alpha.People["curator"].Auth()).Expect(200).Decode(&res)
			for _, it := range res.Items {
				if !strings.Contains(it.Snippet, "<mark>") {
					t.Errorf("%s: no highlight in %q", it.Title, it.Snippet)
				}
			}

			s.Do(get, alpha.Path("/kb/search?"+escape("q=!!! ...")), nil, alpha.People["curator"].Auth()).ExpectProblem(422, "query.q")
			s.Do(get, alpha.Path("/kb/search"), nil, alpha.People["curator"].Auth()).ExpectProblem(422, "query.q")
			s.Do(get, alpha.Path("/kb/search?q=x&limit=500"), nil, alpha.People["curator"].Auth()).ExpectProblem(422, "query.limit")
			s.Do(get, alpha.Path("/kb/search?q=x"), nil, alpha.People["integration"].Auth()).ExpectProblem(403)
			s.Do(get, alpha.Path("/kb/search?q=x"), nil).ExpectProblem(401)
		})
	}
	if len(found) == 2 {
		for _, q := range queries {
			if a, b := found["sqlite"][q.name], found["postgres"][q.name]; a != b {
				t.Errorf("%s: SQLite found %q, PostgreSQL %q", q.name, a, b)
			}
		}
	}
}

func TestSearchFollowsEditsAndPublication(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		cur, head := alpha.People["curator"], alpha.People["head_of_service"]
		count := func(who apptest.Actor, q string) int {
			var res struct{ Items []struct{ ArticleID string } }
			s.Do(get, alpha.Path("/kb/search?"+escape("q="+q)), nil, who.Auth()).Expect(200).Decode(&res)
			return len(res.Items)
		}
		a := create(t, s, alpha, regulation("Дедлайны", "Сроки сдачи работ"))
		if count(head, "сроки") != 1 || count(cur, "сроки") != 0 {
			t.Fatal("a draft is found by editors only")
		}
		a = edit(t, s, alpha, a, "Дедлайны по модулям")
		if count(head, "сроки") != 0 || count(head, "модули") != 1 {
			t.Fatal("an unpublished draft is found by its latest text")
		}
		a = publish(t, s, alpha, a, "major")
		// A draft of a published article does not change what is found.
		edit(t, s, alpha, a, "Переносы дедлайнов")
		if count(cur, "модулям") != 1 || count(cur, "переносы") != 0 {
			t.Fatal("a published article is found by its published text")
		}
	})
}

// escape encodes the value of a "name=value&…" query string.
func escape(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=" + url.QueryEscape(v)
		}
	}
	return strings.Join(parts, "&")
}
