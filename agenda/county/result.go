package county

import (
	"slices"
	"strings"
	"time"
)

// A Result says what Generate wrote and which violations it planted.
type Result struct {
	CountyID int64
	Code     string
	Year     int
	Seed     uint64
	Units    map[string]int // org units by level: county, department, township, village
	Rows     map[string]int // rows written, by table name
	// Planted counts, per kind, the decisions that carry the violation;
	// Variants counts them by "KIND/variant" for the kinds planted in
	// several ways (WRONG_BODY/kind, WRONG_BODY/circulation, ...).
	Planted  map[Kind]int
	Variants map[string]int
	Elapsed  time.Duration
	// KeysCheckedAtEnd says the foreign keys were checked by one query per
	// key before commit, with PostgreSQL's per-row triggers switched off.
	KeysCheckedAtEnd bool

	decisions map[string][]int64 // by variant key
	rows      [numTables]int
}

func newResult(o Options) *Result {
	return &Result{Code: o.Code, Year: o.Year, Seed: o.Seed, Units: map[string]int{},
		Rows: map[string]int{}, Planted: map[Kind]int{}, Variants: map[string]int{},
		decisions: map[string][]int64{}}
}

func (r *Result) plant(key string, decision int64) {
	r.decisions[key] = append(r.decisions[key], decision)
}

// result fills in the counts once everything is written.
func (g *generator) result() Result {
	r := *g.res
	r.CountyID = g.units[0].id
	for _, u := range g.units {
		r.Units[u.level]++
	}
	for t, s := range tables {
		r.Rows[s.name] = r.rows[t]
	}
	for _, k := range allKinds {
		r.Planted[k] = 0
	}
	for key, ids := range r.decisions {
		kind, _, _ := strings.Cut(key, "/")
		r.Planted[Kind(kind)] += len(ids)
		r.Variants[key] = len(ids)
	}
	return r
}

// Decisions returns the ids of the decisions planted with kind, in every
// variant, in ascending order.
func (r Result) Decisions(kind Kind) []int64 {
	var out []int64
	for key, ids := range r.decisions {
		if k, _, _ := strings.Cut(key, "/"); Kind(k) == kind {
			out = append(out, ids...)
		}
	}
	slices.Sort(out)
	return out
}

// VariantDecisions returns the ids of the decisions planted as one
// variant ("WRONG_BODY/circulation"), in ascending order.
func (r Result) VariantDecisions(variant string) []int64 {
	out := slices.Clone(r.decisions[variant])
	slices.Sort(out)
	return out
}

// Expected returns the decisions a verifier that knows the finding code
// should flag with it: those planted with that kind, and those another
// planted fault implies. The one such case: a circulation (WRONG_BODY/
// circulation) has no recording either, so it is also NO_RECORDING.
func (r Result) Expected(code string) []int64 {
	out := r.Decisions(Kind(code))
	if Kind(code) == NoRecording {
		out = append(out, r.decisions[variantKey(WrongBody, "circulation")]...)
		slices.Sort(out)
	}
	return out
}
