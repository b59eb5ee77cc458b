package verify

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/internal/testenv"
)

func TestHandler(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	f.store.remove(w.keys[0])
	srv := httptest.NewServer(Handler(f.pool, f.store, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	get := func(tb testing.TB, query string) *http.Response {
		tb.Helper()
		resp, err := http.Get(srv.URL + "/?" + query)
		if err != nil {
			tb.Fatalf("GET: %v", err)
		}
		tb.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	unit := "unit=" + url.QueryEscape(w.unitCode)
	// report and refusal read the report, or the problem, GET answers query.
	report := func(tb testing.TB, query string) Report {
		tb.Helper()
		resp := get(tb, query)
		wantStatus(tb, resp, http.StatusOK, "application/json")
		var rep Report
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			tb.Fatalf("decode: %v", err)
		}
		return rep
	}
	refusal := func(tb testing.TB, query string) problem.Details {
		tb.Helper()
		resp := get(tb, query)
		wantStatus(tb, resp, http.StatusBadRequest, problem.ContentType)
		var d problem.Details
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			tb.Fatalf("decode problem: %v", err)
		}
		return d
	}

	other := f.compliant()
	t.Run("JSON by default", func(t *testing.T) {
		rep := report(t, unit+"&rehash=true")
		if got := codesOf(rep.Findings); !slices.Equal(got, []string{CodeRecordingTampered}) {
			t.Errorf("codes: got %v, want [RECORDING_TAMPERED]", got)
		}
		if !rep.Scope.Rehash || rep.Scope.Unit != w.unitCode {
			t.Errorf("scope: got %+v, want rehash for unit %s", rep.Scope, w.unitCode)
		}
	})
	t.Run("CSV with filters", func(t *testing.T) {
		resp := get(t, unit+"&format=csv&codes=no_meeting&codes=wrong_body"+
			"&from=2024-03-05T00:00:00%2B08:00&to=2024-03-06T00:00:00%2B08:00")
		wantStatus(t, resp, http.StatusOK, "text/csv; charset=utf-8")
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, ".csv") {
			t.Errorf("Content-Disposition: got %q, want an attachment .csv", cd)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := strings.CutPrefix(string(body), CSVByteOrderMark)
		if !ok {
			t.Errorf("CSV begins %q, want the byte-order mark", body[:min(len(body), 3)])
		}
		records, err := csv.NewReader(strings.NewReader(rest)).ReadAll()
		if err != nil {
			t.Fatalf("parse CSV: %v", err)
		}
		if len(records) != 2 || records[1][0] != StatusPass {
			t.Errorf("rows: got %v, want the header and one PASS row", records)
		}
	})
	t.Run("backdate days", func(t *testing.T) {
		rep := report(t, unit+"&codes=backdated&backdate_days=1")
		got := codesOf(rep.Findings)
		if !slices.Equal(got, []string{CodeBackdated}) || rep.Scope.BackdateDays != 1 {
			t.Errorf("got %v with backdate days %d, want [BACKDATED] with 1", got,
				rep.Scope.BackdateDays)
		}
	})
	t.Run("one meeting", func(t *testing.T) {
		rep := report(t, fmt.Sprintf("meeting=%d&codes=no_meeting", w.meeting))
		if got := decisionIDs(rep); !slices.Equal(got, []int64{w.decision}) ||
			rep.Scope.Meeting != w.meeting {
			t.Errorf("got decisions %v, scope %+v; want [%d] of meeting %d", got, rep.Scope,
				w.decision, w.meeting)
		}
	})
	t.Run("skip", func(t *testing.T) {
		rep := report(t, unit+"&skip=recording_tampered,no_recording&skip=backdated")
		skipped := []string{CodeRecordingTampered, CodeNoRecording, CodeBackdated}
		if len(rep.Findings) != 0 || len(rep.Scope.Codes) != len(allCodes)-len(skipped) ||
			slices.ContainsFunc(rep.Scope.Codes, func(c string) bool {
				return slices.Contains(skipped, c)
			}) {
			t.Errorf("got findings %v and rules %v, want none and every rule but %v",
				codesOf(rep.Findings), rep.Scope.Codes, skipped)
		}
	})
	t.Run("table", func(t *testing.T) {
		resp := get(t, unit+"&format=table")
		wantStatus(t, resp, http.StatusOK, "text/plain; charset=utf-8")
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "1 decisions checked, 0 passed, 1 finding") {
			t.Errorf("table: got %s, want the summary line", body)
		}
	})

	for _, tc := range []struct {
		name, query string
		fields      []string
	}{
		{"unknown format", "format=xml", []string{"format"}},
		{"bad boolean", "rehash=maybe", []string{"rehash"}},
		{"a boolean as a digit", "rehash=1", []string{"rehash"}},
		{"bad date", "from=yesterday", []string{"from"}},
		{"unknown parameter", "unti=T-1", []string{"unti"}},
		{"repeated unit", "unit=a&unit=b", []string{"unit"}},
		{"unknown code", "codes=NOPE", []string{"codes"}},
		{"unknown code to skip", "skip=NOPE", []string{"skip"}},
		{"skip of every code chosen", "codes=no_meeting&skip=NO_MEETING", []string{"skip"}},
		{"unknown unit", "unit=NOWHERE", []string{"unit"}},
		{"period backwards", "from=2024-03-05&to=2024-03-01", []string{"to"}},
		{"several at once", "format=xml&from=yesterday&codes=NOPE",
			[]string{"format", "from", "codes"}},
		{"malformed query", "unit=%zz", []string{"query"}},
		{"backdate days not a number", "backdate_days=a+month", []string{"backdate_days"}},
		{"negative backdate days", "backdate_days=-1", []string{"backdate_days"}},
		{"meeting not a number", "meeting=first", []string{"meeting"}},
		{"negative meeting", "meeting=-4", []string{"meeting"}},
		{"unknown meeting", "meeting=999999999", []string{"meeting"}},
		{"unknown meeting beside a bad format", "format=xml&meeting=999999999",
			[]string{"format", "meeting"}},
		{"unknown unit beside an unknown parameter", "unti=x&unit=NOWHERE",
			[]string{"unti", "unit"}},
		{"unknown meeting beside a bad backdate", "backdate_days=-1&meeting=999999999",
			[]string{"backdate_days", "meeting"}},
		{"meeting given empty", "meeting=", []string{"meeting"}},
		{"rehash given bare", "rehash", []string{"rehash"}},
		{"filters given empty", "unit=&codes=%20&from=2024-03-01", []string{"codes", "unit"}},
		{"unknown parameter given empty", "unti=", []string{"unti"}},
		{"meeting with a space", "meeting=%201", []string{"meeting"}},
		{"backdate days with a space", "backdate_days=30%20", []string{"backdate_days"}},
		{"meeting of another unit", fmt.Sprintf("meeting=%d&unit=%s", w.meeting,
			url.QueryEscape(other.unitCode)), []string{"unit"}},
		{"meeting after the period", fmt.Sprintf("meeting=%d&to=2024-03-01", w.meeting),
			[]string{"to"}},
		{"unit not UTF-8", "unit=%ff", []string{"unit"}},
		{"unit with a NUL", "unit=%00", []string{"unit"}},
		{"to past the last year", "to=9999-12-31", []string{"to"}},
	} {
		t.Run("400 for "+tc.name, func(t *testing.T) {
			d := refusal(t, tc.query)
			var got []string
			for _, e := range d.Errors {
				got = append(got, e.Field)
				if e.Reason == "" {
					t.Errorf("field %s: got an empty reason, want what to fix", e.Field)
				}
			}
			if !slices.Equal(got, tc.fields) || d.Detail == "" {
				t.Errorf("fields: got %v (detail %q), want %v", got, d.Detail, tc.fields)
			}
		})
	}
	t.Run("each reason told once after its parameter's name", func(t *testing.T) {
		d := refusal(t, "unti=T-1&from=yesterday")
		unknown := "unknown query parameter; valid ones are " + strings.Join(queryParams, ", ")
		from := `cannot read "yesterday" as a date; give 2006-01-02 or an RFC 3339 time ` +
			"such as 2006-01-02T15:04:05+08:00"
		want := []problem.FieldError{{Field: "unti", Reason: unknown},
			{Field: "from", Reason: from}}
		if !slices.Equal(d.Errors, want) ||
			d.Detail != "fix these: unti: "+unknown+"; from: "+from {
			t.Errorf("got %+v (detail %q), want %+v", d.Errors, d.Detail, want)
		}
	})
	t.Run("a + left unescaped is told", func(t *testing.T) {
		d := refusal(t, "to=2024-03-05T00:00:00+08:00")
		if len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Reason, "write it as %2B") {
			t.Errorf("got %+v, want the reason to say to write + as %%2B", d.Errors)
		}
	})
	t.Run("empty parameters are refused by name", func(t *testing.T) {
		d := refusal(t, "meeting=&unit=")
		const reason = "given empty; give a value, or leave the parameter out"
		want := []problem.FieldError{{Field: "unit", Reason: reason},
			{Field: "meeting", Reason: reason}}
		if !slices.Equal(d.Errors, want) {
			t.Errorf("got %+v, want %+v", d.Errors, want)
		}
	})
	t.Run("405 for POST", func(t *testing.T) {
		resp, err := http.Post(srv.URL, "text/plain", nil)
		if err != nil {
			t.Fatalf("POST: %v", err)
		}
		defer resp.Body.Close()
		wantStatus(t, resp, http.StatusMethodNotAllowed, problem.ContentType)
		if got := resp.Header.Get("Allow"); got != http.MethodGet {
			t.Errorf("Allow: got %q, want GET", got)
		}
	})
	t.Run("503 without an object store", func(t *testing.T) {
		h := Handler(f.pool, nil, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+unit, nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("status: got %d, want 503", rec.Code)
		}
	})
	t.Run("503 with Retry-After when the store does not answer", func(t *testing.T) {
		store := newFakeStore()
		store.fail = fmt.Errorf("stat: %w: no answer within 15s", ErrStoreUnavailable)
		h := Handler(f.pool, store, slog.New(slog.DiscardHandler))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+unit, nil))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
			!strings.Contains(rec.Body.String(), "evidence store") {
			t.Errorf("got %d, Retry-After %q, %s; want 503 with Retry-After naming the "+
				"evidence store", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	})
	t.Run("500 when the store fails", func(t *testing.T) {
		store := newFakeStore()
		store.fail = errStoreDown
		h := Handler(f.pool, store, slog.New(slog.DiscardHandler))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+unit, nil))
		if rec.Code != http.StatusInternalServerError ||
			strings.Contains(rec.Body.String(), errStoreDown.Error()) {
			t.Errorf("got %d %s, want 500 without the internal error", rec.Code, rec.Body)
		}
	})
}

