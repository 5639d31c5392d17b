package hiring

import (
	"context"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// defaultStages is the pipeline a school starts with; the keys of the eight
// are fixed, their titles and order may change, and steps may be added.
var defaultStages = []struct{ key, title, kind string }{
	{"applied", "Отклик", KindApplied},
	{"screening", "Скрининг", KindStep},
	{"test_task", "Тестовое задание", KindTestTask},
	{"interview", "Собеседование", KindInterview},
	{"offer", "Оффер", KindOffer},
	{"hired", "Нанят", KindHired},
	{"rejected", "Отказ", KindRejected},
	{"reserve", "Кадровый резерв", KindReserve},
}

// defaultReasons is the rejection catalog a school starts with.
var defaultReasons = []struct{ code, title string }{
	{"test_task_below_bar", "Тестовое ниже порога"},
	{"communication", "Коммуникация не подходит"},
	{"no_show", "Не пришёл на собеседование"},
	{"pay_expectations", "Ожидания по оплате"},
	{"availability", "Не подходит график"},
	{"declined_offer", "Кандидат отказался"},
	{"no_response", "Перестал отвечать"},
}

// ensureCatalogs gives a school the default stages and rejection reasons
// the first time it needs them; concurrent first uses insert once.
func (s *Service) ensureCatalogs(ctx context.Context, tx bun.IDB, orgID string) ([]Stage, error) {
	stages, err := s.store.Stages(ctx, tx, orgID)
	if err != nil || len(stages) > 0 {
		return stages, err
	}
	now := s.Now()
	rows := make([]Stage, len(defaultStages))
	for i, d := range defaultStages {
		rows[i] = Stage{ID: ids.New(), OrgID: orgID, Key: d.key, Title: d.title, Kind: d.kind, Position: (i + 1) * 10, Active: true,
			CreatedAt: now, UpdatedAt: now, Version: 1}
	}
	if err := s.store.InsertStages(ctx, tx, rows); err != nil {
		return nil, err
	}
	reasons := make([]RejectionReason, len(defaultReasons))
	for i, d := range defaultReasons {
		reasons[i] = RejectionReason{ID: ids.New(), OrgID: orgID, Code: d.code, Title: d.title, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	}
	if err := s.store.InsertReasons(ctx, tx, reasons); err != nil {
		return nil, err
	}
	return s.store.Stages(ctx, tx, orgID)
}

// Stages returns the school's pipeline in board order.
func (s *Service) Stages(ctx context.Context, orgID string) ([]Stage, error) {
	var out []Stage
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.ensureCatalogs(ctx, tx, orgID)
		return err
	})
	return out, err
}

// StageInput adds a step to the pipeline.
type StageInput struct {
	Key      string `json:"key" validate:"required,min=2,max=40,singleline"`
	Title    string `json:"title" validate:"required,min=1,max=120,singleline"`
	Position int    `json:"position" validate:"min=0,max=10000"`
}

// AddStage adds a custom step (kind step) to the school's pipeline.
func (s *Service) AddStage(ctx context.Context, orgID string, in StageInput) (*Stage, error) {
	if err := checkKey(in.Key, "body.key"); err != nil {
		return nil, err
	}
	st := &Stage{ID: ids.New(), OrgID: orgID, Key: in.Key, Title: in.Title, Kind: KindStep, Position: in.Position, Active: true,
		CreatedAt: s.Now(), UpdatedAt: s.Now(), Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.ensureCatalogs(ctx, tx, orgID); err != nil {
			return err
		}
		if err := s.store.InsertStage(ctx, tx, st); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("a stage with key %q exists", in.Key)
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "hiring_stage", st.ID, auditlog.Diff(nil, st))
	})
	return st, err
}

// StagePatch changes a stage's title, position or whether new moves may
// enter it. The eight built-in stages stay active.
type StagePatch struct {
	Title    *string
	Position *int
	Active   *bool
}

// ChangeStage edits a stage at version.
func (s *Service) ChangeStage(ctx context.Context, orgID, id string, version int64, p StagePatch) (*Stage, error) {
	var out *Stage
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Stage, *Stage]{
			What: "the stage",
			Load: func() (*Stage, error) { return s.store.Stage(ctx, tx, orgID, id) },
			Change: func(st *Stage) error {
				database.SetIf(&st.Title, p.Title)
				database.SetIf(&st.Position, p.Position)
				database.SetIf(&st.Active, p.Active)
				if !st.Active && st.Kind != KindStep {
					return errs.Invalid("body.active", "a built-in stage stays active")
				}
				return nil
			},
			Write: func(st *Stage, was int64) (bool, error) { return s.store.UpdateStage(ctx, tx, st, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "hiring_stage", id, auditlog.Diff(before, after))
	})
	return out, err
}

