package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/kb"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// The demo school's knowledge base: five regulations required for
// curators, one of them revised (a major change that asks for reading
// again) and one with a quiz, acknowledged by some curators and not
// others, and a dozen answer templates.

type demoRegulation struct {
	category, title string
	// bodies are the published revisions in order; changes[i] is the kind
	// of change bodies[i] made (the first is always major).
	bodies  []string
	changes []string
	// readBefore[i] says whether curator number n (1-based) acknowledged
	// revision i, so that the demo has every status.
	readBefore func(rev, n int) bool
	dueDays    int
	quiz       []kb.Question
}

func demoRegulations() []demoRegulation {
	return []demoRegulation{
		{
			category: "duties", title: "Обязанности куратора",
			bodies:  []string{dutiesText},
			changes: []string{kb.ChangeMajor}, dueDays: 7,
			readBefore: func(_, n int) bool { return n%5 != 0 },
		},
		{
			category: "homework_checking", title: "Регламент проверки домашних заданий",
			bodies:  []string{homeworkTextV1, homeworkTextV2},
			changes: []string{kb.ChangeMajor, kb.ChangeMajor}, dueDays: 5,
			// Most read the first version; fewer have caught up with the
			// 24-hour rule that replaced it.
			readBefore: func(rev, n int) bool {
				if rev == 0 {
					return n <= 24
				}
				return n%3 == 1
			},
		},
		{
			category: "chat_communication", title: "Регламент общения в чатах",
			bodies:  []string{chatTextV1, chatTextV2},
			changes: []string{kb.ChangeMajor, kb.ChangeMinor}, dueDays: 7,
			readBefore: func(rev, n int) bool { return rev == 0 && n%4 != 3 },
		},
		{
			category: "case_collection", title: "Регламент сбора кейсов и отзывов",
			bodies:  []string{casesText},
			changes: []string{kb.ChangeMajor}, dueDays: 10,
			readBefore: func(_, n int) bool { return n%2 == 0 },
		},
		{
			category: "refunds", title: "Регламент работы с запросами на возврат",
			bodies:  []string{refundsText},
			changes: []string{kb.ChangeMajor}, dueDays: 3,
			readBefore: func(_, n int) bool { return n <= 10 },
			quiz: []kb.Question{
				{Text: "Кто принимает решение о возврате денег?", Kind: kb.QuestionSingle, Options: []kb.Option{
					{Text: "Куратор, который ведёт ученика"}, {Text: "Руководитель отдела продукта и сервиса", Correct: true}, {Text: "Старший куратор"}}},
				{Text: "Что куратор делает, получив просьбу о возврате?", Kind: kb.QuestionMultiple, Options: []kb.Option{
					{Text: "Выясняет причину и фиксирует её в карточке ученика", Correct: true},
					{Text: "Сразу обещает вернуть деньги, чтобы снять напряжение"},
					{Text: "В течение 2 часов передаёт запрос РОПиС", Correct: true}}},
				{Text: "В какой срок ученик получает первый ответ на просьбу о возврате?", Kind: kb.QuestionSingle, Options: []kb.Option{
					{Text: "В течение 2 рабочих часов", Correct: true}, {Text: "В течение 3 дней"}, {Text: "После решения РОПиС"}}},
			},
		},
	}
}

// seedKB fills the demo school's knowledge base unless it is there.
func seedKB(ctx context.Context, svc *server.Services, orgID string) error {
	heads, err := svc.Identity.ActivePeople(ctx, orgID, "head_of_service")
	if err != nil || len(heads) == 0 {
		return fmt.Errorf("demo head of service: %w", err)
	}
	// The seed acts as the head of service, whom the policy lets see every
	// article (kb_articles:read_all), drafts included.
	head := kb.Viewer{UserID: heads[0].UserID, Roles: heads[0].Roles, SeesAll: true}
	curators, err := svc.Identity.ActivePeople(ctx, orgID, "curator")
	if err != nil {
		return err
	}
	existing, err := svc.KB.Articles(ctx, head, orgID, kb.ArticleFilter{Limit: 200})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, a := range existing {
		have[a.Title] = true
	}
	// Acknowledgments carry the address and browser they came from.
	ackCtx := reqctx.With(ctx, &reqctx.Meta{OperationID: "seed-demo", IP: "198.51.100.24",
		UserAgent: "Mozilla/5.0 (demo seed)", Principal: reqctx.From(ctx).Principal})
	for _, r := range demoRegulations() {
		if have[r.title] {
			continue
		}
		if err := seedRegulation(ackCtx, svc.KB, orgID, head, curators, r); err != nil {
			return fmt.Errorf("regulation %q: %w", r.title, err)
		}
	}
	return seedTemplates(ctx, svc.KB, orgID, head)
}

