package bizcal

import (
	"sync/atomic"
	"time"
)

// The calendar keeps its open time as segments of Unix nanoseconds, grouped
// into chunks of 2^54 ns (about 208 days) so that the chunk of an instant is
// a shift away. Nanoseconds since 1970 up to 2200 fit in an int64 with room
// for any sum the queries make.
const (
	chunkShift = 54
	chunkSpan  = int64(1) << chunkShift
	maxSec     = 7258118400 // 2200-01-01T00:00:00Z
	maxNano    = maxSec * int64(time.Second)
	nChunks    = int((maxNano + chunkSpan - 1) >> chunkShift)
)

// Calendar answers business-time questions for one validated Spec. It is
// safe for concurrent use.
type Calendar struct {
	rules *compiled
	// plain is an always-open calendar without holidays: business time is
	// elapsed time, with no range limit.
	plain  bool
	chunks []atomic.Pointer[chunk]
}

// Segment is a stretch of open time, in UTC, start inclusive, end exclusive.
type Segment struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration is the business time the segment contributes.
func (s Segment) Duration() time.Duration { return s.End.Sub(s.Start) }

// New validates spec and returns its calendar. A bad spec yields a
// *ValidationError naming the first wrong field by its JSON path.
func New(spec Spec) (*Calendar, error) {
	rules, err := compile(spec)
	if err != nil {
		return nil, err
	}
	return &Calendar{
		rules:  rules,
		plain:  spec.AlwaysOpen && len(spec.Holidays) == 0,
		chunks: make([]atomic.Pointer[chunk], nChunks),
	}, nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.rules.loc }

// AddBusiness returns the earliest instant by which d of business time has
// elapsed after start, in start's location. If start is outside working
// hours, counting begins at the next opening; a deadline that falls exactly
// at a closing time is that closing time, not the next opening. A d of zero
// or less returns start unchanged, even outside working hours.
func (c *Calendar) AddBusiness(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if c.plain {
		return start.Add(d)
	}
	n := clampNano(start)
	if n >= maxNano || int64(d) >= maxNano {
		return never(start)
	}
	k := chunkOf(n)
	ch := c.chunk(k)
	target := ch.cumAt(n) + int64(d)
	for target > ch.total {
		target -= ch.total
		if k++; k >= nChunks {
			return never(start)
		}
		ch = c.chunk(k)
	}
	return time.Unix(0, ch.instantAt(target)).In(start.Location())
}

// BusinessBetween returns the business time in [a, b), or 0 if b is not
// after a.
func (c *Calendar) BusinessBetween(a, b time.Time) time.Duration {
	if c.plain {
		if !a.Before(b) {
			return 0
		}
		return b.Sub(a)
	}
	na, nb := clampNano(a), clampNano(b)
	if na >= nb {
		return 0
	}
	ka, kb := chunkOf(na), chunkOf(nb)
	first := c.chunk(ka)
	if ka == kb {
		return time.Duration(first.cumAt(nb) - first.cumAt(na))
	}
	sum := first.total - first.cumAt(na)
	for k := ka + 1; k < kb; k++ {
		sum += c.chunk(k).total
	}
	return time.Duration(sum + c.chunk(kb).cumAt(nb))
}

// Segments returns the open time inside [from, to) as UTC segments, in
// order; each is the part of an open interval that lies inside [from, to),
// and touching intervals are joined. Their durations add up to
// BusinessBetween(from, to).
func (c *Calendar) Segments(from, to time.Time) []Segment {
	if c.plain {
		if !from.Before(to) {
			return nil
		}
		return []Segment{{Start: from.UTC(), End: to.UTC()}}
	}
	nf, nt := clampNano(from), clampNano(to)
	if nf >= nt {
		return nil
	}
	var spans [][2]int64
	for k := chunkOf(nf); k < nChunks && int64(k)<<chunkShift < nt; k++ {
		ch := c.chunk(k)
		for i := ch.firstEndAfter(nf); i < len(ch.segs) && ch.segs[i].start < nt; i++ {
			s, e := max(ch.segs[i].start, nf), min(ch.segs[i].end, nt)
			if last := len(spans) - 1; last >= 0 && spans[last][1] == s {
				spans[last][1] = e
				continue
			}
			spans = append(spans, [2]int64{s, e})
		}
	}
	out := make([]Segment, len(spans))
	for i, sp := range spans {
		out[i] = Segment{Start: time.Unix(0, sp[0]).UTC(), End: time.Unix(0, sp[1]).UTC()}
	}
	return out
}

