package evidence

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/problem"
)

func serveBundles(t testing.TB, f *fixture) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux.Handle("GET /decisions/{id}/evidence", Handler(f.exporter(), SubjectDecision, logger))
	mux.Handle("GET /agenda-items/{id}/evidence", Handler(f.exporter(), SubjectAgendaItem, logger))
	keys, err := KeyHandler(f.pub)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("GET /signing-key", keys)
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestHandler(t *testing.T) {
	f := newFixture(t)
	s := serveBundles(t, f)
	cases := []struct {
		name, path string
		status     int
		says       string
	}{
		{"decision", "/decisions/7/evidence", http.StatusOK, ""},
		{"agenda item", "/agenda-items/4/evidence", http.StatusOK, ""},
		{"bad id", "/decisions/x/evidence", http.StatusBadRequest, "positive integer"},
		{"unknown decision", "/decisions/99/evidence", http.StatusNotFound, "decision 99 does not exist"},
		{"decision without agenda item", "/decisions/8/evidence", http.StatusConflict,
			"linked to no agenda item"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, s.URL+c.path)
			if resp.StatusCode != c.status {
				t.Fatalf("got status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if c.status == http.StatusOK {
				r := Verify(bytes.NewReader(body), int64(len(body)), f.pub)
				if !r.Valid() || resp.Header.Get("Content-Type") != "application/zip" ||
					!strings.Contains(resp.Header.Get("Content-Disposition"), "liuhen-") {
					t.Errorf("got %s, %v; want a valid bundle as application/zip",
						resp.Header, r.Problems)
				}
				return
			}
			var p problem.Details
			if err := json.Unmarshal(body, &p); err != nil || !strings.Contains(p.Detail, c.says) {
				t.Errorf("got %s, want a problem saying %q", body, c.says)
			}
		})
	}
}

// TestHandlerAbortsChangedSegment: bytes found to differ only while they
// are sent cut the response off, so the client gets no complete archive.
func TestHandlerAbortsChangedSegment(t *testing.T) {
	f := newFixture(t)
	f.objects.served["meetings/2/recordings/1/tracks/11/000003.webm"] = flipped(segmentBytes(11, 3))
	s := serveBundles(t, f)
	resp, err := http.Get(s.URL + "/decisions/7/evidence")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		r := Verify(bytes.NewReader(body), int64(len(body)), f.pub)
		t.Errorf("got a whole answer of %d bytes (valid %v), want the transfer cut off",
			len(body), r.Valid())
	}
}

func TestKeyHandler(t *testing.T) {
	f := newFixture(t)
	_, body := get(t, serveBundles(t, f).URL+"/signing-key")
	var got PublicKeyInfo
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	fromPEM, err := ParsePublicKey(got.PEM)
	if got.Algorithm != "Ed25519" || got.PublicKey != EncodePublicKey(f.pub) || err != nil ||
		!fromPEM.Equal(f.pub) {
		t.Errorf("got %+v, want the fixture's key as base64 and PEM", got)
	}
}

func get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp, body
}
