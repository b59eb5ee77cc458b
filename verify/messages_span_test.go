package verify

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMessagesOfFarDates: a meeting planned in the year 9999 (the API
// refuses one now, a row written before it did or by hand remains) is
// thousands of years after the decision; the messages must say so, not
// the largest time.Duration (2562047h47m16s, 106751 days).
func TestMessagesOfFarDates(t *testing.T) {
	at := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	days := strconv.FormatInt((far.Unix()-at.Unix())/86400, 10)
	en, zh := msgDecidedBefore(7, early{What: "decided", At: at, Start: far})
	if !strings.Contains(en, days+" days before") || !strings.Contains(zh, "早 "+days+" 天") {
		t.Errorf("decided before:\n%s\n%s\nwant %s days", en, zh, days)
	}
	en, _ = msgDecidedBefore(7, early{What: "decided", At: at, Start: at.Add(90 * time.Minute)})
	if !strings.Contains(en, "1h30m0s before") {
		t.Errorf("a near meeting: got %s, want 1h30m0s", en)
	}
	en, zh = msgBackdated(7, late{What: "registered", EventAt: at, WrittenAt: far, Days: 30})
	if !strings.Contains(en, days+" days later") || !strings.Contains(zh, "晚了 "+days+" 天") {
		t.Errorf("backdated:\n%s\n%s\nwant %s days", en, zh, days)
	}
}
