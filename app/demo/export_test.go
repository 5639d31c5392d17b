package demo

// IsThanks reports whether text is one of the demo's thanks.
func IsThanks(text string) bool {
	for _, t := range demoThanks {
		if t == text {
			return true
		}
	}
	return false
}
