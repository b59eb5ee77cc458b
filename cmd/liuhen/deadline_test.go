package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/internal/testenv"
)

func TestRouteGroup(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         boundGroup
	}{
		{"GET", "/api/v1/meetings", shortBound},
		{"PATCH", "/api/v1/decisions/7", shortBound},
		{"GET", "/api/v1/search", shortBound},
		{"GET", "/api/v1/reports", shortBound},
		{"GET", "/api/v1/reports/3", shortBound},
		{"GET", "/healthz", shortBound},
		{"GET", "/api/v1/verify", longBound},
		{"POST", "/api/v1/reports", longBound},
		{"POST", "/api/v1/imports/decisions", longBound},
		{"GET", "/api/v1/decisions/7/evidence", boundUntilDownload},
		{"GET", "/api/v1/agenda-items/7/evidence", boundUntilDownload},
		{"POST", "/whip/1", shortBound},
		{"POST", "/whip/1/abc", unbounded},
		{"DELETE", "/whip/1/abc", unbounded},
		{"OPTIONS", "/whip/1", unbounded},
		{"GET", "/metrics", unbounded},
		{"GET", "/api/v1/openapi.json", unbounded},
		{"GET", "/secretary", unbounded},
	} {
		if got := routeGroup(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: got group %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
}

// frozenCase is a request sent while PostgreSQL does not answer.
type frozenCase struct {
	name, method, path, token, body string
	contentType                     string // of body; JSON when empty
	bound                           time.Duration
	// slack is how long past the bound the answer may take: an audited
	// route writes its entry's status last, within auditFinishTimeout.
	slack time.Duration
}

// TestAPIBoundWhilePostgreSQLFreezes puts a TCP relay between the server
// and the real PostgreSQL and freezes it: connections stay open and
// nothing passes, as with a PostgreSQL stopped by SIGSTOP. Every kind of
// API request, bounded 2 s (3 s for verify and exports), answers 503 with
// Retry-After naming PostgreSQL once its bound passes, instead of waiting
// for ever; once the relay thaws, the same requests are served again.
func TestAPIBoundWhilePostgreSQLFreezes(t *testing.T) {
	const short, long = 2 * time.Second, 3 * time.Second
	s, proxy, cases := stackBehindDBProxy(t, short, long)
	for _, c := range cases {
		if status, body := send(t, s.url, c); status >= 500 {
			t.Fatalf("%s before the freeze: got %d %s, want it served", c.name, status, body)
		}
	}

	proxy.freeze()
	t.Run("frozen", func(t *testing.T) {
		t.Run("healthz", func(t *testing.T) {
			t.Parallel()
			checkHealthz(t, s.url, short)
		})
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				checkBoundAnswer(t, s.url, c)
			})
		}
	})

	proxy.thaw()
	for _, c := range cases {
		if status, body := send(t, s.url, c); status >= 500 {
			t.Errorf("%s after the thaw: got %d %s, want it served again", c.name, status, body)
		}
	}
}

// TestAPIWhilePostgreSQLIsDown cuts the server off PostgreSQL, as a
// stopped PostgreSQL does: every request that needs it is answered 503
// with Retry-After, at once and naming PostgreSQL, not 500; once
// PostgreSQL is back, they are served again.
func TestAPIWhilePostgreSQLIsDown(t *testing.T) {
	s, proxy, cases := stackBehindDBProxy(t, 5*time.Second, 10*time.Second)

	proxy.cut()
	// The pool checks a connection idle for more than a second before it
	// lends it out; one used more recently would first fail mid-query with
	// a bare network error, which is not told from MinIO's.
	time.Sleep(1100 * time.Millisecond)
	for _, c := range cases {
		status, resp := sendWithin(t, s.url, c, c.bound)
		var d problem.Details
		_ = json.Unmarshal([]byte(resp.body), &d)
		if status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "30" ||
			!strings.Contains(d.Detail, "PostgreSQL cannot be reached") {
			t.Errorf("%s: got %d with Retry-After %q (%s), want 503 naming PostgreSQL",
				c.name, status, resp.Header.Get("Retry-After"), resp.body)
		}
	}

	proxy.restore()
	for _, c := range cases {
		if status, body := send(t, s.url, c); status >= 500 {
			t.Errorf("%s after PostgreSQL is back: got %d %s, want it served", c.name, status,
				body)
		}
	}
}

