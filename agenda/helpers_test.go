package agenda_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/testenv"
)

// world is a small agenda in a fresh database: a township with a party
// committee, a matter, a meeting and an agenda item.
type world struct {
	pool    *pgxpool.Pool
	store   *agenda.Store
	unit    agenda.OrgUnit
	body    agenda.Body
	matter  agenda.Matter
	meeting agenda.Meeting
	item    agenda.AgendaItem
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Database(t)
	s := agenda.NewStore(pool)
	w := &world{pool: pool, store: s}
	var err error
	w.unit, err = s.CreateOrgUnit(ctx, agenda.OrgUnitInput{
		Code: "t1", Name: "测试镇", Level: agenda.LevelTownship})
	must(t, err)
	w.body, err = s.CreateBody(ctx, agenda.BodyInput{OrgUnitID: w.unit.ID, Code: "t1-pc",
		Name: "测试镇党委", Kind: agenda.BodyPartyCommittee})
	must(t, err)
	kind := agenda.BodyPartyCommittee
	w.matter, err = s.CreateMatter(ctx, agenda.MatterInput{OrgUnitID: w.unit.ID, Code: "T-01",
		Name: "大额资金", Category: agenda.CategoryDecision, RequiredBodyKind: &kind,
		AmountThreshold: new(agenda.Yuan(50000))})
	must(t, err)
	w.meeting = w.newMeeting(t, "第1次")
	w.item, err = s.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: w.meeting.ID,
		Title: "议题一", MatterID: &w.matter.ID})
	must(t, err)
	return w
}

func (w *world) newMeeting(t testing.TB, title string) agenda.Meeting {
	t.Helper()
	m, err := w.store.CreateMeeting(context.Background(), agenda.MeetingInput{
		BodyID: w.body.ID, Title: title, PlannedStart: at(0)})
	must(t, err)
	return m
}

// at is a fixed instant plus minutes, so that tests do not depend on the
// clock.
func at(minutes int) time.Time {
	return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantFields checks that err is a *ValidationError naming exactly fields.
func wantFields(t testing.TB, err error, fields ...string) {
	t.Helper()
	var ve *agenda.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got error %v, want a ValidationError on %v", err, fields)
	}
	if !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("got %v not matching ErrInvalid", err)
	}
	got := map[string]bool{}
	for _, f := range ve.Fields {
		if f.Reason == "" {
			t.Errorf("got field %s without a reason", f.Field)
		}
		got[f.Field] = true
	}
	if len(got) != len(fields) {
		t.Errorf("got fields %v, want %v", ve.Fields, fields)
	}
	for _, f := range fields {
		if !got[f] {
			t.Errorf("got fields %v, want %s among them", ve.Fields, f)
		}
	}
}

func wantIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}
