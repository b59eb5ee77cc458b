package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/verify"
)

const testSecret = "whsec-test"

// start runs the jobs of cfg (without the periodic sweep) and returns the
// sweeper.
func (e *env) start(t *testing.T, cfg Config) *Sweeper {
	t.Helper()
	cfg.Secret = testSecret
	set := jobs.NewSet()
	s, err := AddTo(set, cfg, Deps{Pool: e.pool, Logger: e.logger})
	if err != nil {
		t.Fatalf("AddTo: %v", err)
	}
	r, err := jobs.NewRunner(e.pool, set, e.logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("stop jobs: %v", err)
		}
	})
	return s
}

// waitDeliveries waits until every delivery is delivered or given up.
func (e *env) waitDeliveries(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second) // a guard against a hang, not a speed test
	for time.Now().Before(deadline) {
		if e.count(t, `SELECT count(*) FROM finding_deliveries WHERE state = 'queued'`) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("deliveries still queued after 90 s: %d",
		e.count(t, `SELECT count(*) FROM finding_deliveries WHERE state = 'queued'`))
}

// received is one request a test webhook got.
type received struct {
	header http.Header
	body   []byte
}

// hook is a test webhook that answers status to every request.
type hook struct {
	mu   sync.Mutex
	got  []received
	srv  *httptest.Server
	hold chan struct{} // when set, each request waits for it to close
	busy atomic.Int32  // requests being answered
}

func newHook(t *testing.T, status int, hold chan struct{}) *hook {
	h := &hook{hold: hold}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.busy.Add(1)
		defer h.busy.Add(-1)
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, received{header: r.Header.Clone(), body: body})
		h.mu.Unlock()
		if h.hold != nil {
			<-h.hold // not r.Context(): the hook hangs even when the client leaves
		}
		w.WriteHeader(status)
		if status >= 400 {
			fmt.Fprint(w, "boom")
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) requests() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

// checkSignature verifies the X-Liuhen-Signature of r as a receiver would.
func checkSignature(t *testing.T, r received) {
	t.Helper()
	var ts, v1 string
	for _, part := range strings.Split(r.header.Get("X-Liuhen-Signature"), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		t.Errorf("signature time %q: want a Unix time within 5 minutes of now", ts)
	}
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(ts + "." + string(r.body)))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(v1), []byte(want)) {
		t.Errorf("signature v1=%s, want %s", v1, want)
	}
}

