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
	const wait = 30 * time.Second
	deadline := time.Now().Add(wait)
	for e.count(t, `SELECT count(*) FROM findings`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no findings %v after the jobs started: the periodic sweep did not "+
				"run on start", wait)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := e.count(t, `SELECT count(*) FROM finding_events WHERE actor = 'verifier'`); n == 0 {
		t.Error("got findings but no events of the verifier")
	}
}
