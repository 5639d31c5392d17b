package pay

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// corrections recalculates each locked month of the last three before p
// on today's facts, with the assignments and versions it had, and compares
// every line with what was booked for it: its locked amount plus the
// corrections of it already booked in later locked periods. A difference
// (a review overturned after the lock, a refund after payout) becomes a
// correction line of p, named after the month and line it corrects. A
// locked month itself never changes.
func (s *Service) corrections(ctx context.Context, orgID string, p *Period, loc *time.Location, as []Assignment, versions map[string]*SchemeVersion) ([]draft, error) {
	first, _, _ := monthBounds(p.Month, loc)
	var out []draft
	for back := correctionMonths; back >= 1; back-- {
		name := first.AddDate(0, -back, 0).Format("2006-01")
		locked, err := s.periodByMonth(ctx, orgID, name)
		if err != nil {
			return nil, err
		}
		if locked == nil || !locked.Locked() {
			continue
		}
		m, err := readMonth(ctx, s.facts, orgID, name, loc, as, versions)
		if err != nil {
			return nil, err
		}
		now, err := calculate(ctx, m)
		if err != nil {
			return nil, err
		}
		booked, err := s.store.Booked(ctx, s.DB, orgID, locked, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, correctionLines(name, now, booked)...)
	}
	return out, nil
}

// correctionLines are the differences between a month recalculated and
// what was booked for it, per person and line.
func correctionLines(month string, now []draft, booked map[string]map[string]bookedLine) []draft {
	recalculated := map[string]map[string]draftLine{}
	users := map[string]bool{}
	for _, d := range now {
		users[d.UserID] = true
		recalculated[d.UserID] = map[string]draftLine{}
		for _, l := range d.Lines {
			recalculated[d.UserID][l.Key] = l
		}
	}
	for u := range booked {
		users[u] = true
	}
	var out []draft
	for _, u := range sortedKeys(users) {
		keys := map[string]bool{}
		for k := range recalculated[u] {
			keys[k] = true
		}
		for k := range booked[u] {
			keys[k] = true
		}
		d := draft{UserID: u}
		for _, k := range sortedKeys(keys) {
			l, had := recalculated[u][k], booked[u][k]
			diff := l.Amount - had.Amount
			if diff == 0 {
				continue
			}
			title := l.Title
			if title == "" {
				title = had.Title
			}
			m := month
			d.Lines = append(d.Lines, draftLine{
				Line: Line{Component: "correction", Kind: "correction", Title: fmt.Sprintf("Correction of %s: %s", month, title),
					Exact: ratInt(diff), Amount: diff, Rounding: "0", Share: "1",
					Detail: fmt.Sprintf("recalculated %d − booked %d", l.Amount, had.Amount)},
				Key: "correction:" + month + ":" + k, CorrectionOf: &m, Sources: l.Sources,
			})
			d.Total += diff
		}
		if len(d.Lines) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// bookedLine is what was paid for a line of a locked month, corrections
// included.
type bookedLine struct {
	Title  string
	Amount int64
}

// mergeCorrections adds the correction lines to the statements of the
// month, making a statement for a person who has corrections only.
func mergeCorrections(drafts, fixes []draft) []draft {
	at := map[string]int{}
	for i, d := range drafts {
		at[d.UserID] = i
	}
	for _, f := range fixes {
		i, ok := at[f.UserID]
		if !ok {
			drafts = append(drafts, draft{UserID: f.UserID})
			i = len(drafts) - 1
			at[f.UserID] = i
		}
		drafts[i].Lines = append(drafts[i].Lines, f.Lines...)
		drafts[i].Total += f.Total
	}
	sort.SliceStable(drafts, func(i, j int) bool { return drafts[i].UserID < drafts[j].UserID })
	return drafts
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
