package bizcal

// Russia2026Holidays returns the non-working days of the 2026 Russian
// production calendar, as local dates.
//
// They are the public holidays of article 112 of the Labour Code, the days
// off it moves from holidays falling on a weekend (8 March is a Sunday, so
// 9 March is off; 9 May is a Saturday, so 11 May is off), and the two days
// moved by the government decree of 24 September 2025 (Saturday 3 January to
// Friday 9 January, Sunday 4 January to Thursday 31 December).
//
// The weekend dates 3 and 4 January, 8 March and 9 May are listed too: they
// are holidays, which matters to a school that works on Saturdays. Ordinary
// weekends are not listed, since the weekly schedule already closes them.
// The production calendar's shortened pre-holiday days (one hour less) are
// not modelled.
func Russia2026Holidays() []string {
	return []string{
		"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04",
		"2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08",
		"2026-01-09", // moved from Saturday 3 January by the decree
		"2026-02-23",
		"2026-03-08",
		"2026-03-09", // 8 March falls on a Sunday
		"2026-05-01",
		"2026-05-09",
		"2026-05-11", // 9 May falls on a Saturday
		"2026-06-12",
		"2026-11-04",
		"2026-12-31", // moved from Sunday 4 January by the decree
	}
}

// Russia2026WorkingDays returns the transferred working days of the 2026
// Russian production calendar. The 2026 decree makes no Saturday or Sunday a
// working day, so the list is empty.
func Russia2026WorkingDays() []WorkingDay {
	return []WorkingDay{}
}
