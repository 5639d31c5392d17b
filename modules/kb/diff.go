package kb

import "strings"

// Diff line operations.
const (
	DiffEqual  = "equal"
	DiffInsert = "insert"
	DiffDelete = "delete"
)

// DiffLine is one line of a line diff. FromLine and ToLine are 1-based
// line numbers in the old and new text; 0 where the line is absent.
type DiffLine struct {
	Op       string
	Text     string
	FromLine int
	ToLine   int
}

// maxDiffCells bounds the table of the longest-common-subsequence diff
// (about 16 MB); past it, the changed middle is shown as removed and
// re-added whole, which is still correct, only less precise.
const maxDiffCells = 4_000_000

// diffLines compares two texts line by line: common lines at both ends are
// matched directly, and the changed middle by a longest common subsequence.
func diffLines(from, to string) []DiffLine {
	a, b := splitLines(from), splitLines(to)
	prefix := 0
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(a)-prefix && suffix < len(b)-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	var out []DiffLine
	for i := 0; i < prefix; i++ {
		out = append(out, DiffLine{Op: DiffEqual, Text: a[i], FromLine: i + 1, ToLine: i + 1})
	}
	out = append(out, diffMiddle(a[prefix:len(a)-suffix], b[prefix:len(b)-suffix], prefix, prefix)...)
	for i := 0; i < suffix; i++ {
		ai, bi := len(a)-suffix+i, len(b)-suffix+i
		out = append(out, DiffLine{Op: DiffEqual, Text: a[ai], FromLine: ai + 1, ToLine: bi + 1})
	}
	return out
}

// diffMiddle diffs a and b, whose first lines are numbered offA+1, offB+1.
func diffMiddle(a, b []string, offA, offB int) []DiffLine {
	n, m := len(a), len(b)
	var out []DiffLine
	if n*m > maxDiffCells {
		for i := range a {
			out = append(out, DiffLine{Op: DiffDelete, Text: a[i], FromLine: offA + i + 1})
		}
		for j := range b {
			out = append(out, DiffLine{Op: DiffInsert, Text: b[j], ToLine: offB + j + 1})
		}
		return out
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:], in one flat slice.
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out = append(out, DiffLine{Op: DiffEqual, Text: a[i], FromLine: offA + i + 1, ToLine: offB + j + 1})
			i++
			j++
		case i < n && (j == m || lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
			// Removed lines come before the lines that replace them.
			out = append(out, DiffLine{Op: DiffDelete, Text: a[i], FromLine: offA + i + 1})
			i++
		default:
			out = append(out, DiffLine{Op: DiffInsert, Text: b[j], ToLine: offB + j + 1})
			j++
		}
	}
	return out
}

// splitLines splits on "\n" (a "\r" before it goes too); an empty text has
// no lines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
