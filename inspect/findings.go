package inspect

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
)

// FindingStates are the states of a kept finding that has_findings counts:
// an open finding, and an acknowledged one (seen by someone, not yet dealt
// with), still stand; a resolved one does not.
var FindingStates = []string{alert.StateOpen, alert.StateAcknowledged}

// hasFindingsSQL is the condition that an item s of search_items has a
// decision with a finding in FindingStates. The states are written out so
// that the planner may use the partial index findings_standing_idx, which
// holds those rows alone (TestHasFindingsStates keeps them in step).
const hasFindingsSQL = `EXISTS (SELECT 1 FROM decisions d
    JOIN findings f ON f.decision_id = d.id AND f.state IN ('open', 'acknowledged')
    WHERE d.agenda_item_id = s.agenda_item_id)`

// FindingsBasis says what a search with has_findings was answered from: the
// findings kept by the sweeps of verify/alert that are in States, as the
// last completed sweep left them.
type FindingsBasis struct {
	States []string `json:"states"`
	// AsOf is when the last completed sweep began: every change committed
	// before then (a decision registered, linked or moved) is judged; later
	// ones wait for the next sweep. States are read as they are now: a
	// finding resolved by hand a minute ago no longer counts.
	AsOf time.Time `json:"as_of"`
	// SweptAt is when that sweep had written the findings.
	SweptAt time.Time `json:"swept_at"`
	// Codes are the rules that sweep ran.
	Codes []string `json:"codes"`
	// ObjectsAsOf is when the last sweep that checked segment objects
	// (RECORDING_TAMPERED) began, which is earlier than AsOf while the
	// evidence store cannot be reached; nil when no sweep has checked them.
	ObjectsAsOf *time.Time `json:"objects_as_of"`
}

// markNotYetChecked marks, in a result answered from the findings, each
// decision written after the sweep they are as of began, and its item.
//
// TODO(findings-freshness): only a write of the decision row or of its
// earlier stages counts; a change of what its rules read elsewhere (its
// meeting's start, attendance, votes, the procedure list) since AsOf goes
// unmarked. Change times of those rows, or a per-decision time kept by
// triggers on them, would mark those too.
func (r *Result) markNotYetChecked() {
	if r.Findings == nil {
		return
	}
	for i := range r.Items {
		it := &r.Items[i]
		for j := range it.Decisions {
			d := &it.Decisions[j]
			d.NotYetChecked = d.ChangedAt.After(r.Findings.AsOf)
			it.NotYetChecked = it.NotYetChecked || d.NotYetChecked
		}
	}
}

// findingsBasis reads the last completed sweep; ErrNotSwept when no sweep
// has completed, since the findings table would then say "no findings" of
// every item.
func findingsBasis(ctx context.Context, store *alert.Store) (*FindingsBasis, error) {
	last, err := store.LastSweep(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("find the findings' sweep: %w", err)
	}
	if last == nil {
		return nil, fmt.Errorf("%w: has_findings reads the findings that the server's "+
			"sweeps keep, and no sweep has completed on this database yet; `liuhen serve` "+
			"sweeps when it starts and every LIUHEN_ALERT_SWEEP (5m) unless that is off, "+
			"and `liuhen findings sweep` runs one now. Search without has_findings "+
			"meanwhile", ErrNotSwept)
	}
	b := &FindingsBasis{States: slices.Clone(FindingStates), AsOf: last.StartedAt,
		SweptAt: last.FinishedAt, Codes: last.Codes}
	objects := last
	if !slices.Contains(last.Codes, verify.CodeRecordingTampered) {
		if objects, err = store.LastSweep(ctx, verify.CodeRecordingTampered); err != nil {
			return nil, fmt.Errorf("find the findings' sweep: %w", err)
		}
	}
	if objects != nil {
		at := objects.StartedAt
		b.ObjectsAsOf = &at
	}
	return b, nil
}