func seedRegulation(ctx context.Context, svc *kb.Service, orgID string, head kb.Viewer, curators []identity.Person, r demoRegulation) error {
	view, err := svc.CreateArticle(ctx, head, orgID, kb.NewArticle{Category: r.category, Title: r.title, Body: r.bodies[0],
		Audience: kb.Audience{RequiredRoles: []string{"curator"}, DueDays: r.dueDays, DueFrom: kb.DueFromPublication}})
	if err != nil {
		return err
	}
	a := view.Article
	if r.quiz != nil {
		if a, err = svc.SetQuiz(ctx, head, orgID, a.ID, a.Version, 100, r.quiz); err != nil {
			return err
		}
	}
	for rev, body := range r.bodies {
		if rev > 0 {
			if view, err = svc.UpdateArticle(ctx, head, orgID, a.ID, a.Version, kb.ArticleChanges{Body: &body}); err != nil {
				return err
			}
			a = view.Article
		}
		if view, err = svc.Publish(ctx, head, orgID, a.ID, a.Version, r.changes[rev]); err != nil {
			return err
		}
		a = view.Article
		for i, c := range curators {
			if r.readBefore(rev, i+1) {
				if err := acknowledgeAsDemo(ctx, svc, orgID, a, c, r.quiz); err != nil {
					return fmt.Errorf("%s: %w", c.Email, err)
				}
			}
		}
	}
	return nil
}

// acknowledgeAsDemo acknowledges the current revision as the curator,
// passing the quiz first when there is one.
func acknowledgeAsDemo(ctx context.Context, svc *kb.Service, orgID string, a *kb.Article, c identity.Person, quiz []kb.Question) error {
	v := kb.Viewer{UserID: c.UserID, Roles: c.Roles}
	if quiz != nil {
		var answers []kb.Answer
		for i, q := range quiz {
			ans := kb.Answer{QuestionID: fmt.Sprintf("q%d", i+1)}
			for j, o := range q.Options {
				if o.Correct {
					ans.OptionIDs = append(ans.OptionIDs, fmt.Sprintf("o%d", j+1))
				}
			}
			answers = append(answers, ans)
		}
		if _, err := svc.SubmitAttempt(ctx, v, orgID, a.ID, answers); err != nil {
			return err
		}
	}
	_, err := svc.Acknowledge(ctx, v, orgID, a.ID, a.CurrentRevisionID, "")
	if errors.Is(err, errs.ErrConflict) {
		return nil
	}
	return err
}

func seedTemplates(ctx context.Context, svc *kb.Service, orgID string, head kb.Viewer) error {
	existing, err := svc.Templates(ctx, orgID, kb.TemplateFilter{Limit: 200})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, t := range existing {
		have[t.Title] = true
	}
	for _, t := range demoTemplates {
		if have[t.Title] {
			continue
		}
		if _, err := svc.CreateTemplate(ctx, head, orgID, t); err != nil {
			return fmt.Errorf("template %q: %w", t.Title, err)
		}
	}
	return nil
}

var demoTemplates = []kb.NewTemplate{
	{Category: "chat_communication", Title: "Приветствие в начале потока",
		Body: "Здравствуйте, {{student_name}}! Меня зовут {{curator_name}}, я ваш куратор на курсе «{{course_name}}». " +
			"Я проверяю ваши домашние задания и отвечаю на вопросы в этом чате по будням с 10 до 19 по Москве. " +
			"Если что-то непонятно в материалах или в заданиях — пишите, разберёмся вместе."},
	{Category: "homework_checking", Title: "Домашнее задание принято",
		Body: "{{student_name}}, спасибо за работу «{{assignment}}»! Задание принято. " +
			"Особенно хорошо получилось: {{strength}}. Следующий модуль уже открыт — жду вашу следующую работу."},
	{Category: "homework_checking", Title: "Домашнее задание на доработку",
		Body: "{{student_name}}, спасибо за работу «{{assignment}}»! Вы на верном пути, но задание пока не засчитано: {{what_to_fix}}. " +
			"Доработайте, пожалуйста, и пришлите новую версию до {{deadline}}. Если нужна подсказка — напишите, я помогу."},
	{Category: "homework_checking", Title: "Напоминание о сроке сдачи",
		Body: "{{student_name}}, добрый день! Напоминаю, что задание «{{assignment}}» нужно сдать до {{deadline}}. " +
			"Если не успеваете — напишите мне, вместе подумаем, как распределить нагрузку."},
	{Category: "duties", Title: "Ученик давно не выходил на связь",
		Body: "{{student_name}}, здравствуйте! Давно не видела ваших работ и немного беспокоюсь. " +
			"Как у вас дела? Если что-то мешает учиться — расскажите, найдём удобный темп. Материалы модуля {{module_number}} ждут вас."},
	{Category: "case_collection", Title: "Просьба об отзыве после модуля",
		Body: "{{student_name}}, поздравляю с завершением модуля {{module_number}}! Поделитесь, пожалуйста, в двух-трёх предложениях: " +
			"что изменилось для вас за это время? Ваш отзыв помогает нам делать курс лучше."},
	{Category: "case_collection", Title: "Приглашение записать видеоотзыв",
		Body: "{{student_name}}, ваши результаты по курсу «{{course_name}}» очень вдохновляют! " +
			"Хотите записать короткий видеоотзыв (2–3 минуты)? Мы пришлём вопросы-подсказки, а публикуем отзыв только с вашего письменного согласия."},
	{Category: "case_collection", Title: "Благодарность за отзыв",
		Body: "{{student_name}}, спасибо за тёплый отзыв! Нам очень важно знать, что курс помогает. " +
			"В знак благодарности дарим вам {{gift}}."},
	{Category: "refunds", Title: "Первый ответ на просьбу о возврате",
		Body: "{{student_name}}, спасибо, что написали напрямую. Мне важно понять, что произошло: расскажите, пожалуйста, " +
			"что именно не подошло в курсе? Я передам ваш запрос руководителю, и вы получите ответ до {{reply_deadline}}."},
	{Category: "refunds", Title: "Запрос на возврат передан руководителю",
		Body: "{{student_name}}, ваш запрос зарегистрирован под номером {{request_number}} и передан руководителю отдела продукта и сервиса. " +
			"Решение и сроки мы сообщим вам до {{reply_deadline}}. Пока решение не принято, доступ к курсу сохраняется."},
	{Category: "chat_communication", Title: "Ответ в нерабочее время",
		Body: "{{student_name}}, спасибо за сообщение! Сейчас нерабочее время, я отвечу вам до {{reply_time}}. " +
			"Если вопрос срочный и касается доступа к платформе, напишите в техподдержку: {{support_contact}}."},
	{Category: "duties", Title: "Поздравление с окончанием курса",
		Body: "{{student_name}}, поздравляю с окончанием курса «{{course_name}}»! Вы прошли большой путь — от первого задания до финальной работы. " +
			"Ваш сертификат придёт на почту в течение {{certificate_days}} дней. Будем рады видеть вас на следующих программах школы."},
}

