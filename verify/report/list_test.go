package report

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/verify"
)

// listAnswer is what GET /reports answered: its status and content type,
// and the reports or the problem in its body.
type listAnswer struct {
	status      int
	contentType string
	items       []Issued
	nextOffset  int
	problem     problem.Details
}

// getReports asks srv for GET /reports?query.
func getReports(t testing.TB, srv *httptest.Server, query string) listAnswer {
	t.Helper()
	resp, err := http.Get(srv.URL + "/reports?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := listAnswer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	if a.status == http.StatusOK {
		var page struct {
			Items      []Issued
			NextOffset int `json:"next_offset"`
		}
		err = json.Unmarshal(body, &page)
		a.items, a.nextOffset = page.Items, page.NextOffset
	} else {
		err = json.Unmarshal(body, &a.problem)
	}
	if err != nil {
		t.Fatalf("GET /reports?%s: got %d %s, which does not decode: %v", query, a.status,
			body, err)
	}
	return a
}

// ids lists the ids of reports.
func ids(reports []Issued) []int64 {
	out := make([]int64, len(reports))
	for i, r := range reports {
		out[i] = r.ID
	}
	return out
}

// newListEnv returns an issuer's env and a server of its API.
func newListEnv(t *testing.T) (issuerEnv, *httptest.Server) {
	t.Helper()
	e := newIssuerEnv(t, nil)
	router := chi.NewRouter()
	NewAPI(e.issuer, slog.New(slog.DiscardHandler)).Register(router)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return e, srv
}

func TestListReportsByUnit(t *testing.T) {
	e, srv := newListEnv(t)
	ctx := context.Background()
	issued, err := e.issuer.Issue(ctx, Request{Options: verify.Options{Unit: "qingshan"},
		Format: FormatJSON}, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}

	t.Run("unknown unit", func(t *testing.T) {
		a := getReports(t, srv, "unit=nowhere")
		if a.status != http.StatusBadRequest || a.contentType != problem.ContentType {
			t.Fatalf("got %d %s, want 400 %s", a.status, a.contentType, problem.ContentType)
		}
		if len(a.problem.Errors) != 1 || a.problem.Errors[0].Field != "unit" ||
			!strings.Contains(a.problem.Errors[0].Reason, `"nowhere"`) {
			t.Errorf("got errors %+v, want one of field unit naming \"nowhere\"",
				a.problem.Errors)
		}
	})
	t.Run("unit without reports", func(t *testing.T) {
		// The county is above the township the report covers: its own
		// reports are listed, not those of its sub-units.
		a := getReports(t, srv, "unit=qinghe")
		if a.status != http.StatusOK || a.items == nil || len(a.items) != 0 {
			t.Errorf("got %d with reports %v, want 200 with an empty list", a.status,
				ids(a.items))
		}
	})
	t.Run("unit with a report", func(t *testing.T) {
		a := getReports(t, srv, "unit=qingshan")
		if a.status != http.StatusOK || len(a.items) != 1 || a.items[0].ID != issued.ID {
			t.Errorf("got %d with reports %v, want 200 with report %d", a.status,
				ids(a.items), issued.ID)
		}
	})

	// A unit's code changes after a report was issued for it; the report
	// keeps the old code.
	_, err = e.issuer.pool.Exec(ctx,
		`UPDATE org_units SET code = 'qingshan-town' WHERE code = 'qingshan'`)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("code its reports keep after it changed", func(t *testing.T) {
		a := getReports(t, srv, "unit=qingshan")
		if a.status != http.StatusOK || len(a.items) != 1 || a.items[0].ID != issued.ID {
			t.Errorf("got %d with reports %v, want 200 with report %d", a.status,
				ids(a.items), issued.ID)
		}
	})
	t.Run("new code of the unit", func(t *testing.T) {
		a := getReports(t, srv, "unit=qingshan-town")
		if a.status != http.StatusOK || a.items == nil || len(a.items) != 0 {
			t.Errorf("got %d with reports %v, want 200 with an empty list", a.status,
				ids(a.items))
		}
	})
}

func TestListReportsInPages(t *testing.T) {
	e, srv := newListEnv(t)
	ctx := context.Background()
	var want []int64 // newest first
	for _, f := range []Format{FormatJSON, FormatCSV, FormatHTML} {
		issued, err := e.issuer.Issue(ctx, Request{Options: verify.Options{Unit: "qingshan"},
			Format: f}, nil)
		if err != nil {
			t.Fatalf("Issue %s: %v", f, err)
		}
		want = append([]int64{issued.ID}, want...)
	}

	first := getReports(t, srv, "limit=2")
	if first.status != http.StatusOK || !slices.Equal(ids(first.items), want[:2]) ||
		first.nextOffset != 2 {
		t.Errorf("first page: got %d with %v and next offset %d, want %v and 2",
			first.status, ids(first.items), first.nextOffset, want[:2])
	}
	last := getReports(t, srv, "limit=2&offset=2")
	if last.status != http.StatusOK || !slices.Equal(ids(last.items), want[2:]) ||
		last.nextOffset != 0 {
		t.Errorf("last page: got %d with %v and next offset %d, want %v and none",
			last.status, ids(last.items), last.nextOffset, want[2:])
	}

	for query, field := range map[string]string{"format=pdf": "format", "units=qingshan": "units"} {
		a := getReports(t, srv, query)
		if a.status != http.StatusBadRequest || len(a.problem.Errors) != 1 ||
			a.problem.Errors[0].Field != field ||
			!strings.Contains(a.problem.Errors[0].Reason, "unknown query parameter") {
			t.Errorf("%s: got %d %+v, want 400 naming %s as unknown", query, a.status,
				a.problem.Errors, field)
		}
	}
}
