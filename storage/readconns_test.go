package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// relay passes TCP connections to MinIO, counting the connections made
// to it and able to cut all of them at once, as a MinIO that closes its
// idle connections does.
type relay struct {
	ln       net.Listener
	target   string
	accepted atomic.Int64

	mu    sync.Mutex
	conns []net.Conn
}

func newRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); r.cut() })
	go r.serve()
	return r
}

func (r *relay) serve() {
	for {
		in, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.accepted.Add(1)
		out, err := net.Dial("tcp", r.target)
		if err != nil {
			in.Close()
			continue
		}
		r.mu.Lock()
		r.conns = append(r.conns, in, out)
		r.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }()
		go func() { io.Copy(in, out); in.Close() }()
	}
}

// cut closes every connection passed so far.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

// relayedSegment stores size bytes under key in a new bucket and returns
// a store of that bucket whose requests go through a relay, the relay, and
// the bytes' SHA-256.
func relayedSegment(t *testing.T, key string, size int) (*Store, *relay, [32]byte) {
	t.Helper()
	s := openStore(t, 0)
	sum := putSegment(t, s, key, size)
	r := newRelay(t, s.cfg.Endpoint)
	cfg := s.cfg
	cfg.Endpoint = r.ln.Addr().String()
	via, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := via.reads.(*readConns); !ok {
		t.Fatalf("reads to %s go by %T, want *readConns", cfg.Endpoint, via.reads)
	}
	return via, r, sum
}

// putSegment stores size bytes under key and returns their SHA-256.
func putSegment(t *testing.T, s *Store, key string, size int) [32]byte {
	t.Helper()
	data := segmentBytes(size, byte(size))
	sum := sha256.Sum256(data)
	if err := s.Put(testContext(t), key, bytes.NewReader(data), int64(size), sum,
		"video/webm"); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return sum
}

// rehashes checks that key rehashes to sum.
func rehashes(t *testing.T, s *Store, key string, sum [32]byte) {
	t.Helper()
	got, _, err := s.Rehash(testContext(t), key)
	if err != nil || got != sum {
		t.Fatalf("rehash %s: got %x, %v; want %x", key, got, err, sum)
	}
}

func TestRehashKeepsItsConnection(t *testing.T) {
	via, r, sum := relayedSegment(t, "conns/keep.webm", 300<<10)

	for range 5 {
		rehashes(t, via, "conns/keep.webm", sum)
	}
	// The region is asked on a connection of minio-go's own.
	if n := r.accepted.Load(); n != 2 {
		t.Errorf("five rehashes one after another made %d connections, want 2 "+
			"(one for the region, one kept for the reads)", n)
	}
}

func TestRehashAfterMinIOClosedItsConnections(t *testing.T) {
	via, r, sum := relayedSegment(t, "conns/closed.webm", 64<<10)

	rehashes(t, via, "conns/closed.webm", sum)
	r.cut()
	rehashes(t, via, "conns/closed.webm", sum)
	if n := r.accepted.Load(); n != 3 {
		t.Errorf("a rehash after the connections were cut made %d connections in all, "+
			"want 3 (region, first read, the read after the cut)", n)
	}
}

func TestRehashLeavesNoHalfReadConnection(t *testing.T) {
	via, r, sum := relayedSegment(t, "conns/half.webm", 2<<20)
	ctx := testContext(t)

	// Of another size: the answer is left unread, so its connection must
	// not carry the next request.
	if _, n, err := via.RehashIfSize(ctx, "conns/half.webm", 1); err != nil || n != 2<<20 {
		t.Fatalf("rehash if size 1: got %d, %v; want %d, nil", n, err, 2<<20)
	}
	rehashes(t, via, "conns/half.webm", sum)

	// Cancelled in the middle of the body: the error is the context's.
	cctx, cancel := context.WithCancel(ctx)
	resp, err := via.getObject(cctx, "conns/half.webm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.Body.Read(make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.Copy(io.Discard, resp.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: got %v, want context.Canceled", err)
	}
	resp.Body.Close()
	rehashes(t, via, "conns/half.webm", sum)

	if n := r.accepted.Load(); n != 4 {
		t.Errorf("got %d connections, want 4: the region's, then a new one after each "+
			"answer left unread", n)
	}
}

func TestRehashThroughAForwardProxy(t *testing.T) {
	s := openStore(t, 0)
	sum := putSegment(t, s, "conns/proxied.webm", 128<<10)
	var forwarded atomic.Int64
	forward := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		forwarded.Add(1)
		pr.Out.URL = pr.In.URL // a forward proxy is asked for the absolute URL
		pr.Out.Host = pr.In.Host
	}}
	proxy := httptest.NewServer(forward)
	t.Cleanup(proxy.Close)
	proxyURL, _ := url.Parse(proxy.URL)
	viaProxy := func(*http.Request) (*url.URL, error) { return proxyURL, nil }

	reads := readsVia(s.cfg.Endpoint, false, viaProxy)
	if _, ok := reads.(*http.Transport); !ok {
		t.Fatalf("reads through a proxy go by %T, want *http.Transport", reads)
	}
	via, err := New(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	via.reads = reads
	rehashes(t, via, "conns/proxied.webm", sum)
	if forwarded.Load() != 1 {
		t.Errorf("the proxy forwarded %d requests, want 1", forwarded.Load())
	}

	direct := func(*http.Request) (*url.URL, error) { return nil, nil }
	if reads := readsVia(s.cfg.Endpoint, false, direct); func() bool {
		_, ok := reads.(*readConns)
		return !ok
	}() {
		t.Errorf("reads without a proxy go by %T, want *readConns", reads)
	}
}

func TestRehashOverTLS(t *testing.T) {
	s := openStore(t, 0)
	sum := putSegment(t, s, "conns/tls.webm", 200<<10)
	target, _ := url.Parse("http://" + s.cfg.Endpoint)
	front := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(front.Close)

	cfg := s.cfg
	cfg.Endpoint = front.Listener.Addr().String()
	cfg.Secure = true
	cfg.Region = "us-east-1" // no call of minio-go's, which does not trust the test's CA
	via, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conns, ok := via.reads.(*readConns)
	if !ok {
		t.Fatalf("reads go by %T, want *readConns", via.reads)
	}
	// Not trusted yet: the handshake fails, and says so.
	_, _, err = via.Rehash(testContext(t), "conns/tls.webm")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("rehash from a server whose certificate is not trusted: got %v, want "+
			"ErrUnavailable naming the certificate", err)
	}
	conns.tls.RootCAs = front.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	for range 3 {
		rehashes(t, via, "conns/tls.webm", sum)
	}
}