const dutiesText = `## Кто такой куратор

Куратор — первый и главный человек школы для ученика на протяжении всего потока. Он проверяет домашние задания, отвечает на вопросы в чатах, замечает, когда ученик теряет интерес, и помогает ему дойти до конца курса. От работы куратора зависят доходимость, удовлетворённость учеников (CSI) и повторные покупки.

## Обязанности

- Проверять домашние задания своих учеников в сроки из регламента проверки ДЗ.
- Отвечать ученикам в чатах и комментариях платформы в течение 2 рабочих часов.
- Еженедельно просматривать список своих учеников и писать тем, кто не сдал задание больше 7 дней.
- Собирать отзывы и кейсы по регламенту сбора кейсов.
- Принимать первые сообщения о возврате и передавать их руководителю отдела продукта и сервиса (РОПиС) — решение о возврате куратор не принимает.
- Отмечать в карточке ученика всё важное: трудности, пропуски, договорённости о сроках.

## Рабочее время и замены

Куратор работает по будням с 10:00 до 19:00 по Москве, если с РОПиС не согласован другой график. Об отпуске или больничном куратор сообщает старшему куратору заранее (об отпуске — за 14 дней), чтобы ученики на это время перешли к замещающему куратору. Ученик не должен оставаться без ответа из-за отсутствия своего куратора.

## Чего куратор не делает

Куратор не обещает ученикам скидок, продления доступа и возвратов, не даёт психологических консультаций вне программы курса и не переносит общение в личные мессенджеры. Все такие вопросы он передаёт РОПиС.

## Оплата и KPI

Оплата куратора складывается из фиксированной части, оплаты за каждую проверенную работу и бонусов за KPI: доходимость учеников, CSI, соблюдение сроков ответа и проверки, собранные кейсы. Подробности — в положении об оплате; вопросы по расчёту задавайте РОПиС.`

const homeworkTextV1 = `## Сроки

Проверка домашнего задания занимает не больше 48 часов с момента сдачи. Работы, сданные в пятницу после 19:00 и в выходные, проверяются до конца понедельника.

## Как проверять

1. Откройте работу в очереди проверки и возьмите её в работу — так её не возьмёт второй куратор.
2. Сверьте работу с критериями задания. Оцените по шкале из задания и отметьте каждый критерий.
3. Напишите обратную связь: что получилось, что доработать, как именно. Обращайтесь к ученику по имени.
4. Выберите итог: «принято», «на доработку» или «не принято».

## Обратная связь

Начинайте с сильных сторон работы, затем — конкретные замечания с примерами, в конце — что делать дальше. Не пишите «плохо» или «неправильно» без объяснения. Помните, что ученики психологической школы часто делятся личным: относитесь к этому бережно и не оценивайте жизненный опыт ученика.`

const homeworkTextV2 = `## Сроки

Проверка домашнего задания занимает не больше 24 часов с момента сдачи. Работы, сданные в пятницу после 19:00 и в выходные, проверяются до 14:00 понедельника. Если вы не успеваете, заранее сообщите старшему куратору — он перераспределит очередь.

## Как проверять

1. Откройте работу в очереди проверки и возьмите её в работу — так её не возьмёт второй куратор.
2. Сверьте работу с критериями задания. Оцените по шкале из задания и отметьте каждый критерий.
3. Напишите обратную связь: что получилось, что доработать, как именно. Обращайтесь к ученику по имени.
4. Выберите итог: «принято», «на доработку» или «не принято».

## Обратная связь

Начинайте с сильных сторон работы, затем — конкретные замечания с примерами, в конце — что делать дальше. Не пишите «плохо» или «неправильно» без объяснения. Помните, что ученики психологической школы часто делятся личным: относитесь к этому бережно и не оценивайте жизненный опыт ученика.

## Доработки

Работу на доработке проверяйте в приоритете — не позже 12 часов после повторной сдачи. Если ученик третий раз сдаёт задание с теми же ошибками, предложите ему короткий созвон или разбор в чате.

## Контроль качества

Старший куратор каждую неделю выборочно проверяет 10% проверенных работ по чек-листу качества. Оценка качества проверки входит в KPI куратора.`

const chatTextV1 = `## Сроки ответа

На сообщение ученика в чате или в комментариях платформы куратор отвечает в течение 2 рабочих часов. Сообщения, пришедшие в нерабочее время, получают ответ до 12:00 следующего рабочего дня. Если ответ требует времени, сначала напишите, что вопрос принят и когда ждать ответа.

## Тон

Обращаемся к ученикам на «вы» и по имени, пишем доброжелательно и по делу. Не используем сарказм, не спорим и не обесцениваем переживания ученика. Смайлики уместны, но не заменяют ответа по существу. Ещё раз перечитывайте сообщение перед отправкой.

## Групповой чат потока

В общем чате куратор отвечает на вопросы по организации обучения и поддерживает обсуждение. Личные темы, оценки работ и вопросы оплаты переводятся в личные сообщения на платформе. Конфликт в общем чате куратор мягко останавливает и сообщает о нём старшему куратору.

## Чего нельзя

Нельзя пересылать сообщения учеников третьим лицам, обсуждать одних учеников с другими, переводить общение в личные мессенджеры и давать обещания о скидках, продлениях и возвратах.`

