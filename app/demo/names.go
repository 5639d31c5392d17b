package demo

import "math/rand"

// Russian surnames agree with the person's gender: Иванов for a man,
// Иванова for a woman. The lists hold the masculine form; a woman's
// surname adds the feminine ending.
var (
	womensNames = []string{"Анна", "Мария", "Екатерина", "Ольга", "Наталья", "Елена", "Татьяна", "Ирина", "Светлана", "Юлия",
		"Алина", "Ксения", "Дарья", "Виктория", "Полина", "Марина", "Вера", "Надежда", "Людмила", "Оксана"}
	mensNames = []string{"Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Илья", "Максим", "Артём"}
	surnames  = []string{"Иванов", "Петров", "Соколов", "Кузнецов", "Попов", "Лебедев", "Козлов", "Новиков", "Морозов",
		"Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов",
		"Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов", "Комаров", "Орлов", "Никитин", "Ильин"}
)

// demoPersonName is a student's full name: most students of the
// psychology school are women.
func demoPersonName(rnd *rand.Rand) string {
	surname := surnames[rnd.Intn(len(surnames))]
	if rnd.Intn(5) == 0 {
		return mensNames[rnd.Intn(len(mensNames))] + " " + surname
	}
	return womensNames[rnd.Intn(len(womensNames))] + " " + surname + "а"
}
