package kb

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// ReadingItem is one required article for one person: what to read, by
// when, and whether it is done.
type ReadingItem struct {
	Article *Article
	// Revision is the current published revision: what to read now.
	Revision *Revision
	// AckRevision is the major revision an acknowledgment counts for.
	AckRevision    *Revision
	Status         string
	DueAt          time.Time
	Acknowledgment *Acknowledgment
}

// ackKey names one person's acknowledgment of one required revision.
type ackKey struct{ user, revision string }

// readingBook is what working out who owes which reading needs: the
// school's required articles, their revisions and the acknowledgments of
// the revisions currently required.
type readingBook struct {
	articles []Article
	revs     map[string]*Revision
	acks     map[ackKey]*Acknowledgment
}

// loadBook reads the book of a school, with the acknowledgments of one
// person only when userID is set.
func (s *Service) loadBook(ctx context.Context, db bun.IDB, orgID, userID string) (*readingBook, error) {
	arts, err := s.store.RequiredArticles(ctx, db, orgID)
	if err != nil {
		return nil, err
	}
	var revIDs, ackIDs []string
	for _, a := range arts {
		revIDs = append(revIDs, a.CurrentRevisionID, a.AckRevisionID)
		ackIDs = append(ackIDs, a.AckRevisionID)
	}
	revs, err := s.store.RevisionsByID(ctx, db, orgID, revIDs)
	if err != nil {
		return nil, err
	}
	acks, err := s.store.AcknowledgmentsOf(ctx, db, orgID, ackIDs, userID)
	if err != nil {
		return nil, err
	}
	b := &readingBook{articles: arts, revs: revs, acks: map[ackKey]*Acknowledgment{}}
	for i := range acks {
		b.acks[ackKey{acks[i].UserID, acks[i].AckRevisionID}] = &acks[i]
	}
	return b, nil
}

// item works out one person's reading of one article, or nil when the
// article is not required for them.
func (b *readingBook) item(a *Article, p *Person, now time.Time) *ReadingItem {
	ackRev, cur := b.revs[a.AckRevisionID], b.revs[a.CurrentRevisionID]
	if !a.requiredFor(p.Roles) || ackRev == nil || cur == nil {
		return nil
	}
	it := &ReadingItem{Article: a, Revision: cur, AckRevision: ackRev, DueAt: dueAt(a, ackRev, p),
		Acknowledgment: b.acks[ackKey{p.UserID, ackRev.ID}]}
	switch {
	case it.Acknowledgment != nil:
		it.Status = ReadingDone
	case now.After(it.DueAt):
		it.Status = ReadingOverdue
	default:
		it.Status = ReadingPending
	}
	return it
}

// items is a person's whole required reading.
func (b *readingBook) items(p *Person, now time.Time) []ReadingItem {
	var out []ReadingItem
	for i := range b.articles {
		if it := b.item(&b.articles[i], p, now); it != nil {
			out = append(out, *it)
		}
	}
	return out
}

// dueAt is when a person must have acknowledged the required revision.
// From publication: that many days after the revision was published, or
// after the person joined if they joined later. From joining: that many
// days after the person joined, even if the revision came out later.
func dueAt(a *Article, ackRev *Revision, p *Person) time.Time {
	period := time.Duration(a.DueDays) * 24 * time.Hour
	if a.DueFrom == DueFromJoining {
		return p.JoinedAt.Add(period)
	}
	start := p.JoinedAt
	if ackRev.PublishedAt != nil && ackRev.PublishedAt.After(start) {
		start = *ackRev.PublishedAt
	}
	return start.Add(period)
}

// cursorTime formats a time so that its text sorts like the time.
func cursorTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// pageOf sorts items by key and keeps up to limit+1 of those after the
// cursor key: computed lists page like stored ones.
func pageOf[T any](items []T, key func(T) string, after string, limit int) []T {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	out := make([]T, 0, min(len(items), limit+1))
	for _, it := range items {
		if after != "" && key(it) <= after {
			continue
		}
		if len(out) == limit+1 {
			break
		}
		out = append(out, it)
	}
	return out
}

// ReadingItemKey orders a person's reading by due date.
func ReadingItemKey(it ReadingItem) string { return cursorTime(it.DueAt) + "/" + it.Article.ID }

func filterStatus(items []ReadingItem, status string) []ReadingItem {
	if status == "" {
		return items
	}
	var out []ReadingItem
	for _, it := range items {
		if it.Status == status {
			out = append(out, it)
		}
	}
	return out
}

// ReadingFilter narrows a computed reading list.
type ReadingFilter struct {
	Status string
	Role   string
	Limit  int
	After  string
}