const chatTextV2 = `## Сроки ответа

На сообщение ученика в чате или в комментариях платформы куратор отвечает в течение 2 рабочих часов. Сообщения, пришедшие в нерабочее время, получают ответ до 12:00 следующего рабочего дня. Если ответ требует времени, сначала напишите, что вопрос принят и когда ждать ответа.

## Тон

Обращаемся к ученикам на «вы» и по имени, пишем доброжелательно и по делу. Не используем сарказм, не спорим и не обесцениваем переживания ученика. Смайлики уместны, но не заменяют ответа по существу. Ещё раз перечитывайте сообщение перед отправкой: проверьте имя ученика и ссылки.

## Групповой чат потока

В общем чате куратор отвечает на вопросы по организации обучения и поддерживает обсуждение. Личные темы, оценки работ и вопросы оплаты переводятся в личные сообщения на платформе. Конфликт в общем чате куратор мягко останавливает и сообщает о нём старшему куратору.

## Чего нельзя

Нельзя пересылать сообщения учеников третьим лицам, обсуждать одних учеников с другими, переводить общение в личные мессенджеры и давать обещания о скидках, продлениях и возвратах.`

const casesText = `## Зачем нам кейсы

Отзывы и истории учеников показывают будущим ученикам, что курс работает, а команде — что именно в нём ценят. Раньше мы собирали 4–5 видеоотзывов за поток; цель — не меньше 10 видеокейсов и 100 текстовых отзывов с каждого потока.

## Когда просить

- Текстовый отзыв — после завершения 1-го и 3-го модуля, когда ученик сдал задание модуля.
- Развёрнутый кейс «до и после» — на последней неделе курса, если ученик заметно продвинулся.
- Видеоотзыв — ученикам, которые сами пишут о результатах в чате или в домашних заданиях.

Не просите отзыв сразу после работы на доработке или после конфликта.

## Как просить

Используйте шаблоны из раздела «Сбор кейсов»: коротко, лично, с конкретным вопросом. Один ученик получает не больше одной просьбы в неделю. Если ученик отказался, больше не напоминаем.

## Согласие

Публикуем отзыв только с письменного согласия ученика на публикацию — галочка в форме отзыва или ответ «согласен(на)» в переписке. За несовершеннолетнего согласие даёт родитель. Без согласия отзыв используется только внутри команды.

## Учёт

Каждый полученный отзыв или кейс куратор вносит в систему с тегами (модуль, тема, формат) и отмечает себя автором. Собранные кейсы входят в KPI куратора.`

const refundsText = `## Принцип

Просьба о возврате — это прежде всего сигнал, что ученику что-то не подошло. Наша задача — понять причину и, если можно, помочь ученику продолжить обучение. Но решение о возврате денег куратор не принимает и не обещает.

## Что делает куратор

1. Ответьте ученику в течение 2 рабочих часов: поблагодарите, что написал, и спросите, что именно не подошло.
2. Зафиксируйте причину в карточке ученика, выбрав категорию: не устроило содержание, нет времени, финансовые трудности, техническая проблема, другое.
3. Если причину можно устранить (перенести сроки, открыть запись урока, помочь с доступом), предложите это — без давления.
4. В течение 2 часов передайте запрос РОПиС через форму заявки, даже если ученик передумал.

## Что делает РОПиС

Руководитель отдела продукта и сервиса связывается с учеником, рассчитывает сумму к возврату по условиям оферты и принимает решение. Возврат выплачивает бухгалтерия. Частичный возврат не может превышать оплаченную сумму.

## Чего нельзя

Нельзя обещать возврат, называть суммы и сроки, спорить с учеником или отговаривать его давлением. Нельзя закрывать доступ к курсу до решения РОПиС.

## Зачем это всё

Аккуратная работа с просьбами о возврате помогла школе снизить долю возвратов примерно с 4 до 2 процентов. Каждый сохранённый ученик — это не только выручка, но и человек, который дойдёт до результата.`