// findingsAtLeast returns the ids of the kept findings at or above severity.
func (e *env) findingsAtLeast(t *testing.T, severity string) map[int64]bool {
	t.Helper()
	page, err := e.store.List(context.Background(), Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, f := range page.Items {
		if severityRank(f.Severity) >= severityRank(severity) {
			out[f.ID] = true
		}
	}
	return out
}

func TestWarningDeliveredSigned(t *testing.T) {
	e := newEnv(t)
	h := newHook(t, http.StatusNoContent, nil)
	s := e.start(t, Config{Webhooks: []string{h.srv.URL + "/hook?token=x"},
		PublicURL: "http://liuhen.example/"})
	res := e.sweep(t, s)
	e.waitDeliveries(t)

	want := e.findingsAtLeast(t, verify.SeverityHigh)
	got := h.requests()
	if len(got) != len(want) || res.Queued != len(want) {
		t.Fatalf("got %d requests (%d queued), want one per high finding: %d", len(got),
			res.Queued, len(want))
	}
	for _, r := range got {
		checkSignature(t, r)
		var w Warning
		if err := json.Unmarshal(r.body, &w); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
		f := w.Finding
		if !want[f.ID] || w.Type != "finding.opened" || f.State != StateOpen ||
			r.header.Get("X-Liuhen-Event") != w.Type ||
			r.header.Get("X-Liuhen-Delivery") != fmt.Sprint(w.DeliveryID) ||
			r.header.Get("Content-Type") != "application/json" {
			t.Errorf("got warning %s with headers %v; want an opened high finding", r.body,
				r.header)
		}
		if w.Links.Finding != fmt.Sprintf("http://liuhen.example/api/v1/findings/%d", f.ID) ||
			(f.MeetingID != nil && w.Links.Meeting == "") {
			t.Errorf("got links %+v of finding %+v", w.Links, f)
		}
		delete(want, f.ID)
	}
	d := e.finding(t, e.decision(t, verify.CodeNoMeeting), verify.CodeNoMeeting)
	if len(d.DeliveryLog) != 1 {
		t.Fatalf("got deliveries %+v, want one", d.DeliveryLog)
	}
	dl := d.DeliveryLog[0]
	if dl.State != DeliveryDelivered || dl.Attempts != 1 || *dl.LastStatus != 204 ||
		dl.FinishedAt == nil || len(dl.Log) != 1 || *dl.Log[0].StatusCode != 204 ||
		dl.Webhook != h.srv.URL+"/hook" || d.Deliveries.Delivered != 1 {
		t.Errorf("got delivery %+v, want delivered at the first attempt, URL without query",
			dl)
	}
}

func TestWarningGivenUpAfterErrors(t *testing.T) {
	e := newEnv(t)
	h := newHook(t, http.StatusInternalServerError, nil)
	s := e.start(t, Config{Webhooks: []string{h.srv.URL}, Attempts: 3,
		RetryBase: time.Millisecond})
	res := e.sweep(t, s)
	e.waitDeliveries(t)

	if got := len(h.requests()); got != 3*res.Queued || res.Queued == 0 {
		t.Errorf("got %d requests, want 3 attempts of each of %d warnings", got, res.Queued)
	}
	d := e.finding(t, e.decision(t, verify.CodeNoMeeting), verify.CodeNoMeeting)
	if len(d.DeliveryLog) != 1 {
		t.Fatalf("got deliveries %+v, want one", d.DeliveryLog)
	}
	dl := d.DeliveryLog[0]
	if dl.State != DeliveryGivenUp || dl.Attempts != 3 || len(dl.Log) != 3 ||
		!strings.Contains(dl.LastError, "500 Internal Server Error") ||
		!strings.Contains(dl.LastError, "boom") || d.Deliveries.GivenUp != 1 {
		t.Errorf("got delivery %+v, want given up after 3 attempts with the last error", dl)
	}
	for i, a := range dl.Log {
		if a.Attempt != i+1 || a.StatusCode == nil || *a.StatusCode != 500 || a.Error == "" {
			t.Errorf("attempt %d: got %+v, want answered 500 with its error", i+1, a)
		}
	}
	// River marks the jobs a moment after the worker has returned.
	for e.count(t, `SELECT count(*) FROM river_job WHERE kind = $1 AND state <> 'discarded'`,
		DeliveryArgs{}.Kind()) != 0 { // guarded by the test's own timeout
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHangingWebhookHoldsUpNoSweep(t *testing.T) {
	e := newEnv(t)
	hold := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	h := newHook(t, http.StatusOK, hold)
	t.Cleanup(release) // before the server closes, which waits for its handlers
	s := e.start(t, Config{Webhooks: []string{h.srv.URL}, RetryBase: time.Millisecond})
	e.sweep(t, s)
	for h.busy.Load() == 0 { // guarded by the test's own timeout
		time.Sleep(10 * time.Millisecond)
	}

	// While the hook hangs: a new finding, and a sweep that queues it.
	e.addDecision(t, "镇卫生院设备购置12万元", 120000, nil, time.Now())
	res := e.sweep(t, s)
	if res.Opened != 1 || res.Queued != 1 {
		t.Errorf("got %+v, want the new finding opened and queued", res)
	}
	if h.busy.Load() == 0 {
		t.Fatal("the hook is not hanging any more; the test proves nothing")
	}
	if n := e.count(t, `SELECT count(*) FROM findings`); n != res.Found {
		t.Errorf("got %d findings kept, want %d", n, res.Found)
	}

	release()
	e.waitDeliveries(t)
	if n := e.count(t, `SELECT count(*) FROM finding_deliveries WHERE state <> 'delivered'`); n != 0 {
		t.Errorf("got %d deliveries not delivered once the hook answers, want none", n)
	}
}

func TestOnlySevereEnoughFindingsAreQueued(t *testing.T) {
	for _, min := range Severities() {
		t.Run(min, func(t *testing.T) {
			e := newEnv(t)
			var planned time.Time
			if err := e.pool.QueryRow(context.Background(), `SELECT planned_start
				FROM meetings WHERE id = $1`, e.sample.MeetingID).Scan(&planned); err != nil {
				t.Fatal(err)
			}
			// Dated 00:00 on the meeting's day: a low DECIDED_BEFORE_MEETING.
			day := planned.In(time.Local)
			midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.Local)
			e.addDecision(t, "镇敬老院床位购置9万元", 90000, &e.sample.AgendaItemIDs[0], midnight)
			s := e.sweeper(t, Config{MinSeverity: min, Secret: testSecret,
				Webhooks: []string{"http://a.example/hook", "http://b.example/hook"}})
			e.sweep(t, s)

			want := e.findingsAtLeast(t, min)
			all := e.findingsAtLeast(t, verify.SeverityLow)
			medium := e.findingsAtLeast(t, verify.SeverityMedium)
			high := e.findingsAtLeast(t, verify.SeverityHigh)
			if !(len(all) > len(medium) && len(medium) > len(high) && len(high) > 0) {
				t.Fatalf("got %d, %d, %d findings of low, medium, high or above; want "+
					"some of each severity", len(all), len(medium), len(high))
			}
			rows, err := e.pool.Query(context.Background(),
				`SELECT finding_id, count(*) FROM finding_deliveries GROUP BY finding_id`)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for rows.Next() {
				var id int64
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					t.Fatal(err)
				}
				got[id] = n == 2 // one per webhook
			}
			if len(got) != len(want) {
				t.Errorf("got warnings of %d findings, want %d (severity %s or above)",
					len(got), len(want), min)
			}
			for id := range want {
				if !got[id] {
					t.Errorf("finding %d: got no warning to each webhook", id)
				}
			}
			jobs := e.count(t, `SELECT count(*) FROM river_job WHERE kind = $1`,
				DeliveryArgs{}.Kind())
			if jobs != 2*len(want) {
				t.Errorf("got %d delivery jobs, want %d", jobs, 2*len(want))
			}
		})
	}
}

func TestHangingWebhookTimesOut(t *testing.T) {
	e := newEnv(t)
	hold := make(chan struct{})
	h := newHook(t, http.StatusOK, hold)
	t.Cleanup(func() { close(hold) })
	s := e.start(t, Config{Webhooks: []string{h.srv.URL}, Attempts: 1,
		Timeout: 200 * time.Millisecond})
	e.sweep(t, s)
	e.waitDeliveries(t)

	d := e.finding(t, e.decision(t, verify.CodeNoMeeting), verify.CodeNoMeeting)
	if len(d.DeliveryLog) != 1 {
		t.Fatalf("got deliveries %+v, want one", d.DeliveryLog)
	}
	dl := d.DeliveryLog[0]
	if dl.State != DeliveryGivenUp || dl.LastStatus != nil ||
		!strings.Contains(dl.LastError, "no answer within 200ms") {
		t.Errorf("got delivery %+v, want given up for want of an answer within 200ms", dl)
	}
}

// decidedBeforePlannedStart registers a decision dated two hours before the
// sample meeting, which it makes known only by its planned start: a medium
// DECIDED_BEFORE_MEETING until startMeeting records the start.
func (e *env) decidedBeforePlannedStart(t *testing.T) int64 {
	t.Helper()
	var planned time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT planned_start FROM meetings
		WHERE id = $1`, e.sample.MeetingID).Scan(&planned); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE meetings SET started_at = NULL WHERE id = $1`, e.sample.MeetingID)
	return e.addDecision(t, "镇卫生院设备购置8万元", 80000, &e.sample.AgendaItemIDs[0],
		planned.Add(-2*time.Hour))
}

