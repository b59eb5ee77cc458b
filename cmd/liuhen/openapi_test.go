package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/openapi"
)

// TestOpenAPIDocument keeps internal/openapi/openapi.yaml true to the
// server: the routes the real router mounts and the operations the
// document lists are the same, and real answers of every operation match
// the document's schemas, status codes and headers.
func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	s := startStack(t, time.Second)

	t.Run("mounted routes and documented operations are the same", func(t *testing.T) {
		mounted := mountedOperations(t, s.app.handler, s.admin)
		documented := documentedOperations(doc)
		for _, op := range sortedKeys(mounted) {
			if !documented[op] {
				t.Errorf("the server mounts %s, but the document does not list it", op)
			}
		}
		for _, op := range sortedKeys(documented) {
			if !mounted[op] {
				t.Errorf("the document lists %s, but the server does not mount it", op)
			}
		}
	})

	t.Run("answers match the document", func(t *testing.T) {
		c := newContract(t, doc, s.url)
		checkAnswers(t, c, s)
		for _, op := range sortedKeys(documentedOperations(doc)) {
			if !c.seen[op] {
				t.Errorf("no real answer of %s was checked: add a request for it to "+
					"checkAnswers", op)
			}
		}
	})
}

// loadOpenAPI loads and validates the embedded document.
func loadOpenAPI(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML())
	if err != nil {
		t.Fatalf("load internal/openapi/openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("internal/openapi/openapi.yaml is not valid OpenAPI: %v", err)
	}
	return doc
}

// documentedOperations lists "METHOD /path" for every operation of doc.
func documentedOperations(doc *openapi3.T) map[string]bool {
	ops := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops[strings.ToUpper(method)+" "+path] = true
		}
	}
	return ops
}

// everyMethod is what chi registers for a route that takes any method
// (Handle, HandleFunc, Mount): such a handler sorts out methods itself.
var everyMethod = []string{
	http.MethodConnect, http.MethodDelete, http.MethodGet, http.MethodHead,
	http.MethodOptions, http.MethodPatch, http.MethodPost, http.MethodPut, http.MethodTrace,
}

// mountedOperations walks the router and lists "METHOD /path" for every
// operation it serves, with paths written as the document writes them.
// For a route registered for any method it asks the handler which methods
// it answers with something else than 405; a handler that answers every
// method alike (the metrics, the static files) counts as serving GET.
func mountedOperations(t *testing.T, h http.Handler, admin string) map[string]bool {
	t.Helper()
	router, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("the server's handler is a %T, not a chi router", h)
	}
	routes := map[string]map[string]bool{}
	err := chi.Walk(router, func(method, route string, _ http.Handler,
		_ ...func(http.Handler) http.Handler) error {
		if routes[route] == nil {
			routes[route] = map[string]bool{}
		}
		routes[route][method] = true
		return nil
	})
	if err != nil {
		t.Fatalf("walk the router: %v", err)
	}
	ops := map[string]bool{}
	for pattern, methods := range routes {
		path := documentPath(pattern)
		if !allMethods(methods) {
			for m := range methods {
				ops[m+" "+path] = true
			}
			continue
		}
		served := probeMethods(t, h, pattern, admin)
		if len(served) == len(everyMethod) {
			served = []string{http.MethodGet}
		}
		for _, m := range served {
			ops[m+" "+path] = true
		}
	}
	return ops
}

func allMethods(methods map[string]bool) bool {
	for _, m := range everyMethod {
		if !methods[m] {
			return false
		}
	}
	return true
}

var chiParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// documentPath writes a chi pattern as an OpenAPI path: {id:[0-9]+}
// becomes {id}, and a trailing wildcard becomes {path}.
func documentPath(pattern string) string {
	p := chiParam.ReplaceAllString(pattern, "{$1}")
	if strings.HasSuffix(p, "/*") {
		p = strings.TrimSuffix(p, "*") + "{path}"
	}
	return p
}

