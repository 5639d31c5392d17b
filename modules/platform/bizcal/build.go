package bizcal

import (
	"slices"
	"time"
)

// chunk turns the schedule into the open time of chunk k. It looks at the
// local dates from two days before the chunk to one day after it, because an
// overnight interval can reach a day ahead and the zone offset can shift a
// date by up to 14 hours either way; overlapping or touching intervals of
// neighbouring dates are joined so that no time is counted twice.
func (r *compiled) chunk(k int) *chunk {
	lo := int64(k) << chunkShift
	hi := min(lo+chunkSpan, maxNano)
	first := r.civilDay(lo) - 2
	last := r.civilDay(hi) + 1

	var raw []seg
	for day := first; day <= last; day++ {
		y, m, d := time.Unix(day*86400, 0).UTC().Date()
		for _, sp := range r.spansOn(day) {
			s := r.instant(y, m, d, sp.start) * int64(time.Second)
			e := r.instant(y, m, d, sp.end) * int64(time.Second)
			if e > s { // a spring-forward gap can swallow an interval
				raw = append(raw, seg{start: s, end: e})
			}
		}
	}
	slices.SortFunc(raw, func(a, b seg) int { return compareInt(a.start, b.start) })

	ch := &chunk{}
	for _, s := range raw {
		s.start, s.end = max(s.start, lo), min(s.end, hi)
		if s.end <= s.start {
			continue
		}
		if n := len(ch.segs); n > 0 && s.start <= ch.segs[n-1].end {
			last := &ch.segs[n-1]
			if s.end > last.end {
				ch.total += s.end - last.end
				last.end = s.end
			}
			continue
		}
		s.cum = ch.total
		ch.total += s.end - s.start
		ch.segs = append(ch.segs, s)
	}
	ch.segs = slices.Clip(ch.segs)
	return ch
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// civilDay is the number of the local date (days since 1970-01-01) at the
// instant n.
func (r *compiled) civilDay(n int64) int64 {
	y, m, d := time.Unix(0, n).In(r.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// spansOn is the schedule of a local date: none on a holiday, a transferred
// working day's own, or its weekday's.
func (r *compiled) spansOn(day int64) []span {
	if r.holidays[day] {
		return nil
	}
	if spans, ok := r.working[day]; ok {
		return spans
	}
	return r.weekly[weekdayOf(day)]
}

// weekdayOf a civil day number; 1970-01-01 was a Thursday.
func weekdayOf(day int64) time.Weekday {
	return time.Weekday(((day % 7) + 7 + int64(time.Thursday)) % 7)
}

// instant is the Unix second at which the wall clock of the local date
// y-m-d shows the given minute of the day (which may run past midnight into the next date).
// It is the first such instant when the clock shows that time twice
// (clocks falling back); when the clock skips it (springing forward), it is
// moved forward by the length of the gap, as time.Date does. Offsets are
// taken a day either side of the wall time, which assumes a zone changes its
// offset at most once within two days; where it does not, time.Date decides.
func (r *compiled) instant(y int, m time.Month, d, minute int) int64 {
	wall := time.Date(y, m, d, 0, minute, 0, 0, time.UTC).Unix() // the wall time read as if UTC
	before := r.offset(wall - 86400)
	after := r.offset(wall + 86400)
	found, best := false, int64(0)
	for _, off := range [2]int64{before, after} {
		if at := wall - off; r.offset(at) == off && (!found || at < best) {
			found, best = true, at
		}
	}
	switch {
	case found:
		return best
	case before < after: // the gap of a spring-forward change
		return wall - before
	}
	return time.Date(y, m, d, 0, minute, 0, 0, r.loc).Unix()
}

// offset is the zone's UTC offset in seconds at Unix second sec.
func (r *compiled) offset(sec int64) int64 {
	_, off := time.Unix(sec, 0).In(r.loc).Zone()
	return int64(off)
}