// startMeeting records the sample meeting's start, at its planned time.
func (e *env) startMeeting(t *testing.T) {
	t.Helper()
	e.exec(t, `UPDATE meetings SET started_at = planned_start WHERE id = $1`,
		e.sample.MeetingID)
}

func TestEscalatedFindingWarns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	decision := e.decidedBeforePlannedStart(t)
	s := e.sweeper(t, Config{MinSeverity: verify.SeverityHigh, Secret: testSecret,
		Webhooks: []string{"http://a.example/hook"}})
	e.sweep(t, s)
	before := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
	if before.Severity != verify.SeverityMedium {
		t.Fatalf("before the recorded start: got severity %s, want medium", before.Severity)
	}
	warned := func() int {
		return e.count(t, `SELECT count(*) FROM finding_deliveries WHERE finding_id = $1`,
			before.ID)
	}
	if n := warned(); n != 0 {
		t.Fatalf("a medium finding under a high minimum: got %d warnings, want none", n)
	}

	// The meeting's recorded start is now known, at the planned time: high.
	e.startMeeting(t)
	res := e.sweep(t, s)
	after := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
	ev := lastEvent(after)
	if after.ID != before.ID || after.Severity != verify.SeverityHigh ||
		after.State != StateOpen || ev.Kind != EventEscalated || ev.Actor != ActorVerifier ||
		ev.FromState == nil || *ev.FromState != StateOpen || ev.ToState != StateOpen ||
		ev.Reason != "severity rose from medium to high" {
		t.Errorf("got %+v with last event %+v; want finding %d open, high, escalated by "+
			"the verifier", after.Finding, ev, before.ID)
	}
	if res.Escalated < 1 {
		t.Errorf("got %+v, want at least one escalated", res)
	}
	var kind string
	if err := e.pool.QueryRow(ctx, `SELECT ev.kind FROM finding_deliveries d
		JOIN finding_events ev ON ev.id = d.event_id WHERE d.finding_id = $1`,
		before.ID).Scan(&kind); err != nil {
		t.Fatalf("the escalated finding's warning: %v", err)
	}
	if kind != EventEscalated {
		t.Errorf("got a warning of a %q event, want %q", kind, EventEscalated)
	}

	// Found again at the same severity: no new event, no new warning.
	events := len(after.Events)
	e.sweep(t, s)
	if again := e.finding(t, decision, verify.CodeDecidedBeforeMeeting); len(again.Events) !=
		events || warned() != 1 {
		t.Errorf("a third sweep: got %d events and %d warnings, want %d and 1",
			len(again.Events), warned(), events)
	}
}

