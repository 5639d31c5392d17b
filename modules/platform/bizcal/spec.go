package bizcal

import (
	"fmt"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Spec describes a working calendar. It is meant to be stored and exchanged
// as JSON; New validates it.
type Spec struct {
	// TimeZone is the IANA name of the zone the wall-clock times are in.
	TimeZone string `json:"time_zone" minLength:"1" maxLength:"64" doc:"IANA time zone of the wall-clock times, e.g. Europe/Moscow"`
	// AlwaysOpen opens every date from 00:00 to 24:00; Weekly must be empty.
	AlwaysOpen bool `json:"always_open,omitempty" doc:"Open around the clock, except on holidays"`
	// Weekly holds the working intervals of each weekday.
	Weekly Weekly `json:"weekly,omitzero" doc:"Working intervals of each weekday"`
	// Holidays are local dates ("2006-01-02") on which no interval starts.
	Holidays []string `json:"holidays,omitempty" maxItems:"10000" doc:"Local dates (YYYY-MM-DD) on which no working interval starts"`
	// WorkingDays are dates that work on another weekday's hours or on hours
	// of their own, instead of their normal weekday's.
	WorkingDays []WorkingDay `json:"working_days,omitempty" maxItems:"10000" doc:"Transferred working days"`
}

// Weekly is the regular schedule, one list of intervals per weekday. A day
// may have several intervals; they must not overlap each other or an
// overnight interval spilling over from the day before.
type Weekly struct {
	Monday    []Interval `json:"monday,omitempty"`
	Tuesday   []Interval `json:"tuesday,omitempty"`
	Wednesday []Interval `json:"wednesday,omitempty"`
	Thursday  []Interval `json:"thursday,omitempty"`
	Friday    []Interval `json:"friday,omitempty"`
	Saturday  []Interval `json:"saturday,omitempty"`
	Sunday    []Interval `json:"sunday,omitempty"`
}

// Day returns the intervals of weekday wd.
func (w *Weekly) Day(wd time.Weekday) []Interval {
	switch wd {
	case time.Monday:
		return w.Monday
	case time.Tuesday:
		return w.Tuesday
	case time.Wednesday:
		return w.Wednesday
	case time.Thursday:
		return w.Thursday
	case time.Friday:
		return w.Friday
	case time.Saturday:
		return w.Saturday
	default:
		return w.Sunday
	}
}

// Interval is a local wall-clock working interval. An End before or equal
// to Start is an overnight interval ending on the next date; "24:00" is
// allowed as an End.
type Interval struct {
	Start string `json:"start" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"Local start time, HH:MM"`
	End   string `json:"end" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" doc:"Local end time, HH:MM or 24:00; at or before start means the next day"`
}

// WorkingDay is a transferred working day: Date works with the intervals
// of weekday Like ("monday" … "sunday"), or with its own Intervals. Exactly
// one of Like and Intervals is set.
type WorkingDay struct {
	Date      string     `json:"date" format:"date" doc:"Local date, YYYY-MM-DD"`
	Like      string     `json:"like,omitempty" enum:"monday,tuesday,wednesday,thursday,friday,saturday,sunday" doc:"Weekday whose hours this date works"`
	Intervals []Interval `json:"intervals,omitempty" doc:"Hours of this date, when not like a weekday"`
}

// ValidationError names the first field of a Spec that is wrong, by its
// JSON path (e.g. "weekly.monday[1].end", "working_days[0].like").
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Within turns the error into the service error that the HTTP layer answers
// with 422, with the field located under prefix (e.g. "body.calendar").
func (e *ValidationError) Within(prefix string) error {
	return errs.Invalid(prefix+"."+e.Field, e.Message)
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	dateLayout     = "2006-01-02"
	maxDates       = 10000
)

// weekdayNames in JSON spelling, indexed by time.Weekday.
var weekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// span is a validated interval in minutes from the start of its date; End
// is past 1440 for an overnight interval.
type span struct{ start, end int }

// compiled is a validated Spec in the form the calendar builds from.
type compiled struct {
	loc      *time.Location
	weekly   [7][]span      // by time.Weekday
	holidays map[int64]bool // by civil day number
	working  map[int64][]span
}

func compile(s Spec) (*compiled, error) {
	c := &compiled{holidays: map[int64]bool{}, working: map[int64][]span{}}
	var err error
	if c.loc, err = loadZone(s.TimeZone); err != nil {
		return nil, err
	}
	if err := c.compileWeekly(s); err != nil {
		return nil, err
	}
	if err := c.compileHolidays(s.Holidays); err != nil {
		return nil, err
	}
	if err := c.compileWorkingDays(s.WorkingDays); err != nil {
		return nil, err
	}
	return c, nil
}

func loadZone(name string) (*time.Location, error) {
	switch name {
	case "":
		return nil, invalid("time_zone", "is required")
	case "Local":
		// The host's zone is not a school's zone and differs between servers.
		return nil, invalid("time_zone", "must be an IANA zone name such as Europe/Moscow, not Local")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid("time_zone", "unknown time zone %q", name)
	}
	return loc, nil
}

func (c *compiled) compileWeekly(s Spec) error {
	total := 0
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		field := "weekly." + weekdayNames[wd]
		spans, err := parseIntervals(field, s.Weekly.Day(wd))
		if err != nil {
			return err
		}
		c.weekly[wd] = spans
		total += len(spans)
	}
	switch {
	case s.AlwaysOpen && total > 0:
		return invalid("weekly", "must be empty when always_open is true")
	case s.AlwaysOpen:
		for wd := range c.weekly {
			c.weekly[wd] = []span{{0, minutesPerDay}}
		}
		return nil
	case total == 0:
		return invalid("weekly", "has no working intervals; add some or set always_open")
	}
	return checkWeekOverlaps(c.weekly)
}