// stackBehindDBProxy starts a server that reaches PostgreSQL through a
// dbProxy, with the API bounds short and long, loads the sample township,
// and returns the server, the proxy and frozenCases. The proxy forwards
// again when the test ends, before the server stops, which needs the
// database.
func stackBehindDBProxy(t *testing.T, short, long time.Duration) (*stack, *dbProxy,
	[]frozenCase) {
	t.Helper()
	proxy, dbURL := newDBProxy(t, testenv.DatabaseURL(t))
	s := startStackWith(t, 10*time.Second, func(c *config) {
		c.DatabaseURL, c.APIDeadline, c.APILongDeadline = dbURL, short, long
	})
	t.Cleanup(func() {
		proxy.thaw()
		proxy.restore()
	})
	sample, err := agenda.LoadSample(context.Background(), s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	publish, err := s.app.svc.store.CreatePublishToken(context.Background(), sample.MeetingID,
		time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}
	return s, proxy, frozenCases(t, s.admin, publish, sample, short, long)
}

// frozenCases are requests of every route group and of each way a request
// first waits for PostgreSQL: in its handler, in the check of a publish
// token, in the audit log. A write is sent twice (before the freeze and
// after it), so it must be one that may be repeated.
func frozenCases(t *testing.T, admin, publish string, sample agenda.Sample, short,
	long time.Duration) []frozenCase {
	t.Helper()
	item := sample.AgendaItemIDs[0]
	units, err := os.ReadFile(filepath.Join("..", "..", "testdata", "import", "units.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return []frozenCase{
		{name: "list meetings", method: "GET", path: "/api/v1/meetings", token: admin,
			bound: short},
		{name: "change a meeting", method: "PATCH",
			path: fmt.Sprintf("/api/v1/meetings/%d", sample.MeetingID), token: admin,
			body: `{"title":"党委会 2026年第12次会议"}`, bound: short},
		{name: "a publish token's meeting", method: "GET",
			path: fmt.Sprintf("/api/v1/meetings/%d", sample.MeetingID), token: publish,
			bound: short},
		{name: "search, audited", method: "GET", path: "/api/v1/search?q=%E9%A2%84%E7%AE%97",
			token: admin, bound: short, slack: auditFinishSlack},
		{name: "findings", method: "GET", path: "/api/v1/findings", token: admin,
			bound: short},
		{name: "reports", method: "GET", path: "/api/v1/reports", token: admin, bound: short},
		{name: "inspector tokens", method: "GET", path: "/api/v1/inspector-tokens",
			token: admin, bound: short},
		{name: "import, a dry run", method: "POST", path: "/api/v1/imports/units?dry_run=true",
			token: admin, body: string(units), contentType: "text/csv", bound: long},
		{name: "a WHIP offer", method: "POST", path: fmt.Sprintf("/whip/%d", sample.MeetingID),
			token: publish, body: sdpOffer(t, opusCodec, vp8Codec), contentType: sdpType,
			bound: short},
		{name: "verify", method: "GET", path: "/api/v1/verify?codes=NO_MEETING",
			token: admin, bound: long},
		{name: "export, audited", method: "GET",
			path: fmt.Sprintf("/api/v1/agenda-items/%d/evidence", item), token: admin,
			bound: long, slack: auditFinishSlack},
	}
}

// auditFinishSlack is inspect's auditFinishTimeout (2 s), which this
// package cannot see.
const auditFinishSlack = 2 * time.Second

// checkBoundAnswer sends c and checks that it is answered 503, with
// Retry-After and a problem naming PostgreSQL and the bound, once its bound
// has passed and before the bound and its slack have passed (and a second
// more for the machine).
func checkBoundAnswer(t *testing.T, base string, c frozenCase) {
	t.Helper()
	limit := c.bound + c.slack + time.Second
	start := time.Now()
	status, resp := sendWithin(t, base, c, limit+10*time.Second)
	if took := time.Since(start); took < c.bound || took > limit {
		t.Errorf("answered after %v, want after the bound of %v and within %v", took, c.bound,
			limit)
	}
	if status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "30" {
		t.Fatalf("got %d with Retry-After %q (%s), want 503 with Retry-After 30",
			status, resp.Header.Get("Retry-After"), resp.body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != problem.ContentType {
		t.Errorf("content type: got %q, want %q", ct, problem.ContentType)
	}
	var d problem.Details
	if err := json.Unmarshal([]byte(resp.body), &d); err != nil {
		t.Fatalf("answer %s: %v", resp.body, err)
	}
	want := fmt.Sprintf("the request did not finish within %v, its bound, because PostgreSQL "+
		"or MinIO did not answer in time; the server's log names which", c.bound)
	if !strings.HasPrefix(d.Detail, want) {
		t.Errorf("detail: got %q, want it to start %q", d.Detail, want)
	}
}

// answer is the header and body of an answer.
type answer struct {
	http.Header
	body string
}

// send sends c, giving it 30 s, and returns the status and body.
func send(t *testing.T, base string, c frozenCase) (int, string) {
	t.Helper()
	status, resp := sendWithin(t, base, c, 30*time.Second)
	return status, resp.body
}

// sendWithin sends c and reads its answer, failing the test when that
// takes longer than limit.
func sendWithin(t *testing.T, base string, c frozenCase, limit time.Duration) (int, answer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if c.body != "" {
		req.Header.Set("Content-Type", cmp.Or(c.contentType, "application/json"))
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: got no answer within %v: %v", c.name, time.Since(start), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: read the answer: %v", c.name, err)
	}
	return resp.StatusCode, answer{Header: resp.Header, body: string(body)}
}

// checkHealthz checks that /healthz answers 503 within its bound while
// PostgreSQL does not answer, as a health check needs.
func checkHealthz(t *testing.T, base string, bound time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: bound + 10*time.Second}
	start := time.Now()
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("got no answer within %v: %v; want 503", time.Since(start), err)
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusServiceUnavailable ||
		took > bound+time.Second {
		t.Errorf("got %d after %v, want 503 within %v", resp.StatusCode, took, bound+time.Second)
	}
}