// MyReading is the viewer's own required reading, by due date.
func (s *Service) MyReading(ctx context.Context, v Viewer, orgID string, f ReadingFilter) ([]ReadingItem, error) {
	return s.PersonReading(ctx, orgID, v.UserID, f)
}

// PersonReading is one member's required reading, by due date.
func (s *Service) PersonReading(ctx context.Context, orgID, userID string, f ReadingFilter) ([]ReadingItem, error) {
	p, err := s.people.ActivePerson(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	b, err := s.loadBook(ctx, s.DB, orgID, userID)
	if err != nil {
		return nil, err
	}
	items := filterStatus(b.items(p, s.Now()), f.Status)
	return pageOf(items, ReadingItemKey, f.After, f.Limit), nil
}

// Tally counts a group's reading by status.
type Tally struct {
	Required, Done, Pending, Overdue int
}

func (t *Tally) add(status string) {
	t.Required++
	switch status {
	case ReadingDone:
		t.Done++
	case ReadingPending:
		t.Pending++
	case ReadingOverdue:
		t.Overdue++
	}
}

// ArticleTally is how the people an article is required for stand.
type ArticleTally struct {
	Article     *Article
	AckRevision *Revision
	Tally
}

// ArticleTallyKey orders article tallies by article.
func ArticleTallyKey(t ArticleTally) string { return t.Article.ID }

// ReadingByArticle counts, for each required article, how many people
// have acknowledged it and how many are pending or overdue.
func (s *Service) ReadingByArticle(ctx context.Context, orgID string, f ReadingFilter) ([]ArticleTally, error) {
	people, b, err := s.everyone(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []ArticleTally
	for i := range b.articles {
		a := &b.articles[i]
		t := ArticleTally{Article: a, AckRevision: b.revs[a.AckRevisionID]}
		for j := range people {
			if it := b.item(a, &people[j], now); it != nil {
				t.add(it.Status)
			}
		}
		out = append(out, t)
	}
	return pageOf(out, ArticleTallyKey, f.After, f.Limit), nil
}

// PersonStatus is where one person stands with one article.
type PersonStatus struct {
	Person Person
	Item   ReadingItem
}

// PersonStatusKey orders people by name.
func PersonStatusKey(p PersonStatus) string { return personKey(&p.Person) }

func personKey(p *Person) string { return strings.ToLower(p.Name) + "/" + p.UserID }

// ArticleReading lists the people an article is required for, each with
// their status; f.Status keeps one status (e.g. who has not acknowledged).
func (s *Service) ArticleReading(ctx context.Context, orgID, articleID string, f ReadingFilter) ([]PersonStatus, error) {
	if _, err := s.store.Article(ctx, s.DB, orgID, articleID); err != nil {
		return nil, err
	}
	people, b, err := s.everyone(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []PersonStatus
	for i := range b.articles {
		a := &b.articles[i]
		if a.ID != articleID {
			continue
		}
		for j := range people {
			if it := b.item(a, &people[j], now); it != nil && (f.Status == "" || it.Status == f.Status) {
				out = append(out, PersonStatus{Person: people[j], Item: *it})
			}
		}
	}
	return pageOf(out, PersonStatusKey, f.After, f.Limit), nil
}

// PersonTally is how one person stands with all their required reading.
type PersonTally struct {
	Person Person
	Tally
}

// PersonTallyKey orders people by name.
func PersonTallyKey(p PersonTally) string { return personKey(&p.Person) }

// ReadingByPerson counts, for each person with required reading, what is
// done, pending and overdue; f.Status keeps people with at least one item
// in that status, f.Role people holding that role.
func (s *Service) ReadingByPerson(ctx context.Context, orgID string, f ReadingFilter) ([]PersonTally, error) {
	people, b, err := s.everyone(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []PersonTally
	for i := range people {
		p := &people[i]
		if f.Role != "" && !List(p.Roles).has(f.Role) {
			continue
		}
		t := PersonTally{Person: *p}
		for _, it := range b.items(p, now) {
			t.add(it.Status)
		}
		keep := t.Required > 0
		switch f.Status {
		case ReadingDone:
			keep = t.Done > 0
		case ReadingPending:
			keep = t.Pending > 0
		case ReadingOverdue:
			keep = t.Overdue > 0
		}
		if keep {
			out = append(out, t)
		}
	}
	return pageOf(out, PersonTallyKey, f.After, f.Limit), nil
}

func (s *Service) everyone(ctx context.Context, orgID string) ([]Person, *readingBook, error) {
	people, err := s.people.ActivePeople(ctx, orgID, "")
	if err != nil {
		return nil, nil, err
	}
	b, err := s.loadBook(ctx, s.DB, orgID, "")
	return people, b, err
}
