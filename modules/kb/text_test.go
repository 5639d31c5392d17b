package kb

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

func TestContentHashIsSHA256OfTitleBlankLineBody(t *testing.T) {
	sum := sha256.Sum256([]byte("Регламент\n\nТекст ещё"))
	if got, want := ContentHash("Регламент", "Текст ещё"), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("ContentHash = %s, want %s", got, want)
	}
	if ContentHash("a", "b") == ContentHash("a", "b ") {
		t.Fatal("a changed body must change the hash")
	}
}

func TestFoldKeepsRunePositions(t *testing.T) {
	in := "Ещё — «Проверка», ДЗ-3!"
	got := foldText(in)
	if want := "еще    проверка   дз 3 "; got != want {
		t.Fatalf("foldText(%q) = %q, want %q", in, got, want)
	}
	if len([]rune(got)) != len([]rune(in)) {
		t.Fatal("folding must keep the number of runes")
	}
}

func TestStemsMatchWordForms(t *testing.T) {
	cases := []struct{ a, b string }{
		{"проверки", "проверка"},
		{"домашних", "домашнего"},
		{"заданий", "задания"},
		{"ещё", "еще"},
		{"Кураторы", "куратора"},
		{"возвратов", "возврат"},
		{"students", "student"},
	}
	for _, c := range cases {
		if sa, sb := stem(foldText(c.a)), stem(foldText(c.b)); sa != sb {
			t.Errorf("stem(%s) = %s, stem(%s) = %s: want the same stem", c.a, sa, c.b, sb)
		}
	}
	if stem("нельзя") == "" || stem("24") != "24" || stem("csi5") != "csi5" {
		t.Error("stop words are stemmed, numbers and words with digits are kept")
	}
	if got := queryStems("Проверки, проверка! ДОМАШНИХ"); strings.Join(got, " ") != "проверк домашн" {
		t.Errorf("queryStems = %v, want distinct stems in order", got)
	}
}

func TestGoSnippetMarksMatchesAndEscapes(t *testing.T) {
	body := "Вступление. " + strings.Repeat("слово ", 40) + "Проверка домашнего задания <b>важна</b> для учеников. " + strings.Repeat("хвост ", 40)
	got := goSnippet(body, queryStems("проверки домашних заданий"))
	for _, want := range []string{"<mark>Проверка</mark> <mark>домашнего</mark> <mark>задания</mark>", "&lt;b&gt;важна&lt;/b&gt;"} {
		if !strings.Contains(got, want) {
			t.Errorf("snippet %q lacks %q", got, want)
		}
	}
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet %q should show both cuts", got)
	}
	if strings.Contains(got, "<b>") {
		t.Errorf("snippet %q lets markup through", got)
	}
}

func TestMapHeadlineRestoresOriginalLetters(t *testing.T) {
	body := "Итак, ЕЩЁ раз: проверка важна."
	folded := foldText(body)
	// What ts_headline would answer over the folded body.
	headline := "раз  " + string(markOpen) + "проверка" + string(markClose) + " важна"
	got := mapHeadline(headline, body, folded)
	if want := "…раз: <mark>проверка</mark> важна."; got != want {
		t.Fatalf("mapHeadline = %q, want %q", got, want)
	}
}

func TestDiffLines(t *testing.T) {
	from := "один\nдва\nтри\nчетыре\n"
	to := "один\nДВА\nтри\nчетыре\nпять\n"
	var ops []string
	for _, l := range diffLines(from, to) {
		ops = append(ops, l.Op[:1]+":"+l.Text)
	}
	want := "e:один d:два i:ДВА e:три e:четыре i:пять"
	if got := strings.Join(ops, " "); got != want {
		t.Fatalf("diff = %s\nwant   %s", got, want)
	}
	lines := diffLines(from, to)
	if lines[1].FromLine != 2 || lines[1].ToLine != 0 || lines[2].ToLine != 2 || lines[5].ToLine != 5 {
		t.Fatalf("line numbers wrong: %+v", lines)
	}
	if d := diffLines("", "а\nб"); len(d) != 2 || d[0].Op != DiffInsert {
		t.Fatalf("diff from empty: %+v", d)
	}
	if d := diffLines("same\n", "same\n"); len(d) != 1 || d[0].Op != DiffEqual {
		t.Fatalf("diff of equal texts: %+v", d)
	}
}

func TestTemplateVariablesAndRender(t *testing.T) {
	body := "Здравствуйте, {{student_name}}! Пришлите работу до {{ deadline }}. {{student_name}}, удачи."
	vars, err := templateVariables(body, "body.body")
	if err != nil || strings.Join(vars, ",") != "student_name,deadline" {
		t.Fatalf("variables %v, %v", vars, err)
	}
	text, err := render(body, map[string]string{"student_name": "Анна", "deadline": "пятницы"})
	if err != nil || text != "Здравствуйте, Анна! Пришлите работу до пятницы. Анна, удачи." {
		t.Fatalf("render = %q, %v", text, err)
	}
	_, err = render(body, map[string]string{"student_name": "Анна", "dedline": "пятницы"})
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields[0].Location != "body.variables.deadline" || ve.Fields[1].Location != "body.variables.dedline" {
		t.Fatalf("missing and unknown variables: %v", err)
	}
	for _, bad := range []string{"{{Student}}", "{{student name}}", "{{a}", "a}} b", "{{}}"} {
		if _, err := templateVariables(bad, "body.body"); err == nil {
			t.Errorf("%q should be refused", bad)
		}
	}
}

func TestGradeQuiz(t *testing.T) {
	q, err := newQuiz(60, []Question{
		{Text: "Срок проверки ДЗ?", Kind: QuestionSingle, Options: []Option{{Text: "24 часа", Correct: true}, {Text: "неделя"}}},
		{Text: "Что делать при просьбе о возврате?", Kind: QuestionMultiple, Options: []Option{
			{Text: "выяснить причину", Correct: true}, {Text: "передать РОПиС", Correct: true}, {Text: "отказать"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if q.Questions[1].ID != "q2" || q.Questions[1].Options[2].ID != "o3" {
		t.Fatalf("ids not assigned: %+v", q.Questions)
	}
	correct, err := grade(q, []Answer{{QuestionID: "q1", OptionIDs: []string{"o1"}}, {QuestionID: "q2", OptionIDs: []string{"o2", "o1"}}})
	if err != nil || correct != 2 {
		t.Fatalf("all right: %d, %v", correct, err)
	}
	correct, _ = grade(q, []Answer{{QuestionID: "q2", OptionIDs: []string{"o1"}}})
	if correct != 0 || scorePercent(1, 2) != 50 {
		t.Fatalf("a partly right multiple choice is wrong: %d", correct)
	}
	if _, err := grade(q, []Answer{{QuestionID: "q9"}, {QuestionID: "q1", OptionIDs: []string{"o7"}}}); err == nil {
		t.Fatal("unknown question and option must be refused")
	}
	if _, err := newQuiz(50, []Question{{Text: "?", Kind: QuestionSingle, Options: []Option{{Text: "a", Correct: true}, {Text: "b", Correct: true}}}}); err == nil {
		t.Fatal("a single-choice question with two correct options must be refused")
	}
}
