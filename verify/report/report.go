// Package report turns a verification into a compliance report for a unit
// and a period: a summary by rule and by unit with a chart, then every
// finding with the evidence it points at. It renders reports as HTML that
// prints, PDF, CSV and JSON, and issues them into the evidence store under
// object lock, so that a report handed to a supervisor cannot be changed
// quietly afterwards.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liuhen/liuhen/verify"
)

// Compliance is one compliance report.
type Compliance struct {
	// Unit is the unit the report covers, with its sub-units; its Code is
	// "" for a report over every unit.
	Unit        Unit       `json:"unit"`
	From        *time.Time `json:"from,omitempty"`
	To          *time.Time `json:"to,omitempty"` // excluded
	GeneratedAt time.Time  `json:"generated_at"`
	Checked     int        `json:"checked"` // decisions in scope
	Passed      int        `json:"passed"`  // decisions without findings
	// Rules ran in this report, with what each found, in the verifier's
	// order; a rule that found nothing is listed with zero.
	Rules []RuleSummary `json:"rules"`
	// Units are the units with decisions in scope, most findings first.
	Units    []UnitSummary    `json:"units"`
	Findings []verify.Finding `json:"findings"`

	verification verify.Report // for the CSV, which lists decisions
}

// Unit names an org unit.
type Unit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// RuleSummary counts what one rule found.
type RuleSummary struct {
	Code      string `json:"code"`
	Severity  string `json:"severity"` // the highest among its findings; "" when none
	Findings  int    `json:"findings"`
	Decisions int    `json:"decisions"` // distinct decisions with such a finding
}

// UnitSummary counts one unit's decisions and findings.
type UnitSummary struct {
	Unit
	Checked  int `json:"checked"`
	Passed   int `json:"passed"`
	Findings int `json:"findings"`
}

// Querier is the part of a PostgreSQL connection or pool Build reads unit
// names through.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Build makes the report of a verification. It reads the names of the
// units the verification mentions through q.
func Build(ctx context.Context, q Querier, v verify.Report) (Compliance, error) {
	names, err := unitNames(ctx, q, v)
	if err != nil {
		return Compliance{}, err
	}
	c := Compliance{
		Unit:        Unit{Code: v.Scope.Unit, Name: names[v.Scope.Unit]},
		From:        v.Scope.From,
		To:          v.Scope.To,
		GeneratedAt: v.GeneratedAt,
		Checked:     v.Checked,
		Passed:      v.Passed,
		Rules:       summarizeRules(v),
		Units:       summarizeUnits(v, names),
		Findings:    v.Findings,

		verification: v,
	}
	if c.Findings == nil {
		c.Findings = []verify.Finding{}
	}
	return c, nil
}

func unitNames(ctx context.Context, q Querier, v verify.Report) (map[string]string, error) {
	codes := []string{v.Scope.Unit}
	for _, d := range v.Decisions {
		codes = append(codes, d.UnitCode)
	}
	rows, err := q.Query(ctx, `SELECT code, name FROM org_units WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("read unit names: %w", err)
	}
	names := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read unit names: %w", err)
		}
		names[code] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unit names: %w", err)
	}
	return names, nil
}

func summarizeRules(v verify.Report) []RuleSummary {
	var out []RuleSummary
	index := map[string]int{}
	at := func(code string) *RuleSummary {
		i, ok := index[code]
		if !ok {
			i = len(out)
			index[code] = i
			out = append(out, RuleSummary{Code: code})
		}
		return &out[i]
	}
	for _, code := range v.Scope.Codes {
		at(code)
	}
	counted := map[string]bool{} // code and decision
	for _, f := range v.Findings {
		s := at(f.Code)
		s.Findings++
		if severityRank(f.Severity) > severityRank(s.Severity) {
			s.Severity = f.Severity
		}
		if key := fmt.Sprint(f.Code, f.DecisionID); !counted[key] {
			counted[key] = true
			s.Decisions++
		}
	}
	return out
}

func summarizeUnits(v verify.Report, names map[string]string) []UnitSummary {
	byCode := map[string]*UnitSummary{}
	var order []string
	for _, d := range v.Decisions {
		s := byCode[d.UnitCode]
		if s == nil {
			s = &UnitSummary{Unit: Unit{Code: d.UnitCode, Name: names[d.UnitCode]}}
			byCode[d.UnitCode] = s
			order = append(order, d.UnitCode)
		}
		s.Checked++
		if d.Status == verify.StatusPass {
			s.Passed++
		}
		s.Findings += d.Findings
	}
	out := make([]UnitSummary, len(order))
	for i, code := range order {
		out[i] = *byCode[code]
	}
	slices.SortStableFunc(out, func(a, b UnitSummary) int {
		return cmp.Or(cmp.Compare(b.Findings, a.Findings), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// severityRank orders severities, unknown and "" lowest.
func severityRank(s string) int {
	switch s {
	case verify.SeverityHigh:
		return 3
	case verify.SeverityMedium:
		return 2
	case verify.SeverityLow:
		return 1
	}
	return 0
}
