package alert

import (
	"testing"
	"time"
)

// TestPeriodicSweepRuns checks that AddTo's periodic job sweeps: it runs
// when the jobs start.
func TestPeriodicSweepRuns(t *testing.T) {
	e := newEnv(t)
	e.start(t, Config{Sweep: time.Hour})
	for e.count(t, `SELECT count(*) FROM findings`) == 0 { // guarded by the test's timeout
		time.Sleep(50 * time.Millisecond)
	}
	if n := e.count(t, `SELECT count(*) FROM finding_events WHERE actor = 'verifier'`); n == 0 {
		t.Error("got findings but no events of the verifier")
	}
}