func TestAcknowledgedFindingEscalatesAndStaysAcknowledged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	decision := e.decidedBeforePlannedStart(t)
	s := e.sweeper(t, Config{})
	e.sweep(t, s)
	f := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
	if _, err := e.store.Acknowledge(ctx, f.ID, Change{By: "inspector", Reason: "asked the township"}); err != nil {
		t.Fatal(err)
	}
	e.startMeeting(t)
	e.sweep(t, s)
	got := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
	ev := lastEvent(got)
	if got.State != StateAcknowledged || got.Severity != verify.SeverityHigh ||
		ev.Kind != EventEscalated || *ev.FromState != StateAcknowledged ||
		ev.ToState != StateAcknowledged {
		t.Errorf("got %+v with last event %+v; want acknowledged, high, escalated",
			got.Finding, ev)
	}
}

// TestFallingAndRisingAgainWarnsOnce: a finding whose severity falls gets a
// "deescalated" event and no warning; rising again to a severity already
// warned of is an escalation without a warning, until the finding is gone
// and reopens, which starts its warnings afresh.
func TestFallingAndRisingAgainWarnsOnce(t *testing.T) {
	e := newEnv(t)
	decision := e.decidedBeforePlannedStart(t)
	s := e.sweeper(t, Config{MinSeverity: verify.SeverityMedium, Secret: testSecret,
		Webhooks: []string{"http://a.example/hook"}})
	e.sweep(t, s)
	f := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
	// warnings lists the kinds of the events the finding was warned of.
	warnings := func() string {
		return queryOne[string](t, e, `SELECT coalesce(string_agg(ev.kind, ',' ORDER BY d.id), '')
			FROM finding_deliveries d JOIN finding_events ev ON ev.id = d.event_id
			WHERE d.finding_id = $1`, f.ID)
	}
	// step sweeps and checks the finding's severity, its last event (from
	// open, or from resolved when it reopens) and the warnings it has had.
	step := func(name, severity, kind, reason, warned string) SweepResult {
		t.Helper()
		res := e.sweep(t, s)
		got := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
		ev := lastEvent(got)
		if got.ID != f.ID || got.Severity != severity || got.State != StateOpen ||
			ev.Kind != kind || ev.Reason != reason || ev.Actor != ActorVerifier ||
			ev.FromState == nil || ev.ToState != StateOpen ||
			(*ev.FromState == StateResolved) != (kind == EventReopened) {
			t.Errorf("%s: got %+v with last event %+v; want finding %d open, %s, %s (%q)",
				name, got.Finding, ev, f.ID, severity, kind, reason)
		}
		if w := warnings(); w != warned {
			t.Errorf("%s: got warnings of %q, want %q", name, w, warned)
		}
		return res
	}
	if f.Severity != verify.SeverityMedium || warnings() != EventOpened {
		t.Fatalf("opened: got %s with warnings %q, want medium and warned of",
			f.Severity, warnings())
	}

	e.startMeeting(t)
	step("rose", verify.SeverityHigh, EventEscalated, "severity rose from medium to high",
		"opened,escalated")
	e.exec(t, `UPDATE meetings SET started_at = NULL WHERE id = $1`, e.sample.MeetingID)
	res := step("fell", verify.SeverityMedium, EventDeescalated,
		"severity fell from high to medium", "opened,escalated")
	if res.Deescalated < 1 || res.Escalated != 0 {
		t.Errorf("fell: got %+v, want deescalations and no escalation", res)
	}
	if last, err := e.store.LastSweep(context.Background(), ""); err != nil ||
		last.Deescalated != res.Deescalated {
		t.Errorf("fell: the sweep was recorded as %+v (%v), want %d deescalated", last, err,
			res.Deescalated)
	}
	e.startMeeting(t)
	step("rose again", verify.SeverityHigh, EventEscalated,
		"severity rose from medium to high; warned of at high already", "opened,escalated")
	if got := e.finding(t, decision, verify.CodeDecidedBeforeMeeting); len(got.Events) != 4 {
		t.Errorf("got events %+v, want opened, escalated, deescalated, escalated", got.Events)
	}

	// Gone (decided after the meeting began), and back before a meeting
	// known by its planned start alone: reopened at medium and warned of, so
	// that rising to high warns again.
	e.exec(t, `UPDATE decisions SET decided_at = decided_at + interval '3 hours'
		WHERE id = $1`, decision)
	e.sweep(t, s)
	e.exec(t, `UPDATE decisions SET decided_at = decided_at - interval '3 hours'
		WHERE id = $1`, decision)
	e.exec(t, `UPDATE meetings SET started_at = NULL WHERE id = $1`, e.sample.MeetingID)
	step("reopened", verify.SeverityMedium, EventReopened, "found again",
		"opened,escalated,reopened")
	e.startMeeting(t)
	step("rose after reopening", verify.SeverityHigh, EventEscalated,
		"severity rose from medium to high", "opened,escalated,reopened,escalated")
}