// Reasons returns the school's rejection catalog.
func (s *Service) Reasons(ctx context.Context, orgID string) ([]RejectionReason, error) {
	var out []RejectionReason
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.ensureCatalogs(ctx, tx, orgID); err != nil {
			return err
		}
		var err error
		out, err = s.store.Reasons(ctx, tx, orgID)
		return err
	})
	return out, err
}

// AddReason adds a rejection reason to the catalog.
func (s *Service) AddReason(ctx context.Context, orgID, code, title string) (*RejectionReason, error) {
	if err := checkKey(code, "body.code"); err != nil {
		return nil, err
	}
	r := &RejectionReason{ID: ids.New(), OrgID: orgID, Code: code, Title: title, Active: true, CreatedAt: s.Now(), UpdatedAt: s.Now(), Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.ensureCatalogs(ctx, tx, orgID); err != nil {
			return err
		}
		if err := s.store.InsertReason(ctx, tx, r); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("a rejection reason with code %q exists", code)
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "hiring_rejection_reason", r.ID, auditlog.Diff(nil, r))
	})
	return r, err
}

// ChangeReason renames a reason or retires it (a retired reason stays on
// the moves that cite it and is refused for new ones).
func (s *Service) ChangeReason(ctx context.Context, orgID, id string, version int64, title *string, active *bool) (*RejectionReason, error) {
	var out *RejectionReason
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[RejectionReason, *RejectionReason]{
			What: "the rejection reason",
			Load: func() (*RejectionReason, error) { return s.store.Reason(ctx, tx, orgID, id) },
			Change: func(r *RejectionReason) error {
				database.SetIf(&r.Title, title)
				database.SetIf(&r.Active, active)
				return nil
			},
			Write: func(r *RejectionReason, was int64) (bool, error) { return s.store.UpdateReason(ctx, tx, r, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "hiring_rejection_reason", id, auditlog.Diff(before, after))
	})
	return out, err
}

// Apply puts a candidate into a vacancy's pipeline at its first stage. A
// candidate from the reserve keeps every earlier application and move: the
// new application is one more line of their history, with source reserve.
func (s *Service) Apply(ctx context.Context, orgID, candidateID, vacancyID, note string) (*Application, error) {
	var out *Application
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		stages, err := s.ensureCatalogs(ctx, tx, orgID)
		if err != nil {
			return err
		}
		c, err := s.store.LockCandidate(ctx, tx, orgID, candidateID)
		if err != nil {
			return errs.Invalid("body.candidate_id", "no such candidate in this school")
		}
		if c.ErasedAt != nil {
			return errs.Conflict("the candidate's data was erased")
		}
		v, err := s.store.Vacancy(ctx, tx, orgID, vacancyID)
		if err != nil {
			return errs.Invalid("body.vacancy_id", "no such vacancy in this school")
		}
		if v.Status != VacancyOpen {
			return errs.Conflict("the vacancy is %s; only an open vacancy takes candidates", v.Status)
		}
		first := stageOfKind(stages, KindApplied)
		now := s.Now()
		source := c.Source
		if c.InReserve {
			source = SourceReserve
		}
		a := &Application{ID: ids.New(), OrgID: orgID, CandidateID: c.ID, VacancyID: v.ID, Source: source, StageID: first.ID,
			StageEnteredAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.InsertApplication(ctx, tx, a); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("the candidate already applied to this vacancy")
			}
			return err
		}
		if err := s.store.InsertMove(ctx, tx, &StageMove{ID: ids.New(), OrgID: orgID, ApplicationID: a.ID, CandidateID: c.ID,
			VacancyID: v.ID, ToStageID: first.ID, Note: note, ActorID: actorID(ctx), MovedAt: now}); err != nil {
			return err
		}
		if c.InReserve {
			if err := s.leaveReserve(ctx, tx, c); err != nil {
				return err
			}
		}
		out = a
		return s.Record(ctx, tx, orgID, "hiring_application", a.ID, auditlog.Diff(nil, a))
	})
	return out, err
}

