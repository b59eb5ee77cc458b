package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSearchPageMarksNotYetChecked: a decision registered after the sweep
// marks its item 尚未核查 not yet checked on the search page when it
// searches by findings, and no other item.
func TestSearchPageMarksNotYetChecked(t *testing.T) {
	s := newWarningsSite(t)
	ctx := chromium(t)
	item := s.sample.AgendaItemIDs[0]
	_, err := s.pool.Exec(context.Background(), `INSERT INTO decisions (org_unit_id,
		    matter_id, title, decided_at, agenda_item_id)
		SELECT d.org_unit_id, d.matter_id, '补登的决定', d.decided_at, $1
		FROM decisions d WHERE d.agenda_item_id = $1 ORDER BY d.id LIMIT 1`, item)
	must(t, err)
	var title string
	must(t, s.pool.QueryRow(context.Background(), `SELECT title FROM agenda_items
		WHERE id = $1`, item).Scan(&title))

	var marked []string
	for _, with := range []string{"true", "false"} {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/search?has_findings="+with+"#token="+adminToken)))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
			`document.getElementById("summary").textContent !== ""`)); err != nil {
			t.Fatalf("has_findings=%s: no results shown: %v", with, err)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`
			[...document.querySelectorAll("#results tbody tr")]
				.filter((tr) => tr.querySelector(".badge.unchecked"))
				.map((tr) => tr.textContent)`))
		must(t, err)
		marked = append(marked, rows...)
	}
	if len(marked) != 1 || !strings.Contains(marked[0], title) ||
		!strings.Contains(marked[0], "not yet checked") {
		t.Errorf("got rows marked %q, want the one of %q", marked, title)
	}
}
