package inspect

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
)

// TestFindingsCacheKeepsVerdictForTTL: the items with findings are
// computed once per unit and kept for the TTL, then computed again.
func TestFindingsCacheKeepsVerdictForTTL(t *testing.T) {
	pool := testenv.Database(t)
	ctx := context.Background()
	// A matter the party committee must decide, and a government meeting
	// that decides it: WRONG_BODY and NO_RECORDING for each decision.
	_, err := pool.Exec(ctx, `
		WITH u AS (INSERT INTO org_units (code, name, level) VALUES ('T', '青山镇', 'township')
			RETURNING id),
		b AS (INSERT INTO meeting_bodies (org_unit_id, code, name, kind)
			SELECT id, 'T-GOV', '政府常务会议', 'government_executive' FROM u RETURNING id),
		m AS (INSERT INTO matters (org_unit_id, code, name, category, required_body_kind,
				required_body_kinds)
			SELECT id, 'T-M1', '大额资金使用', 'decision', 'party_committee',
				ARRAY['party_committee'] FROM u RETURNING id)
		INSERT INTO meetings (body_id, title, planned_start)
		SELECT id, '政府常务会议', '2026-03-01T09:00:00+08:00' FROM b`)
	if err != nil {
		t.Fatal(err)
	}
	decide := func(seq int) int64 {
		var item int64
		err := pool.QueryRow(ctx, `
			WITH ai AS (INSERT INTO agenda_items (meeting_id, seq, title)
				SELECT id, $1, '议题' FROM meetings RETURNING id)
			INSERT INTO decisions (org_unit_id, matter_id, title, decided_at, agenda_item_id)
			SELECT u.id, m.id, '决定', '2026-03-02T09:00:00+08:00', ai.id
			FROM org_units u, matters m, ai RETURNING agenda_item_id`, seq).Scan(&item)
		if err != nil {
			t.Fatal(err)
		}
		return item
	}
	first := decide(1)

	now := time.Now()
	c := newFindingsCache(pool)
	c.now = func() time.Time { return now }
	check := func(when string, want ...int64) {
		t.Helper()
		got, err := c.items(ctx, "T")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got items %v, want %v", when, got, want)
		}
	}
	check("first", first)
	second := decide(2)
	now = now.Add(FindingsTTL - time.Second)
	check("within the TTL", first)
	now = now.Add(time.Second)
	check("after the TTL", first, second)
	if got, err := c.items(ctx, "NOWHERE"); err == nil {
		t.Errorf("an unknown unit: got %v, want an error", got)
	}
}
