package alert

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/verify"
)

// apiServer serves the API over e's database after one sweep.
func apiServer(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	e.sweep(t, e.sweeper(t, Config{}))
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler { // as the admin token would
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(access.NewContext(r.Context(),
				access.Principal{Admin: true})))
		})
	})
	NewAPI(e.store, e.logger).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, method, path, contentType,
	body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestAPIListsAndChangesFindings(t *testing.T) {
	e := newEnv(t)
	srv := apiServer(t, e)
	status, _, body := call(t, srv, "GET", "/findings?state=open,acknowledged&limit=2", "", "")
	var page Page
	if err := json.Unmarshal(body, &page); status != 200 || err != nil ||
		len(page.Items) != 2 || page.NextOffset != 2 {
		t.Fatalf("list: got %d %s, want two open findings and a next page", status, body)
	}
	status, _, body = call(t, srv, "GET", "/findings?code=no_meeting&unit=qinghe", "", "")
	if err := json.Unmarshal(body, &page); status != 200 || err != nil || len(page.Items) != 1 ||
		page.Items[0].Code != verify.CodeNoMeeting {
		t.Fatalf("list by code and parent unit: got %d %s, want the NO_MEETING finding",
			status, body)
	}
	id := page.Items[0].ID
	path := fmt.Sprintf("/findings/%d", id)

	status, _, body = call(t, srv, "POST", path+"/acknowledge", "application/json",
		`{"by":"张三"}`)
	if status != 200 || !strings.Contains(string(body), `"state":"acknowledged"`) {
		t.Errorf("acknowledge without a reason: got %d %s", status, body)
	}
	status, _, body = call(t, srv, "POST", path+"/resolve", "application/json",
		`{"by":"李四","reason":"linked on paper"}`)
	var d Detail
	if err := json.Unmarshal(body, &d); status != 200 || err != nil ||
		d.State != StateResolved || d.StateActor != "李四" || len(d.Events) != 3 ||
		lastEvent(d).Actor != "李四" || lastEvent(d).Reason != "linked on paper" {
		t.Errorf("resolve: got %d %s, want resolved by 李四 with the reason", status, body)
	}
	status, _, body = call(t, srv, "GET", path, "", "")
	if err := json.Unmarshal(body, &d); status != 200 || err != nil || d.ID != id ||
		d.Events == nil || d.DeliveryLog == nil {
		t.Fatalf("get: got %d %s, want the finding with its events and deliveries", status,
			body)
	}
	var who []string
	for _, ev := range d.Events {
		who = append(who, ev.Kind+" by "+ev.Actor+" via "+ev.Via)
	}
	if want := []string{"opened by verifier via ", "acknowledged by 张三 via admin token",
		"resolved by 李四 via admin token"}; !slices.Equal(who, want) {
		t.Errorf("get: got events %q, want %q", who, want)
	}
}

func TestAPIRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	srv := apiServer(t, e)
	f := e.finding(t, e.decision(t, verify.CodeNoMeeting), verify.CodeNoMeeting)
	done := e.finding(t, e.decision(t, verify.CodeWrongBody), verify.CodeWrongBody)
	call(t, srv, "POST", fmt.Sprintf("/findings/%d/resolve", done.ID), "application/json",
		`{"by":"张三","reason":"annulled"}`)
	one := fmt.Sprintf("/findings/%d", f.ID)
	resolved := fmt.Sprintf("/findings/%d", done.ID)
	for _, tc := range []struct {
		name, method, path, contentType, body string
		want                                  int
		field                                 string
	}{
		{"unknown parameter", "GET", "/findings?stat=open", "", "", 400, "stat"},
		{"unknown state", "GET", "/findings?state=closed", "", "", 400, "state"},
		{"state given empty", "GET", "/findings?state=", "", "", 400, "state"},
		{"limit given empty", "GET", "/findings?limit=&code=no_meeting", "", "", 400, "limit"},
		{"unit given twice", "GET", "/findings?unit=qingshan&unit=qinghe", "", "", 400, "unit"},
		{"limit given twice", "GET", "/findings?limit=2&limit=2", "", "", 400, "limit"},
		{"offset given twice", "GET", "/findings?offset=0&offset=1", "", "", 400, "offset"},
		{"unknown code", "GET", "/findings?code=NO_SUCH", "", "", 400, "code"},
		{"unknown severity", "GET", "/findings?severity=urgent", "", "", 400, "severity"},
		{"unknown unit", "GET", "/findings?unit=nowhere", "", "", 400, "unit"},
		{"unit with NUL", "GET", "/findings?unit=qs%00", "", "", 400, "unit"},
		{"unit not UTF-8", "GET", "/findings?unit=qs%ff", "", "", 400, "unit"},
		{"limit zero", "GET", "/findings?limit=0", "", "", 400, "limit"},
		{"limit too big", "GET", "/findings?limit=501", "", "", 400, "limit"},
		{"offset not a number", "GET", "/findings?offset=x", "", "", 400, "offset"},
		{"bad query", "GET", "/findings?state=%zz", "", "", 400, "query"},
		{"offset too big", "GET", "/findings?offset=2147483648", "", "", 400, "offset"},
		{"id not a number", "GET", "/findings/abc", "", "", 400, "id"},
		{"id zero", "GET", "/findings/0", "", "", 400, "id"},
		{"acknowledge of a bad id", "POST", "/findings/abc/acknowledge", "", "", 400, "id"},
		{"resolve of a bad id", "POST", "/findings/-1/resolve", "application/json",
			`{"by":"张三","reason":"x"}`, 400, "id"},
		{"unknown finding", "GET", "/findings/999999", "", "", 404, ""},
		{"acknowledge unknown", "POST", "/findings/999999/acknowledge", "application/json",
			`{"by":"张三"}`, 404, ""},
		{"resolve without reason", "POST", one + "/resolve", "application/json",
			`{"by":"张三"}`, 400, "reason"},
		{"resolve with empty body", "POST", one + "/resolve", "", "", 400, "by"},
		{"acknowledge with empty body", "POST", one + "/acknowledge", "", "", 400, "by"},
		{"acknowledge without by", "POST", one + "/acknowledge", "application/json",
			`{"reason":"seen"}`, 400, "by"},
		{"blank by", "POST", one + "/acknowledge", "application/json", `{"by":"  "}`, 400,
			"by"},
		{"by too long", "POST", one + "/acknowledge", "application/json",
			`{"by":"` + strings.Repeat("张", maxBy+1) + `"}`, 400, "by"},
		{"by of two lines", "POST", one + "/acknowledge", "application/json",
			`{"by":"张三\n李四"}`, 400, "by"},
		{"reason with NUL", "POST", one + "/acknowledge", "application/json",
			`{"by":"张三","reason":"seen\u0000"}`, 400, "reason"},
		{"by a lone surrogate", "POST", one + "/acknowledge", "application/json",
			`{"by":"\ud800张三"}`, 400, "by"},
		{"by not UTF-8", "POST", one + "/acknowledge", "application/json",
			"{\"by\":\"\xff张三\"}", 400, "by"},
		{"reason a lone surrogate", "POST", one + "/resolve", "application/json",
			`{"by":"张三","reason":"fixed \udc00"}`, 400, "reason"},
		{"by reordered for show", "POST", one + "/acknowledge", "application/json",
			`{"by":"\u202e三张"}`, 400, "by"},
		{"by the verifier", "POST", one + "/acknowledge", "application/json",
			`{"by":"verifier"}`, 400, "by"},
		{"by not a string", "POST", one + "/acknowledge", "application/json", `{"by":5}`,
			400, ""},
		{"unknown field", "POST", one + "/resolve", "application/json",
			`{"reason":"x","actor":"me"}`, 400, "actor"},
		{"not JSON", "POST", one + "/resolve", "application/json", `reason=x`, 400, ""},
		{"two objects", "POST", one + "/resolve", "application/json",
			`{"reason":"x"}{"reason":"y"}`, 400, ""},
		{"a stray brace after the object", "POST", one + "/resolve", "application/json",
			`{"reason":"x"}}`, 400, ""},
		{"body too large", "POST", one + "/resolve", "application/json",
			`{"reason":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, ""},
		{"form body", "POST", one + "/resolve", "application/x-www-form-urlencoded",
			`reason=x`, 415, ""},
		{"reason too long", "POST", one + "/acknowledge", "application/json",
			`{"by":"张三","reason":"` + strings.Repeat("长", maxReason+1) + `"}`, 400, "reason"},
		{"resolve a resolved finding", "POST", resolved + "/resolve", "application/json",
			`{"by":"张三","reason":"again"}`, 409, ""},
		{"acknowledge a resolved finding", "POST", resolved + "/acknowledge",
			"application/json", `{"by":"张三"}`, 409, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := call(t, srv, tc.method, tc.path, tc.contentType, tc.body)
			var p problem.Details
			if err := json.Unmarshal(body, &p); status != tc.want || err != nil ||
				h.Get("Content-Type") != problem.ContentType || p.Detail == "" {
				t.Fatalf("got %d %s %s, want %d problem+json", status, h.Get("Content-Type"),
					body, tc.want)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("got errors %+v, want one naming %s", p.Errors, tc.field)
			}
		})
	}
	t.Run("the conflict of a finding a person resolved says who and what holds it", func(t *testing.T) {
		_, _, body := call(t, srv, "POST", resolved+"/acknowledge", "application/json",
			`{"by":"李四"}`)
		var p problem.Details
		_ = json.Unmarshal(body, &p)
		if !strings.Contains(p.Detail, "resolved already, by 张三; it stays resolved while "+
			"the verifier still finds it") {
			t.Errorf("got %q, want it to name 张三 and say it stays resolved", p.Detail)
		}
	})
	t.Run("state all", func(t *testing.T) {
		_, _, body := call(t, srv, "GET", "/findings?state=all&limit=500", "", "")
		var all, none Page
		_ = json.Unmarshal(body, &all)
		_, _, body = call(t, srv, "GET", "/findings?limit=500", "", "")
		_ = json.Unmarshal(body, &none)
		states := map[string]bool{}
		for _, f := range all.Items {
			states[f.State] = true
		}
		if len(all.Items) != len(none.Items) || !states[StateResolved] || !states[StateOpen] {
			t.Errorf("got %d findings in states %v, want the %d of every state, as without state",
				len(all.Items), states, len(none.Items))
		}
	})
	t.Run("a list given twice is read as one", func(t *testing.T) {
		status, _, body := call(t, srv, "GET", "/findings?state=open&state=resolved", "", "")
		if status != http.StatusOK {
			t.Errorf("got %d %s, want 200", status, body)
		}
	})
	t.Run("a parameter given twice is refused, saying so", func(t *testing.T) {
		status, _, body := call(t, srv, "GET", "/findings?unit=a&unit=b&limit=1&limit=2",
			"", "")
		var p problem.Details
		if err := json.Unmarshal(body, &p); status != 400 || err != nil {
			t.Fatalf("got %d %s, want 400 with a problem", status, body)
		}
		want := []problem.FieldError{
			{Field: "limit", Reason: "given 2 times; give it once"},
			{Field: "unit", Reason: "given 2 times; give it once"},
		}
		if !slices.Equal(p.Errors, want) {
			t.Errorf("got errors %+v, want %+v", p.Errors, want)
		}
	})
	if got := e.finding(t, f.DecisionID, f.Code); got.State != StateOpen || len(got.Events) != 1 {
		t.Errorf("after refused requests: got %+v, want the finding unchanged", got.Finding)
	}
}