func wantStatus(tb testing.TB, resp *http.Response, status int, contentType string) {
	tb.Helper()
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != contentType {
		body, _ := io.ReadAll(resp.Body)
		tb.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode,
			resp.Header.Get("Content-Type"), body, status, contentType)
	}
}

// heldStore is a fakeStore whose rehashes wait until release is closed.
type heldStore struct {
	*fakeStore
	entered chan struct{}
	release chan struct{}
}

func (s *heldStore) Rehash(ctx context.Context, key string, size int64) ([32]byte, int64,
	error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return [32]byte{}, 0, ctx.Err()
	}
	return s.fakeStore.Rehash(ctx, key, size)
}

func TestHandlerRehashesOneAtATime(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	store := &heldStore{fakeStore: f.store, entered: make(chan struct{}, 1),
		release: make(chan struct{})}
	srv := httptest.NewServer(Handler(f.pool, store, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	get := func(query string) (*http.Response, error) {
		return http.Get(srv.URL + "/?unit=" + url.QueryEscape(w.unitCode) + query)
	}

	first := make(chan error, 1)
	go func() {
		resp, err := get("&rehash=true")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		first <- err
	}()
	<-store.entered

	resp, err := get("&rehash=true")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second rehash: got %d (Retry-After %q), want 503 with Retry-After",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, err = get("")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("without rehash meanwhile: got %d, want 200", resp.StatusCode)
	}

	close(store.release)
	if err := <-first; err != nil {
		t.Errorf("first rehash: %v", err)
	}
	resp, err = get("&rehash=true")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("rehash after the first ended: got %d, want 200", resp.StatusCode)
	}
}
