package county

import (
	"context"
	"slices"
	"testing"

	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/verify"
)

// TestVerifierFindsPlanted runs the verifier's SQL rules over a generated
// county: every planted violation of a rule it knows is found, and nothing
// else is. The circulations (WRONG_BODY/circulation) are left to a
// verifier that reads meetings.mode; one that does may flag them too.
func TestVerifierFindsPlanted(t *testing.T) {
	pool := testenv.Database(t)
	res := generate(t, pool, smallOptions(11))
	var codes []string
	for _, c := range verify.Codes() {
		if c != verify.CodeRecordingTampered { // the objects were never stored
			codes = append(codes, c)
		}
	}
	rep, err := verify.Run(context.Background(), pool, nil, verify.Options{Codes: codes})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	found := map[string][]int64{}
	for _, f := range rep.Findings {
		found[f.Code] = append(found[f.Code], f.DecisionID)
	}
	if rep.Checked != res.Rows["decisions"] {
		t.Errorf("verify checked %d decisions, want %d", rep.Checked, res.Rows["decisions"])
	}
	for _, code := range codes {
		t.Run(code, func(t *testing.T) {
			got := found[code]
			slices.Sort(got)
			want := res.Expected(code)
			optional := []int64(nil)
			if code == verify.CodeWrongBody {
				optional = res.VariantDecisions("WRONG_BODY/circulation")
				want = without(want, optional)
			}
			if len(want) == 0 {
				t.Fatalf("nothing planted for %s; the test proves nothing", code)
			}
			if missed := without(want, got); len(missed) > 0 {
				t.Errorf("verifier missed %d of %d planted decisions: %v", len(missed),
					len(want), head(missed))
			}
			if extra := without(without(got, want), optional); len(extra) > 0 {
				t.Errorf("verifier flagged %d decisions not planted: %v", len(extra), head(extra))
			}
		})
	}
}

// without returns the ids of a that are not in b (both sorted).
func without(a, b []int64) []int64 {
	var out []int64
	for _, id := range a {
		if _, ok := slices.BinarySearch(b, id); !ok {
			out = append(out, id)
		}
	}
	return out
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 10)] }