// checkWeekOverlaps rejects a week whose intervals overlap, including an
// overnight interval running into the next day's (Sunday's into Monday's).
func checkWeekOverlaps(week [7][]span) error {
	type placed struct {
		start, end int
		field      string
	}
	var all []placed
	for i := 0; i < 7; i++ {
		wd := time.Weekday((i + 1) % 7) // Monday first, so Sunday wraps into Monday
		for j, sp := range week[wd] {
			all = append(all, placed{i*minutesPerDay + sp.start, i*minutesPerDay + sp.end, fmt.Sprintf("weekly.%s[%d]", weekdayNames[wd], j)})
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].start < all[b].start })
	for i := 1; i < len(all); i++ {
		if all[i].start < all[i-1].end {
			return invalid(all[i].field, "overlaps %s", all[i-1].field)
		}
	}
	if last := all[len(all)-1]; last.end > minutesPerWeek && last.end-minutesPerWeek > all[0].start {
		return invalid(all[0].field, "overlaps %s", last.field)
	}
	return nil
}

// parseIntervals validates one day's intervals and checks that they do not
// overlap each other.
func parseIntervals(field string, in []Interval) ([]span, error) {
	out := make([]span, 0, len(in))
	for i, iv := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		start, err := parseClock(f+".start", iv.Start, false)
		if err != nil {
			return nil, err
		}
		end, err := parseClock(f+".end", iv.End, true)
		if err != nil {
			return nil, err
		}
		if end <= start {
			end += minutesPerDay
		}
		for j, prev := range out {
			if start < prev.end && prev.start < end {
				return nil, invalid(f, "overlaps %s[%d]", field, j)
			}
		}
		out = append(out, span{start, end})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].start < out[b].start })
	return out, nil
}

// parseClock reads "HH:MM" into minutes after midnight; "24:00" only as an end.
func parseClock(field, v string, isEnd bool) (int, error) {
	bad := func() (int, error) {
		if isEnd {
			return 0, invalid(field, "%q is not a time of day HH:MM between 00:00 and 24:00", v)
		}
		return 0, invalid(field, "%q is not a time of day HH:MM between 00:00 and 23:59", v)
	}
	if len(v) != 5 || v[2] != ':' {
		return bad()
	}
	digits := [4]byte{v[0], v[1], v[3], v[4]}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return bad()
		}
	}
	h := int(v[0]-'0')*10 + int(v[1]-'0')
	m := int(v[3]-'0')*10 + int(v[4]-'0')
	switch {
	case m > 59, h > 24, h == 24 && (m != 0 || !isEnd):
		return bad()
	}
	return h*60 + m, nil
}

// parseDate reads a local date into its civil day number (days since
// 1970-01-01), within the years the calendar covers.
func parseDate(field, v string) (int64, error) {
	d, err := time.Parse(dateLayout, v)
	if err != nil {
		return 0, invalid(field, "%q is not a date YYYY-MM-DD", v)
	}
	if y := d.Year(); y < 1970 || y > 2199 {
		return 0, invalid(field, "%q is outside the years 1970–2199", v)
	}
	return d.Unix() / 86400, nil
}

func (c *compiled) compileHolidays(dates []string) error {
	if len(dates) > maxDates {
		return invalid("holidays", "has %d dates; at most %d are allowed", len(dates), maxDates)
	}
	for i, v := range dates {
		f := fmt.Sprintf("holidays[%d]", i)
		day, err := parseDate(f, v)
		if err != nil {
			return err
		}
		if c.holidays[day] {
			return invalid(f, "%s is listed twice", v)
		}
		c.holidays[day] = true
	}
	return nil
}

func (c *compiled) compileWorkingDays(days []WorkingDay) error {
	if len(days) > maxDates {
		return invalid("working_days", "has %d dates; at most %d are allowed", len(days), maxDates)
	}
	for i, wdSpec := range days {
		f := fmt.Sprintf("working_days[%d]", i)
		day, err := parseDate(f+".date", wdSpec.Date)
		if err != nil {
			return err
		}
		if c.holidays[day] {
			return invalid(f+".date", "%s is also a holiday", wdSpec.Date)
		}
		if _, dup := c.working[day]; dup {
			return invalid(f+".date", "%s is listed twice", wdSpec.Date)
		}
		spans, err := c.workingSpans(f, wdSpec)
		if err != nil {
			return err
		}
		c.working[day] = spans
	}
	return nil
}

func (c *compiled) workingSpans(field string, w WorkingDay) ([]span, error) {
	switch {
	case w.Like != "" && len(w.Intervals) > 0:
		return nil, invalid(field, "set either like or intervals, not both")
	case w.Like != "":
		for wd, name := range weekdayNames {
			if w.Like != name {
				continue
			}
			if len(c.weekly[wd]) == 0 {
				return nil, invalid(field+".like", "%s has no working hours; list the date as a holiday instead", name)
			}
			return c.weekly[wd], nil
		}
		return nil, invalid(field+".like", "%q is not a weekday (monday … sunday)", w.Like)
	case len(w.Intervals) > 0:
		return parseIntervals(field+".intervals", w.Intervals)
	}
	return nil, invalid(field, "set like (a weekday) or intervals")
}