// TestWarnedSeverityNeedsAWebhook: without a webhook nothing is warned of,
// so a webhook configured later hears of an escalation to a severity the
// finding had before.
func TestWarnedSeverityNeedsAWebhook(t *testing.T) {
	e := newEnv(t)
	decision := e.decidedBeforePlannedStart(t)
	e.startMeeting(t)
	e.sweep(t, e.sweeper(t, Config{MinSeverity: verify.SeverityLow}))
	e.exec(t, `UPDATE meetings SET started_at = NULL WHERE id = $1`, e.sample.MeetingID)
	e.sweep(t, e.sweeper(t, Config{MinSeverity: verify.SeverityLow}))
	f := e.finding(t, decision, verify.CodeDecidedBeforeMeeting)
	if f.Severity != verify.SeverityMedium || lastEvent(f).Kind != EventDeescalated {
		t.Fatalf("got %+v with last event %+v, want deescalated to medium", f.Finding,
			lastEvent(f))
	}

	e.startMeeting(t)
	e.sweep(t, e.sweeper(t, Config{MinSeverity: verify.SeverityLow, Secret: testSecret,
		Webhooks: []string{"http://a.example/hook"}}))
	if n := e.count(t, `SELECT count(*) FROM finding_deliveries d
		JOIN finding_events ev ON ev.id = d.event_id
		WHERE d.finding_id = $1 AND ev.kind = 'escalated'`, f.ID); n != 1 {
		t.Errorf("got %d warnings of the escalation, want 1", n)
	}
}

func TestDeliveriesOfAWebhookNoLongerConfiguredAreGivenUp(t *testing.T) {
	e := newEnv(t)
	// Queued by a sweep while a webhook was configured, no server working them.
	e.sweep(t, e.sweeper(t, Config{Secret: testSecret,
		Webhooks: []string{"http://a.example/hook"}}))
	queued := e.count(t, `SELECT count(*) FROM finding_deliveries WHERE state = 'queued'`)
	if queued == 0 {
		t.Fatal("the sweep queued no warnings")
	}
	// A server without webhooks.
	e.start(t, Config{})
	e.waitDeliveries(t)
	if n := e.count(t, `SELECT count(*) FROM finding_deliveries WHERE state = 'given_up'
		AND last_error LIKE '%no longer configured%'`); n != queued {
		t.Errorf("got %d of %d deliveries given up as no longer configured", n, queued)
	}
}
