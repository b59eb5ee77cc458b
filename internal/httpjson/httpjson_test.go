package httpjson

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadRefusesTextThatIsNotUnicode(t *testing.T) {
	type body struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	}
	for _, tc := range []struct {
		name, body string
		status     int
		mentions   []string // in the answer
		want       body     // when read
	}{
		{"a pair of surrogates", `{"name":"\ud83d\ude00 张三"}`, 0, nil,
			body{Name: "😀 张三"}},
		{"a lone surrogate", `{"name":"\ud800","reason":"ok"}`, http.StatusBadRequest,
			[]string{`"field":"name"`, "lone surrogate"}, body{}},
		{"a low surrogate first", `{"reason":"x\udc00y"}`, http.StatusBadRequest,
			[]string{`"field":"reason"`}, body{}},
		{"bytes that are not UTF-8", "{\"name\":\"a\xffb\",\"reason\":\"\xc3\"}",
			http.StatusBadRequest, []string{`"field":"name"`, `"field":"reason"`}, body{}},
		{"too large", `{"name":"` + strings.Repeat("x", 200) + `"}`,
			http.StatusRequestEntityTooLarge, []string{"over 100 bytes"}, body{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			var got body
			ok := Read(w, r, &got, 100, "send name and reason")
			if tc.status == 0 {
				if !ok || got != tc.want {
					t.Errorf("got %v, %+v (%s); want it read as %+v", ok, got, w.Body, tc.want)
				}
				return
			}
			if ok || w.Code != tc.status {
				t.Fatalf("got %v and %d %s, want %d", ok, w.Code, w.Body, tc.status)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(w.Body.String(), m) {
					t.Errorf("answer %s lacks %s", w.Body, m)
				}
			}
		})
	}
}
