package textcell

import (
	"strings"
	"testing"
)

func TestWidth(t *testing.T) {
	for in, want := range map[string]int{"": 0, "abc": 3, "村道": 4, "A村１": 5} {
		if got := Width(in); got != want {
			t.Errorf("Width(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdefghij", 5, "abcd…"},
		{"村道维修工程", 7, "村道维…"},
	} {
		if got := Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestEcho(t *testing.T) {
	if got := Echo("qingshan\n"); got != `"qingshan\n"` {
		t.Errorf("Echo of a short value: got %s, want it quoted whole", got)
	}
	long := strings.Repeat("x", 100<<10)
	if got := Echo(long); got != `"`+strings.Repeat("x", 59)+`…"` {
		t.Errorf("Echo of 100 KiB: got %d bytes, want 59 x and … quoted", len(got))
	}
}

func TestWriteAligned(t *testing.T) {
	var b strings.Builder
	WriteAligned(&b, [][]string{{"ID", "TITLE", "X"}, {"1", "村道\n维修", "y"}, {"22", "ab", "z"}})
	want := "ID  TITLE      X\n1   村道 维修  y\n22  ab         z\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