// MoveInput moves an application to another stage.
type MoveInput struct {
	StageID  string
	ReasonID *string
	Note     string
}

// Move moves an application to another stage at version: one new history
// entry, never an edit. A rejection cites an active reason of the catalog.
// The hired stage is reached only by an accepted offer.
func (s *Service) Move(ctx context.Context, orgID, applicationID string, version int64, in MoveInput) (*Application, error) {
	var out *Application
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		stages, err := s.ensureCatalogs(ctx, tx, orgID)
		if err != nil {
			return err
		}
		a, err := s.store.LockApplication(ctx, tx, orgID, applicationID)
		if err != nil {
			return err
		}
		if a.Version != version {
			return errs.Stale("the application", a.Version)
		}
		to := stageByID(stages, in.StageID)
		if to == nil {
			return errs.Invalid("body.stage_id", "no such stage in this school")
		}
		if !to.Active {
			return errs.Invalid("body.stage_id", "the stage is retired")
		}
		if to.Kind == KindHired {
			return errs.Conflict("a candidate is hired by accepting an offer")
		}
		if to.ID == a.StageID {
			return errs.Conflict("the application is already at this stage")
		}
		if from := stageByID(stages, a.StageID); from != nil && from.Kind == KindHired {
			return errs.Conflict("the candidate was hired; the application is closed")
		}
		if err := s.checkReason(ctx, tx, orgID, to, in.ReasonID); err != nil {
			return err
		}
		out, err = s.moveTo(ctx, tx, a, to, in.ReasonID, in.Note, actorID(ctx))
		return err
	})
	return out, err
}

func (s *Service) checkReason(ctx context.Context, tx bun.IDB, orgID string, to *Stage, reasonID *string) error {
	if to.Kind != KindRejected {
		if reasonID != nil {
			return errs.Invalid("body.reason_id", "a reason is given only for a rejection")
		}
		return nil
	}
	if reasonID == nil {
		return errs.Invalid("body.reason_id", "a rejection needs a reason from the catalog")
	}
	r, err := s.store.Reason(ctx, tx, orgID, *reasonID)
	if err != nil || !r.Active {
		return errs.Invalid("body.reason_id", "no such active rejection reason in this school")
	}
	return nil
}

// moveTo writes the move of a (locked) application to stage to, its
// history entry and audit entry; a move into the reserve puts the
// candidate in the reserve.
func (s *Service) moveTo(ctx context.Context, tx bun.IDB, a *Application, to *Stage, reasonID *string, note, actor string) (*Application, error) {
	now := s.Now()
	from := a.StageID
	after := *a
	after.StageID, after.StageEnteredAt = to.ID, now
	after.Bump(now)
	ok, err := s.store.UpdateApplication(ctx, tx, &after, a.Version)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.Stale("the application", a.Version+1)
	}
	if err := s.store.InsertMove(ctx, tx, &StageMove{ID: ids.New(), OrgID: a.OrgID, ApplicationID: a.ID, CandidateID: a.CandidateID,
		VacancyID: a.VacancyID, FromStageID: &from, ToStageID: to.ID, ReasonID: reasonID, Note: note, ActorID: actor, MovedAt: now}); err != nil {
		return nil, err
	}
	if to.Kind == KindReserve {
		if err := s.enterReserve(ctx, tx, a.OrgID, a.CandidateID); err != nil {
			return nil, err
		}
	}
	return &after, s.Record(ctx, tx, a.OrgID, "hiring_application", a.ID, map[string]auditlog.Change{
		"stage_id": {Before: from, After: to.ID}, "reason_id": {After: reasonID}})
}

// Application returns one application.
func (s *Service) Application(ctx context.Context, orgID, id string) (*Application, error) {
	return s.store.Application(ctx, s.DB, orgID, id)
}

// Applications lists applications, filtered by vacancy, candidate, stage and source.
func (s *Service) Applications(ctx context.Context, orgID string, f ApplicationFilter) ([]Application, error) {
	return s.store.ListApplications(ctx, s.DB, orgID, f)
}

// History returns the stage history of one application, oldest first.
func (s *Service) History(ctx context.Context, orgID, applicationID string) ([]StageMove, error) {
	if _, err := s.store.Application(ctx, s.DB, orgID, applicationID); err != nil {
		return nil, err
	}
	return s.store.Moves(ctx, s.DB, orgID, "", applicationID)
}

