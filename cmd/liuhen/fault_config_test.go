package main

import (
	"os"
	"strings"
	"testing"
)

// TestSpoolMaxBytesSetting reads LIUHEN_SPOOL_MAX_BYTES in each accepted
// form and refuses the rest with a message naming the variable.
func TestSpoolMaxBytesSetting(t *testing.T) {
	cases := []struct {
		name, value string
		want        int64 // 0: refused
	}{
		{"default", "", 2 << 30},
		{"bytes", "1048576", 1 << 20},
		{"KiB", "300KiB", 300 << 10},
		{"MiB with a space", "512 MiB", 512 << 20},
		{"GiB", "2GiB", 2 << 30},
		{"TiB", "1TiB", 1 << 40},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"decimal unit", "2GB", 0},
		{"fraction", "1.5GiB", 0},
		{"words", "lots", 0},
		{"overflow", "9999999TiB", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LIUHEN_SPOOL_MAX_BYTES", tc.value) // restored when the test ends
			if tc.value == "" {
				os.Unsetenv("LIUHEN_SPOOL_MAX_BYTES") // an empty variable would count as set
			}
			c, err := loadConfig()
			if tc.want == 0 {
				if err == nil || !strings.Contains(err.Error(), "LIUHEN_SPOOL_MAX_BYTES") {
					t.Errorf("got error %v, want one naming LIUHEN_SPOOL_MAX_BYTES", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if c.SpoolMaxBytes != tc.want {
				t.Errorf("got %d bytes, want %d", c.SpoolMaxBytes, tc.want)
			}
		})
	}
}
