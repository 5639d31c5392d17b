package kb

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// ContentHash is the SHA-256, in lower-case hex, of exactly what a reader
// of a revision sees: the UTF-8 bytes of the title, a blank line ("\n\n"),
// then the body, unchanged. Titles hold no line breaks, so the split is
// unambiguous; a client recomputes it to prove what was acknowledged.
func ContentHash(title, body string) string {
	sum := sha256.Sum256([]byte(title + "\n\n" + body))
	return hex.EncodeToString(sum[:])
}

// fold maps one rune as search sees it: lower case, ё as е, and anything
// that is neither a letter nor a digit as a space. It maps rune to rune, so
// a folded text has the same runes at the same positions as the original.
func fold(r rune) rune {
	switch {
	case r == 'ё' || r == 'Ё':
		return 'е'
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return unicode.ToLower(r)
	default:
		return ' '
	}
}

// foldText folds every rune of s. Both databases index folded text: the
// PostgreSQL cluster may run with the C locale, which lower-cases nothing
// but ASCII, and both must agree on what a word is.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(fold(r))
	}
	return b.String()
}

// token is one word of a text: runes [start, end) and its folded form.
type token struct {
	start, end int
	word       string
}

// tokenize splits s into words: maximal runs of letters and digits.
func tokenize(s string) []token {
	var out []token
	var b strings.Builder
	start, i := -1, 0
	for _, r := range s {
		f := fold(r)
		if f != ' ' {
			if start < 0 {
				start = i
				b.Reset()
			}
			b.WriteRune(f)
		} else if start >= 0 {
			out = append(out, token{start: start, end: i, word: b.String()})
			start = -1
		}
		i++
	}
	if start >= 0 {
		out = append(out, token{start: start, end: i, word: b.String()})
	}
	return out
}

// stem reduces a folded word to its Snowball stem the way kb_russian does
// on PostgreSQL: Russian for words with non-ASCII letters, English for
// ASCII words, and words with digits as they are. No word is a stop word.
func stem(word string) string {
	ascii, digit := true, false
	for _, r := range word {
		if r >= utf8.RuneSelf {
			ascii = false
		}
		if unicode.IsDigit(r) {
			digit = true
		}
	}
	switch {
	case digit:
		return word
	case ascii:
		return english.Stem(word, true)
	default:
		return russian.Stem(word, true)
	}
}

// stemText is the text SQLite's FTS5 index holds: every word's stem,
// separated by spaces.
func stemText(s string) string {
	toks := tokenize(s)
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = stem(t.word)
	}
	return strings.Join(stems, " ")
}

// queryStems returns the distinct stems of a search query, in order.
func queryStems(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tokenize(q) {
		s := stem(t.word)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Snippets are built with private-use marks around highlighted words, then
// escaped for HTML with the marks turned into <mark> tags, so that
// article text can never inject markup into a result.
const (
	markOpen  = '\uE000'
	markClose = '\uE001'
)

// snippetWords is about how many words a snippet shows.
const snippetWords = 24

// goSnippet picks the window of snippetWords words of body holding the
// most words whose stem is in stems, and marks those words.
func goSnippet(body string, stems []string) string {
	runes := []rune(body)
	toks := tokenize(body)
	if len(toks) == 0 {
		return ""
	}
	want := map[string]bool{}
	for _, s := range stems {
		want[s] = true
	}
	hit := make([]bool, len(toks))
	for i, t := range toks {
		hit[i] = matchesStem(t.word, stems, want)
	}
	best, bestCount, count := 0, -1, 0
	for i := range toks {
		if hit[i] {
			count++
		}
		if i >= snippetWords && hit[i-snippetWords] {
			count--
		}
		if start := max(0, i-snippetWords+1); count > bestCount {
			best, bestCount = start, count
		}
	}
	// Start a little before the first hit, so that it reads in context.
	for i := best; i < min(len(toks), best+snippetWords); i++ {
		if hit[i] {
			best = max(0, i-3)
			break
		}
	}
	last := min(len(toks), best+snippetWords) - 1
	var b strings.Builder
	pos := toks[best].start
	for i := best; i <= last; i++ {
		t := toks[i]
		b.WriteString(string(runes[pos:t.start]))
		if hit[i] {
			b.WriteRune(markOpen)
			b.WriteString(string(runes[t.start:t.end]))
			b.WriteRune(markClose)
		} else {
			b.WriteString(string(runes[t.start:t.end]))
		}
		pos = t.end
	}
	end := toks[last].end
	for ; end < len(runes) && fold(runes[end]) == ' ' && !unicode.IsSpace(runes[end]); end++ {
		b.WriteRune(runes[end])
	}
	return finishSnippet(b.String(), toks[best].start > 0, last < len(toks)-1)
}

// matchesStem reports whether word's stem is wanted. Russian stems are
// prefixes of their words, so most words are ruled out without stemming.
func matchesStem(word string, stems []string, want map[string]bool) bool {
	candidate := false
	for _, s := range stems {
		if strings.HasPrefix(word, s) || !isCyrillicWord(s) {
			candidate = true
			break
		}
	}
	return candidate && want[stem(word)]
}

func isCyrillicWord(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// mapHeadline turns PostgreSQL's ts_headline of the folded body back into
// the body's own letters: folding keeps every rune in place, so the
// headline's text is found in the folded body and the same runes are taken
// from the original, with the marks put back where they were.
func mapHeadline(headline, body, folded string) string {
	plain := strings.NewReplacer(string(markOpen), "", string(markClose), "").Replace(headline)
	plain = strings.TrimSpace(plain)
	at := strings.Index(folded, plain)
	if plain == "" || at < 0 {
		return finishSnippet(headline, false, false)
	}
	start := utf8.RuneCountInString(folded[:at])
	orig := []rune(body)
	var b strings.Builder
	i := start
	for _, r := range strings.TrimSpace(headline) {
		if r == markOpen || r == markClose {
			b.WriteRune(r)
			continue
		}
		if i < len(orig) {
			b.WriteRune(orig[i])
		}
		i++
	}
	// Keep the punctuation that closes the last word ("важна.").
	for ; i < len(orig) && fold(orig[i]) == ' ' && !unicode.IsSpace(orig[i]); i++ {
		b.WriteRune(orig[i])
	}
	return finishSnippet(b.String(), start > 0, hasWord(orig[min(i, len(orig)):]))
}

func hasWord(rs []rune) bool {
	for _, r := range rs {
		if fold(r) != ' ' {
			return true
		}
	}
	return false
}

// finishSnippet collapses whitespace, adds ellipses where text was cut,
// escapes HTML and turns the private marks into <mark> tags.
func finishSnippet(s string, cutStart, cutEnd bool) string {
	s = strings.Join(strings.Fields(s), " ")
	if cutStart {
		s = "…" + s
	}
	if cutEnd {
		s += "…"
	}
	s = html.EscapeString(s)
	return strings.NewReplacer(string(markOpen), "<mark>", string(markClose), "</mark>").Replace(s)
}
