package alert

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/verify"
)

func TestSweepKeepsWhatTheVerifierFinds(t *testing.T) {
	e := newEnv(t)
	res := e.sweep(t, e.sweeper(t, Config{}))

	want := e.verifierFingerprints(t)
	if len(want) == 0 {
		t.Fatal("the sample gives the verifier nothing to find")
	}
	if res.Found != len(want) || res.Opened != len(want) || res.Resolved != 0 ||
		res.Checked != len(e.sample.Decisions) {
		t.Errorf("got %+v, want %d found and opened of %d decisions", res, len(want),
			len(e.sample.Decisions))
	}
	page, err := e.store.List(context.Background(), Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != len(want) {
		t.Fatalf("got %d findings kept, want %d", len(page.Items), len(want))
	}
	for _, f := range page.Items {
		v, ok := want[f.Fingerprint]
		if !ok {
			t.Errorf("finding %d (%s of decision %d) was not found by the verifier", f.ID,
				f.Code, f.DecisionID)
			continue
		}
		if f.State != StateOpen || f.Code != v.Code || f.DecisionID != v.DecisionID ||
			f.Severity != v.Severity || f.Message != v.Message || f.MessageZH != v.MessageZH ||
			!f.FirstSeen.Equal(f.LastSeen) {
			t.Errorf("got %+v, want open and as the verifier found it: %+v", f, v)
		}
		d := e.finding(t, f.DecisionID, f.Code)
		ev := lastEvent(d)
		if len(d.Events) != 1 || ev.Kind != EventOpened || ev.Actor != ActorVerifier ||
			ev.ToState != StateOpen || ev.FromState != nil {
			t.Errorf("finding %d: got events %+v, want one 'opened' by the verifier", f.ID,
				d.Events)
		}
	}
}

func TestSecondSweepMovesOnlyLastSeen(t *testing.T) {
	e := newEnv(t)
	s := e.sweeper(t, Config{})
	e.sweep(t, s)
	before := e.rows(t)
	events := e.count(t, `SELECT count(*) FROM finding_events`)

	res := e.sweep(t, s)
	if res.Opened != 0 || res.Reopened != 0 || res.Resolved != 0 || res.Found != len(before) {
		t.Errorf("got %+v, want %d found and nothing opened or resolved", res, len(before))
	}
	after := e.rows(t)
	if len(after) != len(before) {
		t.Fatalf("got %d findings, want the %d of the first sweep", len(after), len(before))
	}
	for id, b := range before {
		a := after[id]
		if a.rest != b.rest {
			t.Errorf("finding %d changed:\n got %s\nwant %s", id, a.rest, b.rest)
		}
		if !a.lastSeen.After(b.lastSeen) {
			t.Errorf("finding %d: last_seen %v, want later than %v", id, a.lastSeen,
				b.lastSeen)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM finding_events`); got != events {
		t.Errorf("got %d events, want the %d of the first sweep", got, events)
	}
}

func TestFixedDecisionResolvesAndBrokenReopens(t *testing.T) {
	e := newEnv(t)
	s := e.sweeper(t, Config{})
	e.sweep(t, s)
	decision := e.decision(t, verify.CodeNoMeeting)
	opened := e.finding(t, decision, verify.CodeNoMeeting)

	// Fixed: linked to an agenda item of the party committee's meeting.
	e.exec(t, `UPDATE decisions SET agenda_item_id = $1 WHERE id = $2`,
		e.sample.AgendaItemIDs[0], decision)
	res := e.sweep(t, s)
	fixed := e.finding(t, decision, verify.CodeNoMeeting)
	ev := lastEvent(fixed)
	if fixed.State != StateResolved || fixed.StateReason != ReasonGone ||
		fixed.StateActor != ActorVerifier || ev.Kind != EventResolved ||
		ev.Actor != ActorVerifier || ev.Reason != ReasonGone || *ev.FromState != StateOpen {
		t.Errorf("fixed: got %+v with last event %+v; want resolved by the verifier, %q",
			fixed.Finding, ev, ReasonGone)
	}
	if res.Resolved != 1 || res.Opened == 0 { // NO_RECORDING of the linked meeting is new
		t.Errorf("fixed: got %+v, want one resolved and the linked meeting's findings opened",
			res)
	}

	// Broken again.
	e.exec(t, `UPDATE decisions SET agenda_item_id = NULL WHERE id = $1`, decision)
	res = e.sweep(t, s)
	again := e.finding(t, decision, verify.CodeNoMeeting)
	ev = lastEvent(again)
	if again.ID != opened.ID || again.State != StateOpen || ev.Kind != EventReopened ||
		ev.Actor != ActorVerifier || *ev.FromState != StateResolved ||
		!again.OpenedAt.After(opened.OpenedAt) || !again.FirstSeen.Equal(opened.FirstSeen) {
		t.Errorf("broken again: got %+v with last event %+v; want finding %d reopened",
			again.Finding, ev, opened.ID)
	}
	if res.Reopened != 1 {
		t.Errorf("broken again: got %+v, want one reopened", res)
	}
	if got := len(again.Events); got != 3 {
		t.Errorf("got %d events, want opened, resolved, reopened: %+v", got, again.Events)
	}
}

func TestResolvedByHandStaysResolvedWhileFound(t *testing.T) {
	e := newEnv(t)
	s := e.sweeper(t, Config{})
	e.sweep(t, s)
	decision := e.decision(t, verify.CodeNoMeeting)
	f := e.finding(t, decision, verify.CodeNoMeeting)
	ctx := context.Background()
	if _, err := e.store.Resolve(ctx, f.ID, Change{By: "admin", Reason: "minutes on paper"}); err != nil {
		t.Fatal(err)
	}

	e.sweep(t, s) // still found
	got := e.finding(t, decision, verify.CodeNoMeeting)
	if got.State != StateResolved || got.StateActor != "admin" ||
		!got.LastSeen.After(f.LastSeen) {
		t.Errorf("still found: got %+v, want resolved by admin and seen again", got.Finding)
	}

	e.exec(t, `UPDATE decisions SET agenda_item_id = $1 WHERE id = $2`,
		e.sample.AgendaItemIDs[0], decision)
	e.sweep(t, s) // gone
	e.exec(t, `UPDATE decisions SET agenda_item_id = NULL WHERE id = $1`, decision)
	e.sweep(t, s) // back
	got = e.finding(t, decision, verify.CodeNoMeeting)
	if got.State != StateOpen || lastEvent(got).Kind != EventReopened {
		t.Errorf("gone and back: got %+v, want reopened", got.Finding)
	}
}

func TestSweepLeavesFindingsOfRulesThatDidNotRun(t *testing.T) {
	e := newEnv(t)
	s := e.sweeper(t, Config{}) // no object store: no RECORDING_TAMPERED
	decision := e.decision(t, verify.CodeNoMeeting)
	e.exec(t, `INSERT INTO findings (fingerprint, code, severity, decision_id,
		    decision_title, matter_code, unit_code, object_key, message, message_zh, state,
		    state_actor, state_changed_at, first_seen, last_seen, opened_at)
		VALUES ('tampered', 'RECORDING_TAMPERED', 'high', $1, 't', 'QS-03', 'qingshan',
		    'k', 'm', 'm', 'open', 'verifier', now(), now(), now(), now())`, decision)
	res := e.sweep(t, s)
	page, err := e.store.List(context.Background(),
		Filter{Codes: []string{verify.CodeRecordingTampered}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].State != StateOpen || res.Resolved != 0 {
		t.Errorf("got %+v after %+v, want the RECORDING_TAMPERED finding left open",
			page.Items, res)
	}
}

func TestAcknowledgeAndResolve(t *testing.T) {
	e := newEnv(t)
	e.sweep(t, e.sweeper(t, Config{}))
	f := e.finding(t, e.decision(t, verify.CodeWrongBody), verify.CodeWrongBody)
	ctx := context.Background()

	acked, err := e.store.Acknowledge(ctx, f.ID, Change{By: " 张三 ", Via: ViaAdminToken,
		Reason: "  asked the office  "})
	ev := lastEvent(acked)
	if err != nil || acked.State != StateAcknowledged || acked.StateActor != "张三" ||
		ev.Kind != EventAcknowledged || ev.Actor != "张三" || ev.Via != ViaAdminToken ||
		ev.Reason != "asked the office" || *ev.FromState != StateOpen ||
		ev.ToState != StateAcknowledged {
		t.Errorf("acknowledge: got %+v, last event %+v, %v", acked.Finding, ev, err)
	}
	resolved, err := e.store.Resolve(ctx, f.ID, Change{By: "李四", Reason: "decision annulled"})
	ev = lastEvent(resolved)
	if err != nil || resolved.State != StateResolved || resolved.StateReason != "decision annulled" ||
		resolved.StateActor != "李四" || ev.Kind != EventResolved ||
		*ev.FromState != StateAcknowledged || ev.Actor != "李四" || ev.Via != "" {
		t.Errorf("resolve: got %+v, last event %+v, %v", resolved.Finding, ev, err)
	}
	if opened := resolved.Events[0]; opened.Actor != ActorVerifier || opened.Via != "" {
		t.Errorf("got the opening event %+v, want the verifier's, with no credential", opened)
	}

	open := e.finding(t, e.decision(t, verify.CodeNoMeeting), verify.CodeNoMeeting)
	for _, tc := range []struct {
		name    string
		resolve bool // else acknowledge
		id      int64
		c       Change
		want    error
		fields  []string // named by the error
	}{
		{"acknowledge a resolved finding", false, f.ID, Change{By: "张三"}, ErrConflict, nil},
		{"resolve a resolved finding", true, f.ID, Change{By: "张三", Reason: "again"},
			ErrConflict, nil},
		{"unknown finding", false, 999999, Change{By: "张三"}, ErrNotFound, nil},
		{"resolve without a reason", true, open.ID, Change{By: "张三", Reason: "   "},
			ErrInvalid, []string{"reason"}},
		{"no name", false, open.ID, Change{Reason: "seen"}, ErrInvalid, []string{"by"}},
		{"a blank name", false, open.ID, Change{By: " \t "}, ErrInvalid, []string{"by"}},
		{"a name too long", false, open.ID, Change{By: strings.Repeat("张", maxBy+1)},
			ErrInvalid, []string{"by"}},
		{"a name of two lines", false, open.ID, Change{By: "张三\n李四"}, ErrInvalid,
			[]string{"by"}},
		{"the verifier's name", false, open.ID, Change{By: "Verifier"}, ErrInvalid,
			[]string{"by"}},
		{"resolve without a name or reason", true, open.ID, Change{}, ErrInvalid,
			[]string{"by", "reason"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do := e.store.Acknowledge
			if tc.resolve {
				do = e.store.Resolve
			}
			_, err := do(ctx, tc.id, tc.c)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var fields []string
			for _, fe := range fielderr.All(err) {
				fields = append(fields, fe.Field)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("got %v naming %v, want %v", err, fields, tc.fields)
			}
		})
	}
	if got := len(e.finding(t, f.DecisionID, f.Code).Events); got != 3 {
		t.Errorf("got %d events, want opened, acknowledged, resolved", got)
	}
	if got := e.finding(t, open.DecisionID, open.Code); got.State != StateOpen ||
		len(got.Events) != 1 {
		t.Errorf("after the refusals: got %+v with %d events, want it open as found",
			got.Finding, len(got.Events))
	}
}

// TestNewestReadsManyInOneQuery checks Store.Newest against the pages of
// List: the same findings in the same order, cut at n, with the total.
func TestNewestReadsManyInOneQuery(t *testing.T) {
	e := newEnv(t)
	e.sweep(t, e.sweeper(t, Config{}))
	ctx := context.Background()
	page, err := e.store.List(ctx, Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) < 3 {
		t.Fatalf("the sample gives %d findings, want at least 3", len(page.Items))
	}
	all, total, err := e.store.Newest(ctx, Filter{}, 0)
	if err != nil || total != len(page.Items) || len(all) != total {
		t.Fatalf("all: got %d of %d (%v), want %d of %d", len(all), total, err,
			len(page.Items), len(page.Items))
	}
	some, total, err := e.store.Newest(ctx, Filter{}, 2)
	if err != nil || total != len(page.Items) || len(some) != 2 ||
		some[0].ID != page.Items[0].ID || some[1].ID != page.Items[1].ID {
		t.Errorf("newest 2: got %d of %d (%v), want the first two of the list's %d",
			len(some), total, err, len(page.Items))
	}
	if _, _, err := e.store.Newest(ctx, Filter{}, -1); !errors.Is(err, ErrInvalid) {
		t.Errorf("n -1: got %v, want ErrInvalid", err)
	}
	if _, _, err := e.store.Newest(ctx, Filter{Unit: "NOWHERE"}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown unit: got %v, want ErrInvalid", err)
	}
}

// TestFindingsFollowARenamedUnit renames the sample township after a
// sweep, with no sweep after it: its findings are listed under the new code
// and under the county's, and the old code, which no unit has now, is
// refused.
func TestFindingsFollowARenamedUnit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.sweep(t, e.sweeper(t, Config{}))
	before, err := e.store.List(ctx, Filter{Unit: "qingshan", Limit: MaxLimit})
	if err != nil || len(before.Items) == 0 {
		t.Fatalf("before the rename: got %d findings (%v), want some", len(before.Items), err)
	}
	_, err = e.pool.Exec(ctx, `UPDATE org_units SET code = 'qingshan-2' WHERE code = 'qingshan'`)
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{"qingshan-2", "qinghe"} {
		after, err := e.store.List(ctx, Filter{Unit: unit, Limit: MaxLimit})
		if err != nil || len(after.Items) != len(before.Items) {
			t.Errorf("unit %s after the rename: got %d findings (%v), want %d", unit,
				len(after.Items), err, len(before.Items))
		}
		if _, n, err := e.store.Newest(ctx, Filter{Unit: unit}, 0); err != nil ||
			n != len(before.Items) {
			t.Errorf("newest of %s: got %d (%v), want %d", unit, n, err, len(before.Items))
		}
	}
	if _, err := e.store.List(ctx, Filter{Unit: "qingshan"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("the old code: got %v, want ErrInvalid", err)
	}
}

// queryLog keeps the SQL of every query of a pool.
type queryLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *queryLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn,
	d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql = append(l.sql, d.SQL)
	return ctx
}

func (l *queryLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// take returns the queries since the last take.
func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sql
	l.sql = nil
	return out
}

// TestNewestCountsOnlyAFullList: Newest counts the findings only when it
// read as many as it was asked for; fewer are all there are.
func TestNewestCountsOnlyAFullList(t *testing.T) {
	e := newEnv(t)
	e.sweep(t, e.sweeper(t, Config{}))
	ctx := context.Background()
	log := &queryLog{}
	cfg := e.pool.Config()
	cfg.ConnConfig.Tracer = log
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := NewStore(pool)
	all := e.count(t, `SELECT count(*) FROM findings`)
	if all < 3 {
		t.Fatalf("the sample gives %d findings, want at least 3", all)
	}
	for _, tc := range []struct {
		name    string
		n, read int
		counted bool
	}{
		{"all", 0, all, false},
		{"more than there are", all + 5, all, false},
		{"as many as there are", all, all, true},
		{"fewer than there are", 2, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.take()
			items, total, err := store.Newest(ctx, Filter{}, tc.n)
			if err != nil || len(items) != tc.read || total != all {
				t.Fatalf("got %d of %d (%v), want %d of %d", len(items), total, err, tc.read,
					all)
			}
			counted := false
			for _, q := range log.take() {
				counted = counted || q == countSQL
			}
			if counted != tc.counted {
				t.Errorf("counted: got %v, want %v", counted, tc.counted)
			}
		})
	}
}

func TestSweepSkipsTheCodesItIsTold(t *testing.T) {
	e := newEnv(t)
	e.sweep(t, e.sweeper(t, Config{}))
	decision := e.decision(t, verify.CodeNoMeeting)
	before := e.finding(t, decision, verify.CodeNoMeeting)

	// Fixed, but swept without NO_MEETING: its finding is left as it is.
	e.exec(t, `UPDATE decisions SET agenda_item_id = $1 WHERE id = $2`,
		e.sample.AgendaItemIDs[0], decision)
	res := e.sweep(t, e.sweeper(t, Config{Skip: []string{verify.CodeNoMeeting}}))
	if slices.Contains(res.Codes, verify.CodeNoMeeting) {
		t.Errorf("the sweep ran %v, want NO_MEETING left out", res.Codes)
	}
	if got := e.finding(t, decision, verify.CodeNoMeeting); got.State != StateOpen ||
		len(got.Events) != len(before.Events) {
		t.Errorf("got %+v with %d events, want it open as before", got.Finding, len(got.Events))
	}
	if _, err := NewSweeper(e.pool, nil, Config{Skip: []string{"NO_SUCH"}},
		e.logger); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "NO_SUCH") {
		t.Errorf("a sweeper skipping an unknown code: got %v, want ErrInvalid naming it", err)
	}
	if _, err := NewSweeper(e.pool, nil, Config{Skip: verify.Codes()},
		e.logger); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "no rule") {
		t.Errorf("a sweeper skipping every code: got %v, want ErrInvalid", err)
	}
	// Left with RECORDING_TAMPERED alone and no evidence store: no rule at all.
	others := slices.DeleteFunc(verify.Codes(), func(c string) bool {
		return c == verify.CodeRecordingTampered
	})
	s := e.sweeper(t, Config{Skip: others})
	if _, err := s.Sweep(context.Background()); err == nil ||
		!strings.Contains(err.Error(), "no rule is left") {
		t.Errorf("a sweep with no rule left: got %v, want an error", err)
	}
}
