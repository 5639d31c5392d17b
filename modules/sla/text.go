package sla

import (
	"strings"
	"unicode"
)

// DefaultNoReplyPhrases are the short messages that close a topic rather
// than open one: nobody is expected to answer "спасибо". A school may
// replace the list in its settings.
var DefaultNoReplyPhrases = []string{
	"спасибо", "спасибо большое", "большое спасибо", "спс", "благодарю", "ок", "окей", "ok", "okay",
	"хорошо", "понятно", "поняла", "понял", "ясно", "отлично", "супер", "класс", "thanks", "thank you", "👍",
}

// phraseSet is a school's list of no-reply phrases, normalised.
type phraseSet map[string]bool

func newPhraseSet(phrases []string) phraseSet {
	set := phraseSet{}
	for _, p := range phrases {
		if n := normalise(p); n != "" {
			set[n] = true
		}
	}
	return set
}

// normalise lowercases text, trims punctuation and symbols at both ends
// and collapses inner whitespace, so that "Спасибо!!" and " спасибо" match.
func normalise(text string) string {
	trimmed := strings.TrimFunc(strings.ToLower(text), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || (unicode.IsSymbol(r) && !isEmoji(r))
	})
	return strings.Join(strings.Fields(trimmed), " ")
}

// needsReply reports whether a student's message expects an answer:
// stickers, reactions, system notes, emoji-only text and the school's
// thanks phrases do not.
func (p phraseSet) needsReply(kind, text string) bool {
	if kind != KindText {
		return false
	}
	n := normalise(text)
	if n == "" || emojiOnly(n) {
		// An emoji that is itself a listed phrase is covered too.
		return false
	}
	return !p[n]
}

// emojiOnly reports whether text has no letters or digits, only emoji,
// joiners, variation selectors and spaces.
func emojiOnly(text string) bool {
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
		if !(isEmoji(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Mn, r) ||
			r == 0x200d || (r >= 0xfe00 && r <= 0xfe0f)) {
			return false
		}
	}
	return true
}

func isEmoji(r rune) bool {
	return (r >= 0x1f000 && r <= 0x1faff) || (r >= 0x2600 && r <= 0x27bf) || (r >= 0x1f1e6 && r <= 0x1f1ff)
}

// splitPhrases reads the stored list (one phrase per line).
func splitPhrases(stored string) []string {
	if strings.TrimSpace(stored) == "" {
		return DefaultNoReplyPhrases
	}
	var out []string
	for _, line := range strings.Split(stored, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
