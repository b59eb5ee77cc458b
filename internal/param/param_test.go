package param

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/problem"
)

func TestInt(t *testing.T) {
	tests := []struct {
		name, s string
		want    int
		bad     bool
	}{
		{"empty gives the default", "", 7, false},
		{"in range", "12", 12, false},
		{"lowest", "1", 1, false},
		{"highest", "500", 500, false},
		{"below", "0", 7, true},
		{"above", "501", 7, true},
		{"not a number", "ten", 7, true},
		{"past int64", "99999999999999999999", 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Int(tt.s, 1, 500, 7)
			if got != tt.want || (err != nil) != tt.bad {
				t.Fatalf("Int(%q): got %d, %v; want %d, error %v", tt.s, got, err, tt.want,
					tt.bad)
			}
			if err != nil && !strings.Contains(err.Error(), "whole number from 1 to 500") {
				t.Errorf("Int(%q): got reason %q, want the range in it", tt.s, err)
			}
		})
	}
	if _, err := Offset("2147483648"); err == nil {
		t.Error("Offset past MaxOffset: got no error")
	}
	if n, err := Limit("", DefaultLimit, MaxLimit); err != nil || n != DefaultLimit {
		t.Errorf("Limit(\"\"): got %d, %v; want %d", n, err, DefaultLimit)
	}
}

func TestPathID(t *testing.T) {
	r := chi.NewRouter()
	r.Get("/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := PathID(w, r); ok {
			_ = json.NewEncoder(w).Encode(id)
		}
	})
	for path, want := range map[string]int{"/things/42": 200, "/things/abc": 400,
		"/things/0": 400, "/things/-3": 400, "/things/99999999999999999999": 400} {
		t.Run(path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != want {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, want)
			}
			if want != 400 {
				return
			}
			var p problem.Details
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil ||
				rec.Header().Get("Content-Type") != problem.ContentType ||
				len(p.Errors) != 1 || p.Errors[0].Field != "id" {
				t.Errorf("got %s %s, want a problem naming id", rec.Header().Get("Content-Type"),
					rec.Body)
			}
		})
	}
}

func TestWithoutEmpty(t *testing.T) {
	q, err := url.ParseQuery("unit=&limit=5&from=%20&flag&codes=A&codes=&skip=,%20,&other=")
	if err != nil {
		t.Fatal(err)
	}
	rest, empty := WithoutEmpty(q, []string{"codes", "unit", "from", "flag", "limit", "skip"})
	if want := []string{"codes", "unit", "from", "flag", "skip"}; !slices.Equal(empty, want) {
		t.Errorf("empty: got %v, want %v in the order given", empty, want)
	}
	want := url.Values{"limit": {"5"}, "other": {""}} // other is no parameter of the API
	if !reflect.DeepEqual(rest, want) {
		t.Errorf("rest: got %v, want %v", rest, want)
	}
	if len(q) != 7 {
		t.Errorf("q: got %v, want it as it was", q)
	}
}

func TestWithoutRepeated(t *testing.T) {
	q, err := url.ParseQuery("unit=a&limit=5&unit=b&state=open&state=open&state=x&other=1&other=2")
	if err != nil {
		t.Fatal(err)
	}
	rest, repeated := WithoutRepeated(q, []string{"state", "limit", "unit"})
	want := []problem.FieldError{
		{Field: "state", Reason: "given 3 times; give it once"},
		{Field: "unit", Reason: "given 2 times; give it once"},
	}
	if !slices.Equal(repeated, want) {
		t.Errorf("repeated: got %+v, want %+v in the order given", repeated, want)
	}
	// other is no parameter of the API: left for the caller's own check.
	if wantRest := (url.Values{"limit": {"5"}, "other": {"1", "2"}}); !reflect.DeepEqual(rest,
		wantRest) {
		t.Errorf("rest: got %v, want %v", rest, wantRest)
	}
	if len(q["unit"]) != 2 || len(q["state"]) != 3 {
		t.Errorf("q: got %v, want it as it was", q)
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		name          string
		items         []int
		limit, offset int
		want          List[int]
	}{
		{"an extra item: a next page", []int{1, 2, 3}, 2, 4, List[int]{Items: []int{1, 2},
			NextOffset: 6}},
		{"no extra item: the last page", []int{1, 2}, 2, 4, List[int]{Items: []int{1, 2}}},
		{"nothing read: an empty list", nil, 2, 0, List[int]{Items: []int{}}},
	} {
		got := Cut(tc.items, tc.limit, tc.offset)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if b, _ := json.Marshal(Cut[int](nil, 5, 0)); string(b) != `{"items":[]}` {
		t.Errorf("an empty page in JSON: got %s, want {\"items\":[]}", b)
	}
}
