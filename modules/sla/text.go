package sla

import (
	"strings"
	"unicode"
)

// DefaultNoReplyPhrases are the short messages that close a topic rather
// than open one: nobody is expected to answer "спасибо". A message made
// only of such phrases and emoji, in any order and with any punctuation
// ("Понятно, спасибо!", "ок, спасибо большое 🙏"), needs no reply. A school
// may replace the list in its settings.
var DefaultNoReplyPhrases = []string{
	// Russian thanks.
	"спасибо", "спасибо большое", "большое спасибо", "огромное спасибо", "спасибо огромное", "спасибо вам", "спасибо вам большое", "вам спасибо",
	"спасибо за ответ", "спасибо за помощь", "спасибо за обратную связь", "спасибочки", "спасибки", "пасиб", "спс",
	"благодарю", "благодарю вас", "очень благодарна", "очень благодарен",
	// Russian acknowledgements.
	"ок", "окей", "оки", "хорошо", "ладно", "понятно", "все понятно", "поняла", "понял", "ясно", "все ясно",
	"принято", "приняла", "принял", "договорились", "отлично", "супер", "класс", "круто", "здорово", "замечательно",
	"прекрасно", "ага", "угу", "да", "все", "получилось", "все получилось", "разобралась", "разобрался",
	// Russian goodbyes that close a thread.
	"и вам", "хорошего дня", "хорошего вечера", "хороших выходных", "всего доброго", "до свидания",
	// English.
	"thanks", "thank you", "thanks a lot", "thank you so much", "many thanks", "thx", "ty",
	"ok", "okay", "got it", "noted", "understood", "all clear", "cool", "great", "perfect", "awesome", "nice",
	"alright", "all right", "sounds good", "have a nice day", "👍",
}

// phraseSet is a school's list of no-reply phrases, each as its words
// joined by single spaces.
type phraseSet struct {
	phrases  map[string]bool
	maxWords int
}

func newPhraseSet(phrases []string) phraseSet {
	set := phraseSet{phrases: map[string]bool{}}
	for _, p := range phrases {
		words := scan(p).words
		if len(words) == 0 {
			// An emoji phrase ("👍"): emoji never need a reply anyway.
			continue
		}
		set.phrases[strings.Join(words, " ")] = true
		set.maxWords = max(set.maxWords, len(words))
	}
	return set
}

// scanned is a message reduced to what classification looks at.
type scanned struct {
	words    []string // lower-case, "ё" as "е", long letter runs shortened
	question bool     // a question mark anywhere
	emoji    bool
}

// scan splits text into words: runs of letters, digits and combining marks,
// with apostrophes inside a word kept ("that's"). Everything else —
// spaces, punctuation, brackets of smileys, emoji — separates words.
func scan(text string) scanned {
	var out scanned
	var word []rune
	flush := func() {
		if len(word) > 0 {
			out.words = append(out.words, string(squeeze(word)))
			word = word[:0]
		}
	}
	runes := []rune(text)
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.Is(unicode.Mn, r) && !isVariationSelector(r)):
			word = append(word, foldRune(r))
		case isApostrophe(r) && len(word) > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i+1]):
			word = append(word, '\'')
		default:
			flush()
			out.question = out.question || r == '?' || r == '？' || r == '¿'
			out.emoji = out.emoji || isEmoji(r)
		}
	}
	flush()
	return out
}

// foldRune lowercases and spells "ё" as "е", as most people type it.
func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	if r == 'ё' {
		return 'е'
	}
	return r
}

// isVariationSelector: the selectors that ask for an emoji's colour
// presentation ("❤️") are marks, but belong to the emoji, not to a word.
func isVariationSelector(r rune) bool {
	return (r >= 0xfe00 && r <= 0xfe0f) || (r >= 0xe0100 && r <= 0xe01ef)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// squeeze shortens runs of three or more equal letters to one, so that a
// drawn-out "спасибоооо" or "okkkk" reads as the word it stretches.
func squeeze(word []rune) []rune {
	out := word[:0:0]
	for i := 0; i < len(word); {
		j := i
		for j < len(word) && word[j] == word[i] {
			j++
		}
		if n := j - i; n >= 3 {
			out = append(out, word[i])
		} else {
			out = append(out, word[i:j]...)
		}
		i = j
	}
	return out
}

// needsReply reports whether a student's message expects an answer.
// Stickers, reactions and system notes never do. A text does unless it
// has no question mark and its words, read left to right, split entirely
// into the school's phrases; emoji and punctuation between them do not
// count, and a text of emoji or punctuation alone needs no reply either.
func (p phraseSet) needsReply(kind, text string) bool {
	if kind != KindText {
		return false
	}
	msg := scan(text)
	if msg.question {
		return true
	}
	return !p.covers(msg.words)
}

// covers reports whether words split into listed phrases: ok[i] says the
// first i words do, so the message qualifies when ok[len(words)].
func (p phraseSet) covers(words []string) bool {
	ok := make([]bool, len(words)+1)
	ok[0] = true
	for i := 0; i < len(words); i++ {
		if !ok[i] {
			continue
		}
		for n := 1; n <= p.maxWords && i+n <= len(words); n++ {
			if p.phrases[strings.Join(words[i:i+n], " ")] {
				ok[i+n] = true
			}
		}
	}
	return ok[len(words)]
}

// validPhrase reports whether a school's phrase can ever match: it needs a
// word or an emoji, and no question mark (a question always needs a reply).
func validPhrase(p string) bool {
	msg := scan(p)
	return (len(msg.words) > 0 || msg.emoji) && !msg.question
}

func isEmoji(r rune) bool {
	return (r >= 0x1f000 && r <= 0x1faff) || (r >= 0x2600 && r <= 0x27bf) || (r >= 0x1f1e6 && r <= 0x1f1ff) ||
		(r >= 0x2b00 && r <= 0x2bff) || (r >= 0x2300 && r <= 0x23ff)
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
