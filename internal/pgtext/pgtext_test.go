package pgtext

import "testing"

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want bool
	}{
		{"empty", "", true},
		{"ASCII code", "qingshan", true},
		{"Chinese", "青山镇", true},
		{"NUL alone", "\x00", false},
		{"NUL inside", "qs\x00", false},
		{"byte that is not UTF-8", "qs\xff", false},
		{"cut multi-byte character", "青"[:2], false},
		{"surrogate encoded as UTF-8", "\xed\xa0\x80", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Valid(tc.in); got != tc.want {
				t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
