package importer

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func newRouter(pool *pgxpool.Pool, maxBytes int64) http.Handler {
	r := chi.NewRouter()
	r.Post("/imports/{kind}", NewHandler(pool, maxBytes, slog.New(slog.DiscardHandler)).ServeHTTP)
	return r
}

func post(h http.Handler, path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerImports(t *testing.T) {
	pool := newDB(t)
	h := newRouter(pool, 0)
	t.Run("CSV body", func(t *testing.T) {
		rec := post(h, "/imports/units", "text/csv", bytes.NewReader(fixture(t, "units.csv")))
		var res Result
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &res) != nil {
			t.Fatalf("got %d %s, want 200 with a result", rec.Code, rec.Body)
		}
		wantCount(t, res, "org_units", 5, 0, 0)
	})
	t.Run("XLSX body, dry run", func(t *testing.T) {
		rec := post(h, "/imports/bodies?dry_run=true", XLSXType,
			bytes.NewReader(fixture(t, "bodies.xlsx")))
		var res Result
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &res) != nil {
			t.Fatalf("got %d %s, want 200 with a result", rec.Code, rec.Body)
		}
		if !res.DryRun || count(t, res, "meeting_bodies").Created != 4 {
			t.Errorf("got %+v, want a dry run creating 4 bodies", res)
		}
		if got := query(t, pool, `SELECT count(*) FROM meeting_bodies`); got[0] != "0" {
			t.Errorf("bodies after a dry run: got %s, want 0", got[0])
		}
	})
	t.Run("multipart form", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("note", "uploaded from the browser")
		fw, _ := mw.CreateFormFile("file", "bodies.xlsx")
		_, _ = fw.Write(fixture(t, "bodies.xlsx"))
		_ = mw.Close()
		rec := post(h, "/imports/bodies", mw.FormDataContentType(), &body)
		var res Result
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &res) != nil {
			t.Fatalf("got %d %s, want 200 with a result", rec.Code, rec.Body)
		}
		wantCount(t, res, "members", 6, 0, 0)
	})
}

func TestHandlerRefuses(t *testing.T) {
	pool := newDB(t)
	h := newRouter(pool, 0)
	t.Run("bad rows: 422 listing every one", func(t *testing.T) {
		rec := post(h, "/imports/units", "text/csv",
			strings.NewReader("单位编码,单位名称,层级\nA,甲,小组\nB,,村\n"))
		var p fileProblem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 422 {
			t.Fatalf("got %d %s, want 422 with a problem", rec.Code, rec.Body)
		}
		want := []RowError{
			{Row: 2, Column: "层级", Reason: "「小组」 is not a level: write 县, 乡镇, 部门 or 村 " +
				"(county, township, department, village)"},
			{Row: 3, Column: "单位名称", Reason: "is empty: 单位名称 is required"},
		}
		if len(p.Errors) != len(want) || p.Errors[0] != want[0] || p.Errors[1] != want[1] {
			t.Errorf("errors: got %+v, want %+v", p.Errors, want)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("content type: got %q, want application/problem+json", ct)
		}
	})
	cases := []struct {
		name, path, contentType string
		body                    string
		want                    int
	}{
		{"unknown kind", "/imports/people", "text/csv", "a,b\n", 404},
		{"bad dry_run", "/imports/units?dry_run=maybe", "text/csv", "a,b\n", 400},
		{"dry_run as a digit", "/imports/units?dry_run=1", "text/csv", "a,b\n", 400},
		{"JSON", "/imports/units", "application/json", `{"code":"A"}`, 415},
		{"PDF", "/imports/units", "application/octet-stream", "%PDF-1.4\n", 415},
		{"image", "/imports/units", "image/png", "\x89PNG", 415},
		{"empty", "/imports/units", "text/csv", "", 422},
		{"form without file", "/imports/units", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n", 400},
		{"form cut off in its file", "/imports/units", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n\r\n" +
				"单位编码,单位名称,层级\nA,甲,县\n", 400},
		{"form cut off in its headers", "/imports/units", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-da", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := post(h, c.path, c.contentType, strings.NewReader(c.body))
			if rec.Code != c.want || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %d (%s) %s, want %d as a problem", rec.Code,
					rec.Header().Get("Content-Type"), rec.Body, c.want)
			}
		})
	}
}

// endless is a body of n bytes of CSV that counts how much was read.
type endless struct {
	n, read int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n-e.read)
	for i := range p[:k] {
		p[i] = 'x'
	}
	e.read += k
	return int(k), nil
}

func TestHandlerRefusesLargeUploads(t *testing.T) {
	const limit = 1 << 20
	h := newRouter(nil, limit)
	for _, declared := range []bool{true, false} {
		body := &endless{n: 200 << 20}
		req := httptest.NewRequest(http.MethodPost, "/imports/decisions", body)
		req.Header.Set("Content-Type", "text/csv")
		req.ContentLength = -1 // chunked
		if declared {
			req.ContentLength = body.n
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("200 MB upload (length declared %v): got %d, want 413", declared, rec.Code)
		}
		if max := int64(limit + 64<<10); body.read > max {
			t.Errorf("200 MB upload (length declared %v): read %d bytes, want at most %d",
				declared, body.read, max)
		}
	}
}
