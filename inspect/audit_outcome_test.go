package inspect_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/testenv"
)

// TestAuditRecordsWhatBecameOfTheAnswer: the log keeps the status of an
// answer sent whole, 499 for one whose client went away before it was
// written, and 500 for one the server cut off.
func TestAuditRecordsWhatBecameOfTheAnswer(t *testing.T) {
	audit := inspect.NewAudit(testenv.Database(t), slog.New(slog.NewTextHandler(io.Discard,
		nil)))
	entered := make(chan struct{}, 1)
	answer := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			entered <- struct{}{}
			<-r.Context().Done() // the client went away
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[]}`)
		case "/cut":
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, "PK")
			panic(http.ErrAbortHandler)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
	admin := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(access.NewContext(r.Context(),
				access.Principal{Admin: true})))
		})
	}
	hs := httptest.NewServer(admin(audit.Record(inspect.ActionExport)(
		http.HandlerFunc(answer))))
	t.Cleanup(hs.Close)

	get(t, hs.URL+"/whole")
	get(t, hs.URL+"/cut")
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-entered
		cancel()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/gone", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("got %s, want the request given up", resp.Status)
	}

	want := map[string]int{"/whole": http.StatusNoContent, "/cut": 500,
		"/gone": inspect.StatusClientClosed}
	got := map[string]int{}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		entries, err := audit.List(t.Context(), inspect.AuditFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Status != nil {
				got[e.Target] = *e.Status
			}
		}
		if len(got) == len(want) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for target, status := range want {
		if got[target] != status {
			t.Errorf("%s: got status %d recorded, want %d", target, got[target], status)
		}
	}
}

// get sends GET to url and reads the answer, cut off or not.
func get(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return // an answer cut off may fail here already
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
