// Package bizcal computes deadlines in business time: "24 business hours
// after this submission", "2 business hours to answer this message", on a
// school's own working calendar.
//
// # Model
//
// A calendar is a local wall-clock schedule in one IANA time zone. Each local
// date is open during a set of intervals given as "HH:MM" start and end
// times; the calendar is open at an instant if that instant falls inside one
// of those intervals (start inclusive, end exclusive). Business time between
// two instants is the real elapsed time (time.Duration) during which the
// calendar was open: a wall-clock interval that spans a daylight-saving
// change counts the hours that actually passed, not the hours the clock
// face suggests.
//
// Which intervals a local date has:
//
//   - A holiday (Spec.Holidays) has none. A holiday closes the intervals
//     that start on that date; an overnight interval that started the day
//     before runs on into the holiday morning until its normal end.
//   - A transferred working day (Spec.WorkingDays) has the intervals of the
//     weekday it works like, or its own explicit intervals, instead of its
//     normal weekday's. A date cannot be both a holiday and a working day.
//   - Any other date has the intervals of its weekday (Spec.Weekly).
//
// An interval whose end is before or equal to its start is overnight: it
// starts on its date and ends on the next date ("22:00"–"02:00" on a Friday
// ends at 02:00 on Saturday; "09:00"–"09:00" lasts 24 hours). "24:00" is
// allowed as an end and means the next midnight. Intervals belong to the
// date they start on, so a Friday overnight interval is governed by whether
// Friday is a holiday or a working day, not Saturday. When the intervals of
// neighbouring dates overlap or touch (a transferred working day after an
// overnight interval, say), the calendar is open during their union and
// nothing is counted twice.
//
// AlwaysOpen makes every date open from 00:00 to 24:00; holidays still close
// their dates. Without holidays such a calendar is plain elapsed time.
//
// # Daylight saving
//
// An interval boundary is the first instant at which the local clock shows
// that wall time. On the day clocks fall back, a boundary inside the
// repeated hour therefore uses the first (summer-time) occurrence, and
// "01:00"–"04:00" lasts 4 real hours. On the day clocks spring forward, a
// wall time inside the skipped hour does not exist; it is moved forward by
// the length of the gap, as time.Date does ("02:30" in Europe/Berlin on
// 2026-03-29 is 03:30 CEST), and "01:00"–"04:00" lasts 2 real hours. An
// interval that the gap swallows entirely is empty that day.
//
// # Range and precision
//
// Results are exact to the nanosecond. The calendar is defined from
// 1970-01-01 to 2200-01-01 UTC and is closed outside that range; a deadline
// that cannot be met before 2200 is reported as 2200-01-01 UTC (an
// always-open calendar without holidays has no such limit). AddBusiness and
// NextOpen answer in the location of the time they were given; Segments
// answers in UTC.
//
// # Performance
//
// A Calendar converts its schedule into sorted UTC segments with running
// totals, lazily, about 208 days at a time, and keeps them. AddBusiness and
// BusinessBetween are then two binary searches and do not allocate. A
// Calendar is safe for concurrent use; build one per schedule and share it.
package bizcal
