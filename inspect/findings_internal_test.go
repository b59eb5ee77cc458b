package inspect

import (
	"fmt"
	"strings"
	"testing"
)

// TestHasFindingsStates: the states written out in hasFindingsSQL, for the
// partial index, are FindingStates.
func TestHasFindingsStates(t *testing.T) {
	quoted := make([]string, len(FindingStates))
	for i, s := range FindingStates {
		quoted[i] = fmt.Sprintf("'%s'", s)
	}
	want := "f.state IN (" + strings.Join(quoted, ", ") + ")"
	if !strings.Contains(hasFindingsSQL, want) {
		t.Errorf("hasFindingsSQL: got %s, want it to contain %s", hasFindingsSQL, want)
	}
}
