package storage

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
)

// TestRehashKeysThatNeedEncoding rehashes objects whose keys hold
// characters a URL path escapes: the path sent and the path signed must
// agree, or MinIO refuses the signature.
func TestRehashKeysThatNeedEncoding(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	for _, key := range []string{
		"meetings/1/会议 录像/000001.webm",
		"a+b/c%20d/e=f&g;h/000002.webm",
		"x/(1)~'!*,$@/000003.webm",
	} {
		data := segmentBytes(1<<10, key[0])
		sum := sha256.Sum256(data)
		if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), sum,
			"video/webm"); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
		got, n, err := s.Rehash(ctx, key)
		if err != nil || got != sum || n != int64(len(data)) {
			t.Errorf("rehash %q: got %x, %d, %v; want %x, %d, nil", key, got, n, err, sum,
				len(data))
		}
	}
}

func TestRehashRefusals(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	data := segmentBytes(1<<10, 7)
	sum := sha256.Sum256(data)
	if err := s.Put(ctx, "k", bytes.NewReader(data), int64(len(data)), sum,
		"video/webm"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   error
		says   string
	}{
		{"wrong secret key", func(c *Config) { c.SecretKey += "-wrong" }, ErrInvalidConfig,
			"LIUHEN_MINIO_SECRET_KEY"},
		{"unknown access key", func(c *Config) { c.AccessKey = "nobody-here" }, ErrInvalidConfig,
			"LIUHEN_MINIO_ACCESS_KEY"},
		{"missing bucket", func(c *Config) { c.Bucket += "-gone" }, ErrBucketMissing, "-gone"},
		{"missing bucket, region given", func(c *Config) {
			c.Bucket += "-gone"
			c.Region = "us-east-1"
		}, ErrBucketMissing, "-gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := s.cfg
			tt.change(&cfg)
			other, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = other.Rehash(ctx, "k")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
}

// TestRehashAsksABusyMinIOAgain puts a proxy before MinIO that answers the
// first GETs of an object as a busy MinIO does (503 SlowDown), and one
// that never stops: the first rehash succeeds on a later attempt, the
// second reports MinIO unavailable after getAttempts tries.
func TestRehashAsksABusyMinIOAgain(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	data := segmentBytes(64<<10, 3)
	sum := sha256.Sum256(data)
	for _, key := range []string{"busy/twice", "busy/always"} {
		if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), sum,
			"video/webm"); err != nil {
			t.Fatal(err)
		}
	}
	var gets atomic.Int32
	busy := throughProxy(t, s, nil, func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/busy/") {
			n := gets.Add(1)
			if strings.HasSuffix(r.URL.Path, "/always") || n <= 2 {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error>` +
					`<Code>SlowDown</Code><Message>Resource requested is unreadable, ` +
					`please reduce your request rate</Message></Error>`))
				return
			}
		}
		pass.ServeHTTP(w, r)
	})

	got, n, err := busy.Rehash(ctx, "busy/twice")
	if err != nil || got != sum || n != int64(len(data)) {
		t.Fatalf("busy twice: got %x, %d, %v; want %x, %d, nil", got, n, err, sum, len(data))
	}
	if g := gets.Load(); g != 3 {
		t.Errorf("busy twice: the proxy saw %d GETs, want 3", g)
	}

	gets.Store(0)
	_, _, err = busy.Rehash(ctx, "busy/always")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "503") {
		t.Errorf("always busy: got %v, want ErrUnavailable naming the 503", err)
	}
	if g := gets.Load(); g != getAttempts {
		t.Errorf("always busy: the proxy saw %d GETs, want %d", g, getAttempts)
	}
}

// TestOpenThroughAProxyPage checks that a server answering 404 pages to
// everything is not taken for MinIO without the bucket: the error names
// LIUHEN_MINIO_ENDPOINT, and serve's EnsureBucket does not try to create
// the bucket there.
func TestOpenThroughAProxyPage(t *testing.T) {
	var puts atomic.Int32
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			puts.Add(1)
		}
		http.Error(w, "<html>not here</html>", http.StatusNotFound)
	}))
	t.Cleanup(page.Close)
	cfg := Config{Endpoint: strings.TrimPrefix(page.URL, "http://"),
		AccessKey: "liuhen", SecretKey: "liuhen-secret", Bucket: "liuhen-evidence"}
	ctx := testContext(t)

	_, err := OpenExisting(ctx, cfg)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBucketMissing) ||
		!strings.Contains(err.Error(), "LIUHEN_MINIO_ENDPOINT") {
		t.Errorf("OpenExisting: got %v, want ErrUnavailable naming LIUHEN_MINIO_ENDPOINT", err)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureBucket(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("EnsureBucket: got %v, want ErrUnavailable", err)
	}
	if n := puts.Load(); n != 0 {
		t.Errorf("EnsureBucket sent %d PUTs to create the bucket, want none", n)
	}
}

// TestRehashThroughAProxyPage checks that a 404 without S3's error
// document (a proxy's own page) ends the rehash as MinIO unavailable,
// naming the key: it says nothing of the object, and taking it as missing
// would report every segment behind a misrouted endpoint as lost.
func TestRehashThroughAProxyPage(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("location") {
			w.Header().Set("Content-Type", "application/xml")
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` +
				`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
				`</LocationConstraint>`))
			return
		}
		http.Error(w, "<html>not here</html>", http.StatusNotFound)
	}))
	t.Cleanup(proxy.Close)
	s, err := New(Config{Endpoint: strings.TrimPrefix(proxy.URL, "http://"),
		AccessKey: "liuhen", SecretKey: "liuhen-secret", Bucket: "liuhen-evidence"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Rehash(testContext(t), "meetings/1/000001.webm")
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) ||
		!strings.Contains(err.Error(), "meetings/1/000001.webm") {
		t.Errorf("got %v, want ErrUnavailable naming the key", err)
	}
}

// TestRehashRefusesWhatIsNotAnObject puts a proxy before MinIO that
// answers the GET of an object with what MinIO never sends: a redirect to
// a login page, a 200 page without Last-Modified, and a 200 stream without
// a length cut off by closing the connection. Each must end the rehash as
// MinIO unavailable, naming the key, rather than hash the page as the
// object (which verify would report as a replaced object).
func TestRehashRefusesWhatIsNotAnObject(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	data := segmentBytes(64<<10, 5)
	sum := sha256.Sum256(data)
	if err := s.Put(ctx, "odd/object", bytes.NewReader(data), int64(len(data)), sum,
		"video/webm"); err != nil {
		t.Fatal(err)
	}
	var mode atomic.Value
	via := throughProxy(t, s, nil, func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		if r.URL.Path == "/login" {
			w.Write([]byte("<html>log in</html>"))
			return
		}
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/odd/") {
			pass.ServeHTTP(w, r)
			return
		}
		switch mode.Load() {
		case "redirect":
			http.Redirect(w, r, "/login", http.StatusFound)
		case "page":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>gateway says hello</html>"))
		case "no content":
			w.WriteHeader(http.StatusNoContent)
		case "forbidden page":
			http.Error(w, "<html>blocked by policy</html>", http.StatusForbidden)
		case "cut":
			// Delimited by closing the connection, as HTTP/1.0 was: the
			// client cannot tell the end of the object from a cut.
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nLast-Modified: Mon, 02 Jan 2006 " +
				"15:04:05 GMT\r\nConnection: close\r\n\r\n")
			buf.Write(data[:100])
			buf.Flush()
			conn.Close()
		default:
			pass.ServeHTTP(w, r)
		}
	})
	mode.Store("pass")
	if got, n, err := via.Rehash(ctx, "odd/object"); err != nil || got != sum ||
		n != int64(len(data)) {
		t.Fatalf("through the proxy: got %x, %d, %v; want %x, %d, nil", got, n, err, sum,
			len(data))
	}
	for _, m := range []string{"redirect", "page", "cut", "no content", "forbidden page"} {
		mode.Store(m)
		got, n, err := via.RehashIfSize(ctx, "odd/object", int64(len(data)))
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "odd/object") ||
			strings.Count(err.Error(), ErrUnavailable.Error()) != 1 {
			t.Errorf("%s: got %x, %d, %v; want ErrUnavailable, said once, naming the key",
				m, got, n, err)
		}
	}
}

// TestKeysMinIORefuses: a key MinIO refuses as a name (a "." or ".."
// component, an empty one) is refused here as ErrInvalidArgument, which
// verify reports as a segment no object holds, rather than sent and
// answered with a 400 that stops the whole run.
func TestKeysMinIORefuses(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	for _, key := range []string{"../x", "a/../../b", "./a", "a/./b", "a//b", "..", ".",
		"a/ .. /b", "meetings/1/"} {
		_, _, rerr := s.RehashIfSize(ctx, key, 10)
		_, serr := s.Stat(ctx, key)
		if key == "meetings/1/" { // a name MinIO takes: not found
			if !errors.Is(rerr, ErrNotFound) || !errors.Is(serr, ErrNotFound) {
				t.Errorf("%q: rehash %v, stat %v; want ErrNotFound", key, rerr, serr)
			}
			continue
		}
		if !errors.Is(rerr, ErrInvalidArgument) || !errors.Is(serr, ErrInvalidArgument) {
			t.Errorf("%q: rehash %v, stat %v; want ErrInvalidArgument", key, rerr, serr)
		}
	}
}

// TestAccessDeniedNamesTheSetting: MinIO that denies Liuhen's user access
// to an object (a policy changed while serve runs) is told as a setting
// to fix, by Rehash and by Stat alike, not as an error of unknown kind.
func TestAccessDeniedNamesTheSetting(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	via := throughProxy(t, s, nil, func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		if !strings.Contains(r.URL.Path, "/denied/") {
			pass.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.Method != http.MethodHead {
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error>` +
				`<Code>AccessDenied</Code><Message>Access Denied.</Message></Error>`))
		}
	})
	_, _, rerr := via.RehashIfSize(ctx, "denied/1", 10)
	_, serr := via.Stat(ctx, "denied/1")
	for op, err := range map[string]error{"rehash": rerr, "stat": serr} {
		if !errors.Is(err, ErrInvalidConfig) ||
			!strings.Contains(err.Error(), "LIUHEN_MINIO_ACCESS_KEY") {
			t.Errorf("%s: got %v, want ErrInvalidConfig naming LIUHEN_MINIO_ACCESS_KEY", op, err)
		}
	}
}