// probeMethods sends every method to a path of pattern, with the admin
// token and no body, and returns the methods not answered 405. The ids
// in the path name nothing, so no request changes anything.
func probeMethods(t *testing.T, h http.Handler, pattern, admin string) []string {
	t.Helper()
	path := chiParam.ReplaceAllString(pattern, "999999999")
	if strings.HasSuffix(path, "/*") {
		path = strings.TrimSuffix(path, "*") + "no-such-file"
	}
	var served []string
	for _, m := range everyMethod {
		req := httptest.NewRequest(m, path, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMethodNotAllowed {
			served = append(served, m)
		}
	}
	return served
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// contract checks requests to a running server, and its answers, against
// the document, and notes which operations answered.
type contract struct {
	router routers.Router
	base   string
	seen   map[string]bool // "METHOD /path" of the operations checked
}

var registerDecoders sync.Once

func newContract(t testing.TB, doc *openapi3.T, base string) *contract {
	t.Helper()
	registerDecoders.Do(func() {
		// Bodies the validator should read as text.
		for _, mt := range []string{"application/sdp", "application/trickle-ice-sdpfrag",
			"text/html"} {
			openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
		}
		openapi3filter.RegisterBodyDecoder("application/zip", openapi3filter.FileBodyDecoder)
	})
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("route the document: %v", err)
	}
	return &contract{router: r, base: base, seen: map[string]bool{}}
}

// exchange is one request and the status it must be answered with.
type exchange struct {
	name        string
	method      string
	path        string // with the query
	token       string // "" for none
	contentType string
	body        string
	want        int
	// malformed requests break the document on purpose, to draw an error;
	// only their answer is checked.
	malformed bool
}

// check sends x, checks the request (unless it is malformed) and the
// answer against the document, and returns the answer and its body.
func (c *contract) check(t *testing.T, x exchange) (*http.Response, []byte) {
	t.Helper()
	ctx := context.Background()
	req := x.request(t, c.base)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in the document: %v", x.method, x.path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: x.request(t, c.base),
		PathParams: params, Route: route, Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if !x.malformed {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s: the request does not match the document: %v",
				x.method, x.path, err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", x.method, x.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", x.method, x.path, err)
	}
	if resp.StatusCode != x.want {
		t.Errorf("%s %s: got status %d, want %d; body %s", x.method, x.path,
			resp.StatusCode, x.want, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in,
		Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s %s: the answer %d does not match the document: %v\nbody: %s",
			x.method, x.path, resp.StatusCode, err, body)
	}
	c.seen[route.Method+" "+route.Path] = true
	return resp, body
}

func (x exchange) request(t testing.TB, base string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(x.method, base+x.path, strings.NewReader(x.body))
	if err != nil {
		t.Fatalf("new request %s %s: %v", x.method, x.path, err)
	}
	if x.token != "" {
		req.Header.Set("Authorization", "Bearer "+x.token)
	}
	if x.contentType != "" {
		req.Header.Set("Content-Type", x.contentType)
	}
	return req
}

// checkAll runs exchanges one after the other, each as a subtest.
func (c *contract) checkAll(t *testing.T, xs []exchange) {
	t.Helper()
	for _, x := range xs {
		t.Run(x.name, func(t *testing.T) { c.check(t, x) })
	}
}

// TestDocumentPath checks how chi patterns are written as document paths.
func TestDocumentPath(t *testing.T) {
	cases := []struct{ name, pattern, want string }{
		{"plain", "/healthz", "/healthz"},
		{"parameter", "/api/v1/meetings/{id}", "/api/v1/meetings/{id}"},
		{"parameter with a pattern", "/whip/{meeting:[0-9]+}/{session}",
			"/whip/{meeting}/{session}"},
		{"trailing wildcard", "/static/*", "/static/{path}"},
		{"root", "/", "/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := documentPath(c.pattern); got != c.want {
				t.Errorf("documentPath(%q): got %q, want %q", c.pattern, got, c.want)
			}
		})
	}
}

// TestAllMethods checks the test's sign of a route that takes any method.
func TestAllMethods(t *testing.T) {
	all := map[string]bool{}
	for _, m := range everyMethod {
		all[m] = true
	}
	cases := []struct {
		name    string
		methods map[string]bool
		want    bool
	}{
		{"every method", all, true},
		{"GET and POST", map[string]bool{http.MethodGet: true, http.MethodPost: true}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := allMethods(c.methods); got != c.want {
				t.Errorf("allMethods: got %v, want %v", got, c.want)
			}
		})
	}
}
