package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// issuerEnv is an issuer on a fresh database holding the sample township
// and on a fresh bucket of the test MinIO.
type issuerEnv struct {
	issuer  *Issuer
	store   *storage.Store
	sample  agenda.Sample
	printer Printer
}

func newIssuerEnv(t *testing.T, printer Printer) issuerEnv {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Database(t)
	sample, err := agenda.LoadSample(ctx, agenda.NewStore(pool))
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	m := testenv.MinIOServer(t)
	store, err := storage.Open(ctx, storage.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey,
		SecretKey: m.SecretKey, Bucket: testenv.BucketName(), Retention: 24 * time.Hour})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	// No object checker: the sample has no recordings to check.
	is := NewIssuer(pool, store, nil, printer, slog.New(slog.DiscardHandler))
	return issuerEnv{issuer: is, store: store, sample: sample, printer: printer}
}

// fetch reads a URL the issuer handed out.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return body
}

func TestIssueStoresWhatItReturns(t *testing.T) {
	e := newIssuerEnv(t, nil)
	ctx := context.Background()
	var copied bytes.Buffer
	got, err := e.issuer.Issue(ctx, Request{Format: FormatJSON, IssuedBy: "test"}, &copied)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	sum := sha256.Sum256(copied.Bytes())
	if got.SHA256 != hex.EncodeToString(sum[:]) || got.Size != int64(copied.Len()) {
		t.Errorf("got sha256 %s size %d, want those of the copy %x %d",
			got.SHA256, got.Size, sum, copied.Len())
	}
	stored, size, err := e.store.Rehash(ctx, got.ObjectKey)
	if err != nil || stored != sum || size != got.Size {
		t.Errorf("stored object: sha256 %x size %d err %v; want %x %d", stored, size, err,
			sum, got.Size)
	}

	var c Compliance
	if err := json.Unmarshal(copied.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c.Checked != len(e.sample.Decisions) || got.Checked != c.Checked ||
		got.Findings != len(c.Findings) || len(c.Findings) == 0 {
		t.Errorf("got %d checked, %d findings in the row and %d in the report; want %d "+
			"checked and the sample's findings", got.Checked, got.Findings, len(c.Findings),
			len(e.sample.Decisions))
	}

	one, err := e.issuer.Get(ctx, got.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if body := fetch(t, one.URL); !bytes.Equal(body, copied.Bytes()) {
		t.Error("the report behind the link differs from the one issued")
	}
	list, err := e.issuer.List(ctx, "", 10, 0)
	if err != nil || len(list) != 1 || list[0].ID != got.ID {
		t.Errorf("List: got %+v, %v; want the one report", list, err)
	}
}

func TestScheduledReportIssuedOnce(t *testing.T) {
	e := newIssuerEnv(t, nil)
	ctx := context.Background()
	from, to, _ := LastPeriod(TriggerDaily, time.Now())
	req := Request{Trigger: TriggerDaily, Format: FormatCSV,
		Options: verify.Options{From: from, To: to}}
	first, err := e.issuer.Issue(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.issuer.Issue(ctx, req, nil)
	if err != nil || again.ID != first.ID || again.ObjectKey != first.ObjectKey {
		t.Errorf("second issue: got %+v, %v; want report %d again", again, err, first.ID)
	}
	req.Format = FormatHTML
	other, err := e.issuer.Issue(ctx, req, nil)
	if err != nil || other.ID == first.ID {
		t.Errorf("another format: got %+v, %v; want a report of its own", other, err)
	}
}

func TestIssueRefusesBadOptions(t *testing.T) {
	e := newIssuerEnv(t, nil)
	ctx := context.Background()
	for name, opts := range map[string]verify.Options{
		"unknown unit":      {Unit: "NOWHERE"},
		"period backwards":  {From: time.Now(), To: time.Now().Add(-time.Hour)},
		"unknown rule code": {Codes: []string{"NO_SUCH_RULE"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.issuer.Issue(ctx, Request{Options: opts, Format: FormatHTML}, nil)
			if len(verify.OptionErrors(err)) == 0 {
				t.Errorf("got %v, want option errors", err)
			}
		})
	}
	if list, _ := e.issuer.List(ctx, "", 10, 0); len(list) != 0 {
		t.Errorf("got %d reports after refused requests, want none", len(list))
	}
}

func TestPDFReportHasChineseText(t *testing.T) {
	if _, err := browser.FindChromium(); err != nil {
		t.Fatal(err)
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (scripts/deps.sh does)")
	}
	e := newIssuerEnv(t, browser.Printer{})
	var pdf bytes.Buffer
	if _, err := e.issuer.Make(context.Background(), &pdf, Request{Format: FormatPDF}); err != nil {
		t.Fatalf("Make: %v", err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("got %.20q, want a PDF", pdf.Bytes())
	}
	cmd := exec.Command(pdftotext, "-", "-")
	cmd.Stdin = &pdf
	text, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"决策程序合规报告", "未经会议决策", "青山镇"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the PDF's text lacks %q (no Chinese font installed? "+
				"`apt-get install fonts-wqy-microhei`)", want)
		}
	}
}

func TestPDFReportInParts(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (scripts/deps.sh does)")
	}
	old := pdfPartFindings
	pdfPartFindings = 2
	t.Cleanup(func() { pdfPartFindings = old })
	e := newIssuerEnv(t, browser.Printer{})
	var pdf bytes.Buffer
	c, err := e.issuer.Make(context.Background(), &pdf, Request{Format: FormatPDF})
	if err != nil {
		t.Fatalf("Make: %v", err)
	}
	if len(c.Findings) < 5 {
		t.Fatalf("the sample gives %d findings, want at least 5 for three parts",
			len(c.Findings))
	}
	cmd := exec.Command(pdftotext, "-", "-")
	cmd.Stdin = &pdf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	if n := strings.Count(text, "决策程序合规报告"); n != 1 {
		t.Errorf("the title is printed %d times, want once, on the first part", n)
	}
	if n, want := strings.Count(text, "Findings and their evidence, continued"),
		(len(c.Findings)+1)/2-1; n != want {
		t.Errorf("got %d continued parts, want %d", n, want)
	}
	at := 0
	for i, f := range c.Findings {
		head := fmt.Sprintf("%d. [%s]", i+1, f.Severity)
		next := strings.Index(text[at:], head)
		if next < 0 {
			t.Fatalf("finding %d (%q) is not in the PDF after finding %d", i+1, head, i)
		}
		at += next + len(head)
	}
}

