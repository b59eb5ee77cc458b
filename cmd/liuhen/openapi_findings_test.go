package main

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
)

// checkFindings sweeps the sample's findings and checks the findings
// routes and the warnings page: listing, reading, acknowledging and
// resolving, and each refusal.
func checkFindings(t *testing.T, c *contract, s *stack) {
	ctx := context.Background()
	sweeper, err := alert.NewSweeper(s.app.svc.pool, nil, alert.Config{},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sweeper.Sweep(ctx); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	page, err := alert.NewStore(s.app.svc.pool).List(ctx, alert.Filter{
		States: []string{alert.StateOpen}, Codes: []string{verify.CodeNoMeeting}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("open NO_MEETING findings: got %d, %v; want the sample's", len(page.Items),
			err)
	}
	one := fmt.Sprintf("/api/v1/findings/%d", page.Items[0].ID)
	// A warning given up after one attempt, so that its answer is checked too.
	if _, err := s.app.svc.pool.Exec(ctx, `
		WITH d AS (
		    INSERT INTO finding_deliveries (finding_id, event_id, webhook_url, state,
		        attempts, last_status, last_error, finished_at)
		    SELECT finding_id, id, 'https://hooks.example.org/liuhen', 'given_up', 1, 500,
		        'answered 500 Internal Server Error', now()
		    FROM finding_events WHERE finding_id = $1
		    RETURNING id)
		INSERT INTO finding_delivery_attempts (delivery_id, attempt, started_at, duration_ms,
		    status_code, error)
		SELECT id, 1, now(), 12, 500, 'answered 500 Internal Server Error' FROM d`,
		page.Items[0].ID); err != nil {
		t.Fatalf("add a delivery: %v", err)
	}
	admin := s.admin
	post := func(name, path, body string, want int) exchange {
		x := exchange{name: name, method: "POST", path: path, token: admin, body: body,
			want: want}
		if body != "" {
			x.contentType = jsonType
		}
		return x
	}
	c.checkAll(t, []exchange{
		{name: "warnings page", method: "GET", path: "/warnings", want: 200},
		{name: "list findings", method: "GET", token: admin, want: 200,
			path: "/api/v1/findings?state=open,acknowledged&severity=high&unit=qinghe&limit=2"},
		{name: "read finding", method: "GET", path: one, token: admin, want: 200},
		{name: "acknowledge without a name", method: "POST", path: one + "/acknowledge",
			token: admin, contentType: jsonType, body: `{"reason":"seen"}`, want: 400,
			malformed: true},
		post("acknowledge finding", one+"/acknowledge",
			`{"by":"张三","reason":"asked the office"}`, 200),
		post("acknowledge it again", one+"/acknowledge", `{"by":"张三"}`, 409),
		post("resolve without reason", one+"/resolve", `{"by":"张三"}`, 400),
		{name: "resolve as a form", method: "POST", path: one + "/resolve", token: admin,
			contentType: "application/x-www-form-urlencoded", body: "reason=x", want: 415,
			malformed: true},
		post("resolve finding", one+"/resolve", `{"by":"李四","reason":"linked on paper"}`, 200),
		post("resolve it again", one+"/resolve", `{"by":"李四","reason":"again"}`, 409),
		{name: "findings of an unknown state", method: "GET", token: admin, want: 400,
			path: "/api/v1/findings?state=closed"},
		{name: "unknown finding", method: "GET", path: "/api/v1/findings/999999",
			token: admin, want: 404},
		{name: "finding of a bad id", method: "GET", path: "/api/v1/findings/abc",
			token: admin, want: 400, malformed: true},
		{name: "findings past the last offset", method: "GET", token: admin, want: 400,
			path: "/api/v1/findings?offset=2147483648", malformed: true},
		post("acknowledge an unknown finding", "/api/v1/findings/999999/acknowledge",
			`{"by":"张三"}`, 404),
		{name: "findings with an unknown token", method: "GET", path: "/api/v1/findings",
			token: "not-a-token", want: 401},
	})
}
