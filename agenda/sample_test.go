package agenda_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/testenv"
)

// tableCounts counts the rows of every table the sample writes.
func tableCounts(t testing.TB, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range []string{
		"org_units", "meeting_bodies", "matters", "meetings", "agenda_items", "decisions",
	} {
		var n int
		must(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
		counts[table] = n
	}
	return counts
}

func TestLoadSample(t *testing.T) {
	pool := testenv.Database(t)
	store := agenda.NewStore(pool)
	ctx := context.Background()
	s, err := agenda.LoadSample(ctx, store)
	must(t, err)

	want := map[string]int{"org_units": 2, "meeting_bodies": 2, "matters": 10,
		"meetings": 2, "agenda_items": 6, "decisions": 9}
	if got := tableCounts(t, pool); !reflect.DeepEqual(got, want) {
		t.Errorf("got counts %v, want %v", got, want)
	}

	t.Run("idempotent", func(t *testing.T) {
		again, err := agenda.LoadSample(ctx, store)
		must(t, err)
		if !reflect.DeepEqual(again, s) {
			t.Errorf("got %+v on the second load, want %+v", again, s)
		}
		if got := tableCounts(t, pool); !reflect.DeepEqual(got, want) {
			t.Errorf("got counts %v after the second load, want %v", got, want)
		}
	})

	t.Run("recorded meeting", func(t *testing.T) {
		d, err := store.GetMeetingDetail(ctx, s.MeetingID)
		must(t, err)
		if d.Title != "党委会 2026年第12次" || d.Body.Kind != agenda.BodyPartyCommittee {
			t.Errorf("got %q of %s, want 党委会 2026年第12次 of the party committee",
				d.Title, d.Body.Kind)
		}
		cst := time.FixedZone("CST", 8*3600)
		y, m, day := time.Now().In(cst).Date()
		if py, pm, pd := d.PlannedStart.In(cst).Date(); py != y || pm != m || pd != day {
			t.Errorf("got planned %v, want today in China Standard Time", d.PlannedStart)
		}
		if len(d.AgendaItems) != 3 || len(s.AgendaItemIDs) != 3 ||
			d.AgendaItems[0].ID != s.AgendaItemIDs[0] || d.AgendaItems[0].MatterID == nil {
			t.Errorf("got items %+v, want the 3 sample items tied to matters", d.AgendaItems)
		}
	})

	t.Run("procedure list", func(t *testing.T) {
		m, err := store.GetMatter(ctx, s.Matters["QS-03"])
		must(t, err)
		if m.AmountThreshold == nil || *m.AmountThreshold != agenda.Yuan(50000) ||
			m.RequiredBodyKind == nil || *m.RequiredBodyKind != agenda.BodyPartyCommittee {
			t.Errorf("got %+v, want 50000 CNY by the party committee", m)
		}
		free, err := store.GetMatter(ctx, s.Matters["QS-10"])
		must(t, err)
		if free.RequiredBodyKind != nil || free.MustRecord {
			t.Errorf("got %+v, want a matter needing no meeting", free)
		}
	})

	t.Run("decisions", func(t *testing.T) {
		findings := map[string]int{}
		for _, sd := range s.Decisions {
			d, err := store.GetDecision(ctx, sd.ID)
			must(t, err)
			if d.Reference != sd.Reference {
				t.Errorf("got reference %q, want %q", d.Reference, sd.Reference)
			}
			findings[sd.WantFinding]++
		}
		want := map[string]int{"": 5, "NO_RECORDING": 1, "NO_MEETING": 1, "WRONG_BODY": 1,
			"DECIDED_BEFORE_MEETING": 1}
		if !reflect.DeepEqual(findings, want) {
			t.Errorf("got findings %v, want %v", findings, want)
		}
	})
}

// TestLoadSampleScenarios checks that each sample decision really shows
// the case its WantFinding names.
func TestLoadSampleScenarios(t *testing.T) {
	store := agenda.NewStore(testenv.Database(t))
	ctx := context.Background()
	s, err := agenda.LoadSample(ctx, store)
	must(t, err)
	recorded, err := store.GetMeeting(ctx, s.MeetingID)
	must(t, err)
	for _, sd := range s.Decisions {
		t.Run(sd.Reference, func(t *testing.T) {
			d, err := store.GetDecision(ctx, sd.ID)
			must(t, err)
			m, err := store.GetMatter(ctx, d.MatterID)
			must(t, err)
			needs := m.RequiredBodyKind != nil &&
				(m.AmountThreshold == nil || (d.Amount != nil && *d.Amount >= *m.AmountThreshold))
			var kind agenda.BodyKind
			var meeting agenda.Meeting
			if d.AgendaItemID != nil {
				it, err := store.GetAgendaItem(ctx, *d.AgendaItemID)
				must(t, err)
				meeting, err = store.GetMeeting(ctx, it.MeetingID)
				must(t, err)
				body, err := store.GetBody(ctx, meeting.BodyID)
				must(t, err)
				kind = body.Kind
			}
			rightBody := m.RequiredBodyKind != nil && kind == *m.RequiredBodyKind
			var ok bool
			switch sd.WantFinding {
			case "":
				ok = !needs || (meeting.ID == recorded.ID && rightBody &&
					d.DecidedAt.After(recorded.PlannedStart))
			case "NO_MEETING":
				ok = needs && d.AgendaItemID == nil
			case "NO_RECORDING":
				ok = needs && rightBody && meeting.ID == s.EarlierMeetingID &&
					d.DecidedAt.After(meeting.PlannedStart)
			case "WRONG_BODY":
				ok = needs && d.AgendaItemID != nil && !rightBody
			case "DECIDED_BEFORE_MEETING":
				ok = needs && rightBody && meeting.ID == recorded.ID &&
					d.DecidedAt.Before(recorded.PlannedStart)
			}
			if !ok {
				t.Errorf("got decision %+v of matter %s (body kind %q), want a case of %q",
					d, m.Code, kind, sd.WantFinding)
			}
		})
	}
}
