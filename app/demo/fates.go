package demo

import (
	"math/rand/v2"

	"github.com/curatorops/curatorops/modules/school"
)

// demoFate is what becomes of a demo student: how far they get in the
// course and whether they stay, drop out or take their money back. The
// enrollment, the orders, the homework and the conversations all follow it,
// so that no refunded student goes on handing in homework.
type demoFate struct {
	status   string // the enrollment's status
	reach    int    // the modules handed in, 1 to reach, by the end of the course
	refunded bool
}

// dropOutPercent is the share of the students who stop after module two or
// earlier that the school marks as dropped; the others simply fall silent.
const dropOutPercent = 40

// demoFates decides every student's fate, by student number, from fixed
// seeds. Each cohort's students are ranked by how long they keep going,
// at random, and the ranks are cut at the cohort's odds of going on from
// module to module, so that a cohort's figures are its odds, not a draw
// around them: 100 students with half of them reaching module 3 have 50
// who hand it in. The cohort's refunds are its least persevering students,
// who leave within the first weeks.
func demoFates() map[int]demoFate {
	fates := map[int]demoFate{}
	seats := demoSeats()
	for i, c := range demoCohorts {
		var cohort []demoSeat
		for _, seat := range seats {
			if seat.cohort.key == c.key {
				cohort = append(cohort, seat)
			}
		}
		order := rand.New(rand.NewPCG(7, uint64(i))).Perm(len(cohort))
		for rank, place := range order {
			seat := cohort[place]
			fates[seat.n] = fateOf(seat, rank, len(cohort))
		}
	}
	return fates
}

// fateOf is the fate of the student ranked rank of n in their cohort, 0
// being the most persevering.
func fateOf(seat demoSeat, rank, n int) demoFate {
	c := seat.cohort
	rnd := rand.New(rand.NewPCG(2026, uint64(seat.n)))
	f := demoFate{status: school.EnrollmentActive}
	if c.status == school.CohortFinished {
		f.status = school.EnrollmentCompleted
	}
	if rank >= n-c.refunds {
		f.status, f.refunded, f.reach = school.EnrollmentRefunded, true, rnd.IntN(2)
		return f
	}
	// The share of the cohort still going at module m is the product of
	// the odds up to m; the student reaches every module whose share
	// covers their rank.
	share := 1.0
	for _, odds := range c.goOn {
		share *= float64(odds) / 100
		if float64(rank)+0.5 > share*float64(n) {
			break
		}
		f.reach++
	}
	if f.reach <= 2 && rnd.IntN(100) < dropOutPercent {
		f.status = school.EnrollmentDropped
	}
	return f
}