// TestStatOfABusyOrStrangeAnswer: a HEAD answered as a busy MinIO or a
// proxy answers (503, 502, or a 200 without Last-Modified) is MinIO
// unavailable, as a rehash's GET takes it, so that a sweep leaves
// RECORDING_TAMPERED out rather than fail whole, and the API answers 503.
func TestStatOfABusyOrStrangeAnswer(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	var mode atomic.Value
	via := throughProxy(t, s, func(c *Config) {
		// Longer than minio-go's retries of a 502 or 503 (about 7 s at most),
		// so that the answer, not the bound, is what ends each call.
		c.CallTimeout = 30 * time.Second
	}, func(w http.ResponseWriter, r *http.Request, pass http.Handler) {
		if r.Method != http.MethodHead || !strings.Contains(r.URL.Path, "/odd/") {
			pass.ServeHTTP(w, r)
			return
		}
		switch mode.Load() {
		case "200":
			w.Header().Set("Content-Length", "10")
			w.WriteHeader(http.StatusOK)
		case "502":
			w.WriteHeader(http.StatusBadGateway)
		case "503":
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	for _, m := range []string{"200", "502", "503"} {
		mode.Store(m)
		_, err := via.Stat(ctx, "odd/x")
		if !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "did not answer") {
			t.Errorf("HEAD answered %s: got %v, want ErrUnavailable for the answer itself",
				m, err)
		}
	}
}

// TestRehashOfBytesDamagedOnTheDrive flips a byte of an object's data on
// MinIO's drive, as a failing disk does: MinIO's own check of its data
// refuses the read (503 SlowDownRead, every time it is asked), and the
// rehash reports the object unreadable, not MinIO unavailable. The
// object's size and checksum, kept apart from its data, still read.
func TestRehashOfBytesDamagedOnTheDrive(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	const key = "meetings/1/recordings/1/tracks/1/000007.webm"
	data := segmentBytes(1<<20, 5) // over MinIO's 128 KiB, so not kept inline
	sum := sha256.Sum256(data)
	if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), sum,
		"video/webm"); err != nil {
		t.Fatal(err)
	}
	parts, err := filepath.Glob(filepath.Join(testenv.MinIODataDir(t), s.cfg.Bucket,
		filepath.FromSlash(key), "*", "part.1"))
	if err != nil || len(parts) != 1 {
		t.Fatalf("the object's data file on the drive: got %v, %v; want one part.1", parts,
			err)
	}
	stored, err := os.ReadFile(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	stored[len(stored)/2] ^= 0x40
	if err := os.WriteFile(parts[0], stored, 0o600); err != nil {
		t.Fatal(err)
	}

	_, _, err = s.Rehash(ctx, key)
	if !errors.Is(err, ErrUnreadable) || errors.Is(err, ErrUnavailable) ||
		!strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("rehash: got %v, want ErrUnreadable naming the key and the damage", err)
	}
	if info, err := s.Stat(ctx, key); err != nil || info.Size != int64(len(data)) ||
		info.SHA256 != sum {
		t.Errorf("stat: got %+v, %v; want the size and checksum stored", info, err)
	}
}

// throughProxy returns a store like s whose endpoint is a proxy to s's
// MinIO: answer sees every request first and passes it on with pass, or
// answers it itself. change, unless nil, alters the store's settings. The proxy leaves
// the Host header as the client sent it, which is what the client signed.
func throughProxy(t *testing.T, s *Store, change func(*Config),
	answer func(w http.ResponseWriter, r *http.Request, pass http.Handler)) *Store {
	t.Helper()
	target, err := url.Parse("http://" + s.cfg.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, pass)
	}))
	t.Cleanup(proxy.Close)
	cfg := s.cfg
	cfg.Endpoint = strings.TrimPrefix(proxy.URL, "http://")
	if change != nil {
		change(&cfg)
	}
	via, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return via
}