// BoardCard is one application on the board.
type BoardCard struct {
	Application Application
	Candidate   Candidate
	// InStage is how long the application has been at its stage.
	InStage time.Duration
}

// BoardColumn is one stage of the board.
type BoardColumn struct {
	Stage Stage
	Count int
	Cards []BoardCard
}

// Board returns a vacancy's pipeline: every active stage (and every retired
// one that still holds applications) with its count and cards, the longest
// waiting first. Source and stage filters narrow the cards and counts.
func (s *Service) Board(ctx context.Context, orgID, vacancyID, source, stageID string) ([]BoardColumn, error) {
	if _, err := s.store.Vacancy(ctx, s.DB, orgID, vacancyID); err != nil {
		return nil, err
	}
	stages, err := s.Stages(ctx, orgID)
	if err != nil {
		return nil, err
	}
	apps, err := s.store.AllApplications(ctx, s.DB, orgID, vacancyID)
	if err != nil {
		return nil, err
	}
	candidateIDs := make([]string, 0, len(apps))
	for _, a := range apps {
		candidateIDs = append(candidateIDs, a.CandidateID)
	}
	candidates, err := s.store.CandidatesByID(ctx, s.DB, orgID, candidateIDs)
	if err != nil {
		return nil, err
	}
	byID := map[string]Candidate{}
	for _, c := range candidates {
		byID[c.ID] = c
	}
	now := s.Now()
	cards := map[string][]BoardCard{}
	for _, a := range apps {
		if (source != "" && a.Source != source) || (stageID != "" && a.StageID != stageID) {
			continue
		}
		cards[a.StageID] = append(cards[a.StageID], BoardCard{Application: a, Candidate: byID[a.CandidateID], InStage: now.Sub(a.StageEnteredAt)})
	}
	var out []BoardColumn
	for _, st := range stages {
		col := cards[st.ID]
		if (stageID != "" && st.ID != stageID) || (!st.Active && len(col) == 0) {
			continue
		}
		sort.SliceStable(col, func(i, j int) bool {
			ai, aj := col[i].Application, col[j].Application
			if !ai.StageEnteredAt.Equal(aj.StageEnteredAt) {
				return ai.StageEnteredAt.Before(aj.StageEnteredAt)
			}
			return ai.ID < aj.ID
		})
		if col == nil {
			col = []BoardCard{}
		}
		out = append(out, BoardColumn{Stage: st, Count: len(col), Cards: col})
	}
	return out, nil
}

func stageOfKind(stages []Stage, kind string) *Stage {
	for i := range stages {
		if stages[i].Kind == kind {
			return &stages[i]
		}
	}
	return nil
}

func stageByID(stages []Stage, id string) *Stage {
	for i := range stages {
		if stages[i].ID == id {
			return &stages[i]
		}
	}
	return nil
}

// checkKey accepts lowercase keys such as "trial_day".
func checkKey(key, location string) error {
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return errs.Invalid(location, "use lowercase latin letters, digits and _")
		}
	}
	return nil
}

// actorID is the caller of a request; "" for a candidate acting through
// their link, or the system.
func actorID(ctx context.Context) string { return reqctx.From(ctx).Principal.ActorID() }

// Labels are the display names the listings put beside ids.
type Labels struct {
	Stages     map[string]Stage
	Vacancies  map[string]string
	Candidates map[string]string
	Reasons    map[string]string
}

// LabelsFor names the stages, reasons, and the vacancies and candidates of
// the given ids.
func (s *Service) LabelsFor(ctx context.Context, orgID string, vacancyIDs, candidateIDs []string) (*Labels, error) {
	out := &Labels{Stages: map[string]Stage{}, Vacancies: map[string]string{}, Candidates: map[string]string{}, Reasons: map[string]string{}}
	stages, err := s.Stages(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, st := range stages {
		out.Stages[st.ID] = st
	}
	reasons, err := s.store.Reasons(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	for _, r := range reasons {
		out.Reasons[r.ID] = r.Title
	}
	vacancies, err := s.store.VacanciesByID(ctx, s.DB, orgID, vacancyIDs)
	if err != nil {
		return nil, err
	}
	for _, v := range vacancies {
		out.Vacancies[v.ID] = v.Title
	}
	candidates, err := s.store.CandidatesByID(ctx, s.DB, orgID, candidateIDs)
	if err != nil {
		return nil, err
	}
	for _, c := range candidates {
		out.Candidates[c.ID] = c.FullName
	}
	return out, nil
}
