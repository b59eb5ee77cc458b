package openapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestDocumentLoadsAndValidates(t *testing.T) {
	cases := []struct {
		name string
		data func() ([]byte, error)
	}{
		{"YAML", func() ([]byte, error) { return YAML(), nil }},
		{"JSON", JSON},
	}
	var loaded []*openapi3.T
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := c.data()
			if err != nil {
				t.Fatalf("document as %s: %v", c.name, err)
			}
			doc, err := openapi3.NewLoader().LoadFromData(data)
			if err != nil {
				t.Fatalf("load the %s document: %v", c.name, err)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("the %s document is not valid OpenAPI: %v", c.name, err)
			}
			loaded = append(loaded, doc)
		})
	}
	t.Run("JSON says what YAML says", func(t *testing.T) {
		if len(loaded) != 2 {
			t.Fatalf("got %d loaded documents, want 2", len(loaded))
		}
		a, errA := json.Marshal(loaded[0])
		b, errB := json.Marshal(loaded[1])
		if errA != nil || errB != nil {
			t.Fatalf("marshal documents: %v, %v", errA, errB)
		}
		if string(a) != string(b) {
			t.Errorf("the JSON document differs from the YAML one")
		}
	})
}

func TestToJSON(t *testing.T) {
	cases := []struct {
		name, yaml, want, wantErr string
	}{
		{"nested mappings and lists", "a:\n  - b: 1\n    c: [x, 'y']\n",
			`{"a":[{"b":1,"c":["x","y"]}]}`, ""},
		{"quoted status code keys", "'200': {description: ok}\n",
			`{"200":{"description":"ok"}}`, ""},
		{"timestamps stay strings", "t: 2026-03-01T09:00:00+08:00\n",
			`{"t":"2026-03-01T09:00:00+08:00"}`, ""},
		{"unquoted number key", "responses:\n  200: {description: ok}\n", "", "quote it"},
		{"not YAML", "a: [\n", "", "parse OpenAPI YAML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := toJSON([]byte(c.yaml))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("toJSON(%q): got error %v, want one containing %q",
						c.yaml, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("toJSON(%q): %v", c.yaml, err)
			}
			if string(got) != c.want {
				t.Errorf("toJSON(%q): got %s, want %s", c.yaml, got, c.want)
			}
		})
	}
}

func TestServe(t *testing.T) {
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		wantType string
		wantBody string
	}{
		{"JSON", ServeJSON, "application/json", `"openapi":"3.0.3"`},
		{"YAML", ServeYAML, "application/yaml", "openapi: 3.0.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.handler(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("got status %d, want 200", rec.Code)
			}
			if got := rec.Header().Get("Content-Type"); got != c.wantType {
				t.Errorf("got Content-Type %q, want %q", got, c.wantType)
			}
			if !strings.Contains(rec.Body.String(), c.wantBody) {
				t.Errorf("got a body without %q", c.wantBody)
			}
		})
	}
}
