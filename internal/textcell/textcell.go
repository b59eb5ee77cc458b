// Package textcell lays out text tables for terminals, counting terminal
// cells rather than bytes or runes, so that Chinese text lines up: East
// Asian wide and full-width characters take two cells (UAX #11).
package textcell

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Width is how many terminal cells s takes.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Truncate cuts s to at most n cells, ending it with "…" when cut.
func Truncate(s string, n int) string {
	if Width(s) <= n {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		if used+runeWidth(r) > n-1 {
			break
		}
		b.WriteRune(r)
		used += runeWidth(r)
	}
	return b.String() + "…"
}

// WriteAligned writes lines to b, each cell made one line (tabs, newlines
// and other control characters become spaces) and every column but the
// last padded to its widest cell, with two spaces between columns.
func WriteAligned(b *strings.Builder, lines [][]string) {
	widths := map[int]int{}
	for _, line := range lines {
		for i, c := range line {
			line[i] = oneLine(c)
			widths[i] = max(widths[i], Width(line[i]))
		}
	}
	for _, line := range lines {
		for i, c := range line {
			b.WriteString(c)
			if i < len(line)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-Width(c)+2))
			}
		}
		b.WriteString("\n")
	}
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// echoCells is how much of a refused value Echo gives back.
const echoCells = 60

// Echo quotes s as %q does, for an error message that names a value it
// refuses, cut to 60 cells and ended with "…" when longer: a value
// pasted by mistake (a whole file as a unit code) is named, not sent back
// whole.
func Echo(s string) string {
	if Width(s) <= echoCells {
		return strconv.Quote(s)
	}
	return strconv.Quote(Truncate(s, echoCells))
}