// NextOpen returns t if the calendar is open at t, otherwise the next
// opening after t, in t's location.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	if c.plain {
		return t
	}
	n := clampNano(t)
	for k := chunkOf(n); k < nChunks; k++ {
		ch := c.chunk(k)
		if i := ch.firstEndAfter(n); i < len(ch.segs) {
			s := ch.segs[i].start
			if s <= n && inRange(t) {
				return t
			}
			return time.Unix(0, max(s, n)).In(t.Location())
		}
	}
	return never(t)
}

// IsOpen reports whether t falls inside working hours.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c.plain {
		return true
	}
	if !inRange(t) {
		return false
	}
	n := t.UnixNano()
	ch := c.chunk(chunkOf(n))
	i := ch.firstEndAfter(n)
	return i < len(ch.segs) && ch.segs[i].start <= n
}

func inRange(t time.Time) bool {
	s := t.Unix()
	return s >= 0 && s < maxSec
}

// clampNano maps t into the calendar's range.
func clampNano(t time.Time) int64 {
	switch s := t.Unix(); {
	case s < 0:
		return 0
	case s >= maxSec:
		return maxNano
	}
	return t.UnixNano()
}

func chunkOf(n int64) int {
	return min(int(n>>chunkShift), nChunks-1)
}

// never is the answer for a deadline the calendar cannot meet before 2200.
func never(t time.Time) time.Time {
	end := time.Unix(maxSec, 0).UTC()
	if t.After(end) {
		return t
	}
	return end
}

// chunk returns the segments of chunk k, building them on first use. Two
// goroutines may build the same chunk at once; one result wins and both
// are identical.
func (c *Calendar) chunk(k int) *chunk {
	if ch := c.chunks[k].Load(); ch != nil {
		return ch
	}
	return c.buildChunk(k)
}

func (c *Calendar) buildChunk(k int) *chunk {
	ch := c.rules.chunk(k)
	if c.chunks[k].CompareAndSwap(nil, ch) {
		return ch
	}
	return c.chunks[k].Load()
}

// seg is open time [start, end) in Unix nanoseconds; cum is the open time
// in the chunk before start.
type seg struct{ start, end, cum int64 }

// chunk is the open time inside one chunk's range, sorted, disjoint and
// never touching; total is all of it.
type chunk struct {
	segs  []seg
	total int64
}

// cumAt is the open time in the chunk before n.
func (ch *chunk) cumAt(n int64) int64 {
	lo, hi := 0, len(ch.segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ch.segs[m].start <= n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	s := &ch.segs[lo-1]
	return s.cum + min(n, s.end) - s.start
}

// instantAt is the earliest instant by which target of the chunk's open
// time has passed; 0 < target <= total.
func (ch *chunk) instantAt(target int64) int64 {
	lo, hi := 0, len(ch.segs)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s := &ch.segs[m]; s.cum+s.end-s.start >= target {
			hi = m
		} else {
			lo = m + 1
		}
	}
	s := &ch.segs[lo]
	return s.start + target - s.cum
}

// firstEndAfter is the index of the first segment that ends after n.
func (ch *chunk) firstEndAfter(n int64) int {
	lo, hi := 0, len(ch.segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ch.segs[m].end <= n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