func TestAPI(t *testing.T) {
	e := newIssuerEnv(t, nil)
	router := chi.NewRouter()
	NewAPI(e.issuer, slog.New(slog.DiscardHandler)).Register(router)
	srv := httptest.NewServer(router)
	defer srv.Close()
	post := func(contentType, body string) (int, string, http.Header) {
		resp, err := http.Post(srv.URL+"/reports", contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}

	status, body, h := post("application/json", `{"format":"csv","unit":"qingshan","from":"2026-01-01"}`)
	if status != http.StatusCreated || h.Get("Location") == "" {
		t.Fatalf("POST: got %d %s, want 201 with a Location", status, body)
	}
	var issued Issued
	_ = json.Unmarshal([]byte(body), &issued)

	resp, err := http.Get(srv.URL + h.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	var got Issued
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.ID != issued.ID || got.URL == "" || got.SHA256 != issued.SHA256 {
		t.Errorf("GET %s: got %+v, want report %d with a link", h.Get("Location"), got, issued.ID)
	}
	if issued.From == nil || got.From == nil || !got.From.Equal(*issued.From) ||
		got.From.Format(time.RFC3339) != issued.From.Format(time.RFC3339) {
		t.Errorf("from: POST answered %v, GET %v; want the same time written the same way",
			issued.From, got.From)
	}
	if issued.IssuedBy != IssuedByAPI || got.IssuedBy != IssuedByAPI {
		t.Errorf("issued by %q (POST) and %q (GET), want %q", issued.IssuedBy, got.IssuedBy,
			IssuedByAPI)
	}

	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		mentions                []string
	}{
		{"not JSON", "text/plain", `{}`, http.StatusUnsupportedMediaType, []string{"application/json"}},
		{"broken JSON", "application/json", `{"format":`, http.StatusBadRequest, []string{"JSON"}},
		{"unknown field", "application/json", `{"colour":"red"}`, http.StatusBadRequest, []string{"colour"}},
		{"two objects", "application/json", `{}{}`, http.StatusBadRequest, []string{"more than one"}},
		{"too large", "application/json", `{"unit":"` + strings.Repeat("x", 70<<10) + `"}`,
			http.StatusRequestEntityTooLarge, []string{"is over 65536 bytes"}},
		{"every bad field", "application/json", `{"format":"docx","from":"2026-13-01","to":"yesterday"}`,
			http.StatusBadRequest, []string{"format", "from", "to"}},
		{"period backwards", "application/json", `{"from":"2026-05-01","to":"2026-04-01"}`,
			http.StatusBadRequest, []string{"to"}},
		{"starts after today", "application/json", `{"from":"2030-01-01"}`,
			http.StatusBadRequest, []string{"from", "after today"}},
		{"unknown unit", "application/json", `{"unit":"NOWHERE"}`, http.StatusBadRequest, []string{"NOWHERE"}},
		{"unknown unit beside a bad format", "application/json",
			`{"unit":"NOWHERE","format":"docx"}`, http.StatusBadRequest,
			[]string{`"field":"format"`, `"field":"unit"`, "NOWHERE"}},
		{"unknown unit beside a start after today", "application/json",
			`{"unit":"NOWHERE","from":"2030-01-01"}`, http.StatusBadRequest,
			[]string{`"field":"from"`, "after today", `"field":"unit"`}},
		{"fields given empty", "application/json", `{"unit":"","format":" ","from":"","to":""}`,
			http.StatusBadRequest, []string{`"field":"unit"`, `"field":"format"`,
				`"field":"from"`, `"field":"to"`, "given empty; give a value, or leave unit out"}},
		{"unknown code", "application/json", `{"codes":["NO_SUCH"]}`, http.StatusBadRequest, []string{"NO_SUCH"}},
		{"unknown code to skip", "application/json", `{"skip":["NO_SUCH"]}`, http.StatusBadRequest,
			[]string{`"field":"skip"`, "NO_SUCH"}},
		{"codes holding no code", "application/json", `{"codes":[","],"skip":["NO_MEETING",""]}`,
			http.StatusBadRequest, []string{`"field":"codes[0]"`, `"field":"skip[1]"`,
				"holds no finding code"}},
		{"skip of every code", "application/json", `{"codes":["NO_MEETING"],"skip":["no_meeting"]}`,
			http.StatusBadRequest, []string{`"field":"skip"`, "leaves no rule"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, h := post(tc.contentType, tc.body)
			if status != tc.status || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
				t.Errorf("got %d %s %s, want %d problem+json", status, h.Get("Content-Type"), body, tc.status)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(body, m) {
					t.Errorf("got %s, want it to mention %q", body, m)
				}
			}
		})
	}
	t.Run("every bad field told once by its name", func(t *testing.T) {
		status, body, _ := post("application/json",
			`{"format":"docx","from":"2026-13-01","to":"yesterday"}`)
		var p problem.Details
		if err := json.Unmarshal([]byte(body), &p); err != nil || status != 400 {
			t.Fatalf("got %d %s, want 400 with a problem", status, body)
		}
		date := `; give 2006-01-02 or an RFC 3339 time such as 2006-01-02T15:04:05+08:00`
		want := []problem.FieldError{
			{Field: "format", Reason: `unknown report format "docx": use html, pdf, csv or json`},
			{Field: "from", Reason: `cannot read "2026-13-01" as a date` + date},
			{Field: "to", Reason: `cannot read "yesterday" as a date` + date},
		}
		wantDetail := `fix these: format: unknown report format "docx": use html, pdf, ` +
			`csv or json; from: cannot read "2026-13-01" as a date` + date +
			`; to: cannot read "yesterday" as a date` + date
		if !slices.Equal(p.Errors, want) || p.Detail != wantDetail {
			t.Errorf("got errors %+v\ndetail %q\nwant %+v\ndetail %q", p.Errors, p.Detail,
				want, wantDetail)
		}
	})
	for _, tc := range []struct {
		path  string
		want  int
		field string // named in the problem's errors
	}{
		{"/reports/999999", 404, ""},
		{"/reports/abc", 400, "id"},
		{"/reports/0", 400, "id"},
		{"/reports?limit=0", 400, "limit"},
		{"/reports?limit=10&offset=-1", 400, "offset"},
		{"/reports?offset=2147483648", 400, "offset"},
		{"/reports?unit=qingshan", 200, ""},
		{"/reports?unit=", 400, "unit"},
		{"/reports?unit=qs%00", 400, "unit"},
		{"/reports?unit=qs%ff", 400, "unit"},
		{"/reports?limit=&unit=qingshan", 400, "limit"},
		{"/reports?unit=qingshan&unit=linxi", 400, "unit"},
		{"/reports?limit=5&limit=5", 400, "limit"},
		{"/reports?offset=0&unit=qingshan&offset=1", 400, "offset"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var p problem.Details
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s: got %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
		if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
			t.Errorf("GET %s: got errors %+v, want one naming %s", tc.path, p.Errors, tc.field)
		}
	}
	t.Run("a parameter given twice is refused, saying so", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/reports?unit=qingshan&unit=linxi&limit=2&limit=3")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p problem.Details
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 400 {
			t.Fatalf("got %d (%v), want 400 with a problem", resp.StatusCode, err)
		}
		want := []problem.FieldError{
			{Field: "unit", Reason: "given 2 times; give it once"},
			{Field: "limit", Reason: "given 2 times; give it once"},
		}
		if !slices.Equal(p.Errors, want) {
			t.Errorf("got errors %+v, want %+v", p.Errors, want)
		}
	})
}

