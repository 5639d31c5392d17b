package kb_test

import (
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// The reproductions of the input report: a NUL in a category filter
// answered 500 ("SQL logic error: unrecognized token").
func TestCategoryFiltersRefuseControlCharacters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		alpha := s.NewSchool("alpha")
		head := alpha.People["head_of_service"]
		a := publish(t, s, alpha, create(t, s, alpha, regulation("Проверка работ", "Проверяйте домашние задания вовремя.")), "major")
		for _, path := range []string{"/kb/articles?", "/kb/search?q=проверка&", "/kb/templates?"} {
			for _, bad := range []string{"a%00b", "refunds%00", "%0Arefunds", "Refunds", "a%FFb"} {
				s.Do(get, alpha.Path(path+"category="+bad), nil, head.Auth()).ExpectProblem(422, "query.category")
			}
		}
		// A well-formed key still filters.
		var list page[article]
		s.Do(get, alpha.Path("/kb/articles?category=homework_checking"), nil, head.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != a.ID {
			t.Fatalf("filtered by category: %+v", list.Items)
		}
		s.Do(get, alpha.Path("/kb/articles?category=refunds"), nil, head.Auth()).Expect(200).Decode(&list)
		if len(list.Items) != 0 {
			t.Fatalf("another category's filter found: %+v", list.Items)
		}
		s.Do(get, alpha.Path("/kb/search?q=a%00b"), nil, head.Auth()).ExpectProblem(422, "query.q")
	})
}
