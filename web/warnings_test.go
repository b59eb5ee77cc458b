package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
	"github.com/liuhen/liuhen/web"
)

// warningsSite is the pages and the API (with the inspectors' search) over
// the sample township, swept once.
type warningsSite struct {
	pool   *pgxpool.Pool
	store  *alert.Store
	url    string
	sample agenda.Sample
}

func newWarningsSite(t *testing.T) *warningsSite {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Database(t)
	store := agenda.NewStore(pool)
	sample, err := agenda.LoadSample(ctx, store)
	must(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sweeper, err := alert.NewSweeper(pool, nil, alert.Config{}, logger)
	must(t, err)
	_, err = sweeper.Sweep(ctx)
	must(t, err)

	api := agenda.NewAPI(store, access.NewGuard(adminToken, store), logger).Routes()
	findings := alert.NewStore(pool)
	api.Group(func(r chi.Router) {
		r.Use(access.AdminOnly)
		alert.NewAPI(findings, logger).Register(r)
	})
	inspect.NewAPI(pool, nil, logger).Mount(api)
	r := chi.NewRouter()
	r.Mount("/api/v1", api)
	r.Mount("/", web.Handler())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &warningsSite{pool: pool, store: findings, url: srv.URL, sample: sample}
}

// finding returns the kept finding of code about the sample decision made
// to show it.
func (s *warningsSite) finding(t *testing.T, code string) alert.Detail {
	t.Helper()
	for _, d := range s.sample.Decisions {
		if d.WantFinding != code {
			continue
		}
		page, err := s.store.List(context.Background(), alert.Filter{Codes: []string{code}})
		must(t, err)
		for _, f := range page.Items {
			if f.DecisionID == d.ID {
				detail, err := s.store.Get(context.Background(), f.ID)
				must(t, err)
				return detail
			}
		}
	}
	t.Fatalf("no finding %s kept", code)
	return alert.Detail{}
}

func TestWarningsPage(t *testing.T) {
	s := newWarningsSite(t)
	ctx := chromium(t)
	noMeeting := s.finding(t, verify.CodeNoMeeting)
	wrongBody := s.finding(t, verify.CodeWrongBody)
	_, err := s.pool.Exec(context.Background(), `INSERT INTO finding_deliveries (finding_id,
		    event_id, webhook_url, state, attempts, last_error, finished_at)
		VALUES ($1, $2, 'https://hooks.example.org/x', 'given_up', 3, 'answered 500', now())`,
		noMeeting.ID, noMeeting.Events[0].ID)
	must(t, err)
	row := func(f alert.Detail, sel string) string {
		return fmt.Sprintf(`tr[data-finding="%d"] %s`, f.ID, sel)
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must(t, err)
		return v
	}

	must(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/warnings#token="+adminToken),
		chromedp.WaitVisible(chromedp.CSS(row(noMeeting, ".resolve")))))
	open, err := s.store.List(context.Background(), alert.Filter{States: []string{"open"}})
	must(t, err)
	rows, err := chromedp.Run(ctx,
		chromedp.Evaluate[int](`document.querySelectorAll("#findings tr").length`))
	must(t, err)
	if rows != len(open.Items) {
		t.Errorf("got %d rows, want the %d open findings", rows, len(open.Items))
	}
	if got := text(t, row(noMeeting, ".deliveries")); !strings.Contains(got, "1 given up") {
		t.Errorf("got warnings %q, want the one given up", got)
	}

	t.Run("acknowledge asks for a name", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(row(wrongBody, ".acknowledge")))))
		if got := text(t, "#error"); !strings.Contains(got, "name") {
			t.Errorf("got error %q, want it to ask for the name", got)
		}
		if got, err := s.store.Get(context.Background(), wrongBody.ID); err != nil ||
			got.State != alert.StateOpen {
			t.Errorf("without a name: got %+v, %v; want it open", got.Finding, err)
		}
	})
	t.Run("acknowledge", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#by"), "张三"),
			chromedp.Click(chromedp.CSS(row(wrongBody, ".acknowledge"))),
			chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(
				`//tr[@data-finding="%d"]/td[contains(., "acknowledged")]`, wrongBody.ID)))))
		got, err := s.store.Get(context.Background(), wrongBody.ID)
		must(t, err)
		ev := got.Events[len(got.Events)-1]
		if got.State != alert.StateAcknowledged || got.StateActor != "张三" ||
			ev.Actor != "张三" || ev.Via != alert.ViaAdminToken {
			t.Errorf("got %+v with last event %+v, want acknowledged by 张三 with the admin "+
				"token", got.Finding, ev)
		}
		if got := text(t, row(wrongBody, ".state")); !strings.Contains(got, "张三") {
			t.Errorf("got state %q, want it to say who acknowledged it", got)
		}
	})
	t.Run("the name is remembered", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/warnings"),
			chromedp.WaitVisible(chromedp.CSS(row(noMeeting, ".resolve")))))
		by, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("by").value`))
		must(t, err)
		if by != "张三" {
			t.Errorf("after a reload: got name %q, want 张三", by)
		}
	})
	t.Run("resolve asks for a reason", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(row(noMeeting, ".resolve")))))
		if got := text(t, "#error"); !strings.Contains(got, "reason") {
			t.Errorf("got error %q, want it to ask for the reason", got)
		}
		must(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS(row(noMeeting, ".reason")), "会议纪要为纸质"),
			chromedp.Click(chromedp.CSS(row(noMeeting, ".resolve"))),
			chromedp.WaitNotPresent(chromedp.CSS(row(noMeeting, "")))))
		got, err := s.store.Get(context.Background(), noMeeting.ID)
		must(t, err)
		if got.State != alert.StateResolved || got.StateReason != "会议纪要为纸质" ||
			got.StateActor != "张三" {
			t.Errorf("got %+v, want resolved by 张三 with the reason typed", got.Finding)
		}
	})
}