// stuckObjects is an evidence store that accepts a Put and never answers.
type stuckObjects struct{}

func (stuckObjects) Put(ctx context.Context, _ string, _ io.Reader, _ int64, _ [32]byte,
	_ string) error {
	<-ctx.Done()
	return ctx.Err()
}

func (stuckObjects) PresignGet(context.Context, string, time.Duration) (*url.URL, error) {
	return nil, errors.New("not stored")
}

func TestIssueGivesUpOnAStuckStore(t *testing.T) {
	old := putTimeout
	putTimeout = func(int) time.Duration { return 50 * time.Millisecond }
	t.Cleanup(func() { putTimeout = old })
	ctx := context.Background()
	pool := testenv.Database(t)
	if _, err := agenda.LoadSample(ctx, agenda.NewStore(pool)); err != nil {
		t.Fatalf("load sample: %v", err)
	}
	is := NewIssuer(pool, stuckObjects{}, nil, nil, slog.New(slog.DiscardHandler))
	_, err := is.Issue(ctx, Request{Format: FormatHTML, Trigger: TriggerOnDemand}, nil)
	if !errors.Is(err, storage.ErrUnavailable) || !strings.Contains(err.Error(), "took over 50ms") {
		t.Fatalf("got %v, want storage.ErrUnavailable after 50ms", err)
	}
	if list, err := is.List(ctx, "", 10, 0); err != nil || len(list) != 0 {
		t.Errorf("got %d reports catalogued (%v), want none", len(list), err)
	}
}
