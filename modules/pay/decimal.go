package pay

import (
	"math/big"
	"regexp"
)

// Rates, weights, percentages and metric values are exact decimals held
// as math/big.Rat: a scheme writes them as strings ("12.5"), and nothing
// is rounded until a statement line's amount, which is rounded once to
// whole kopecks, half to even (RoundHalfEven). Intermediate products
// (qty × rate × weight × share of days) stay exact.

var decimalPattern = regexp.MustCompile(`^-?[0-9]{1,12}(\.[0-9]{1,6})?$`)

// ParseDec reads a decimal string of at most 12 integer and 6 fraction
// digits; ok is false for anything else.
func ParseDec(s string) (*big.Rat, bool) {
	if !decimalPattern.MatchString(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// mustDec reads a decimal already validated at save.
func mustDec(s string) *big.Rat {
	r, ok := ParseDec(s)
	if !ok {
		return new(big.Rat)
	}
	return r
}

// RoundHalfEven rounds r to the nearest integer, a half to the even one:
// the one rounding rule of pay, applied at the line.
func RoundHalfEven(r *big.Rat) int64 {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated toward zero
	if m.Sign() == 0 {
		return q.Int64()
	}
	twice := new(big.Int).Abs(m)
	twice.Lsh(twice, 1)
	switch twice.Cmp(den) {
	case 1:
		q.Add(q, big.NewInt(int64(r.Sign())))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(int64(r.Sign())))
		}
	}
	return q.Int64()
}

// FormatDec writes r with up to scale fraction digits, rounded half to
// even, trailing zeros dropped.
func FormatDec(r *big.Rat, scale int) string {
	if r == nil {
		return ""
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	n := RoundHalfEven(new(big.Rat).Mul(r, new(big.Rat).SetInt(p)))
	s := new(big.Rat).SetFrac(big.NewInt(n), p).FloatString(scale)
	for scale > 0 && len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func ratInt(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }
