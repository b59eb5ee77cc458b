package storage

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// readConns carries Rehash's GETs over keep-alive connections of its own,
// straight to MinIO. net/http writes each request and parses each answer;
// what readConns leaves out is http.Transport's connection management,
// which hands every request and every answer between the caller and two
// goroutines of the connection. Rehash sends one GET per segment and is
// held to a share of the raw SHA-256 rate; with 1 MiB segments those
// hand-offs, with the thread wake-ups they cost, took 6 to 10 points of it
// (BENCHMARKS.md, "Rehash against raw SHA-256"). Here the rehash's own
// goroutine writes the request, reads the answer and hashes the body.
//
// A connection goes back to the pool only once its answer has been read
// to the end, so the next request never meets the rest of another's body.
// readConns serves plain HTTP and HTTPS; an endpoint that the environment
// routes through a proxy is read with http.Transport instead (readsVia).
type readConns struct {
	endpoint string
	tls      *tls.Config // nil for plain HTTP
	dialer   net.Dialer

	mu   sync.Mutex
	idle []idleConn // most recently used last
}

// readConn is one connection to MinIO with its buffers.
type readConn struct {
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
}

type idleConn struct {
	c     *readConn
	since time.Time
}

// Bounds of the pool: the most idle connections kept (verify reads up to
// 256 segments at once) and how long one may wait unused. MinIO closes a
// keep-alive connection after a while on its side; one found closed is
// dialled again (roundTrip).
const (
	maxIdleReads   = 256
	readIdleExpiry = 30 * time.Second
)

// longAgo is a deadline in the past: setting it ends any read or write
// blocked on the connection.
var longAgo = time.Unix(1, 0)

// readsVia returns what carries Rehash's GETs to the endpoint: readConns,
// or, when proxy (http.ProxyFromEnvironment in New, which minio-go's
// requests follow too) sends requests to the endpoint through a proxy, an
// http.Transport that goes the same way.
func readsVia(endpoint string, secure bool,
	proxy func(*http.Request) (*url.URL, error)) http.RoundTripper {
	scheme := "http"
	if secure {
		scheme = "https"
	}
	probe := &http.Request{URL: &url.URL{Scheme: scheme, Host: endpoint}}
	if via, err := proxy(probe); err == nil && via == nil {
		return newReadConns(endpoint, secure)
	}
	return newReadTransport(secure, proxy)
}

// newReadTransport is the http.Transport of rehash reads through a proxy:
// idle connections for the most reads verify runs at once, and no
// decompression (the bytes hashed are the bytes stored).
func newReadTransport(secure bool, proxy func(*http.Request) (*url.URL, error)) *http.Transport {
	t := &http.Transport{
		Proxy:               proxy,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxIdleReads,
		MaxIdleConnsPerHost: maxIdleReads,
		IdleConnTimeout:     readIdleExpiry,
		TLSHandshakeTimeout: 10 * time.Second,
		DisableCompression:  true,
	}
	if secure {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return t
}

func newReadConns(endpoint string, secure bool) *readConns {
	p := &readConns{endpoint: endpoint, dialer: net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
	}}
	if secure {
		host, _, err := net.SplitHostPort(endpoint)
		if err != nil {
			host = endpoint
		}
		p.tls = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	}
	return p
}

// RoundTrip sends req, a GET without a body, on an idle connection or a
// new one and returns the answer with its headers read. The body, read on
// the caller's goroutine, must be closed. A connection that MinIO closed
// while it sat idle fails before any byte of the answer comes back; the
// request is then sent once more on a new connection.
func (p *readConns) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for {
		c, reused, err := p.get(ctx)
		if err != nil {
			return nil, err
		}
		stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(longAgo) })
		resp, err := c.exchange(req)
		if err == nil {
			resp.Body = &readBody{ReadCloser: resp.Body, ctx: ctx, pool: p, c: c, stop: stop,
				keep: !resp.Close && resp.StatusCode >= http.StatusOK}
			return resp, nil
		}
		stop()
		c.conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if reused && errors.Is(err, errClosedWhileIdle) {
			continue
		}
		return nil, err
	}
}

// errClosedWhileIdle is an exchange that failed before any byte of the
// answer arrived.
var errClosedWhileIdle = errors.New("connection closed before the answer began")

// exchange writes req and reads the answer's status line and headers.
func (c *readConn) exchange(req *http.Request) (*http.Response, error) {
	if err := req.Write(c.bw); err != nil {
		return nil, fmt.Errorf("%w: %w", errClosedWhileIdle, err)
	}
	if err := c.bw.Flush(); err != nil {
		return nil, fmt.Errorf("%w: %w", errClosedWhileIdle, err)
	}
	if _, err := c.br.Peek(1); err != nil {
		return nil, fmt.Errorf("%w: %w", errClosedWhileIdle, err)
	}
	return http.ReadResponse(c.br, req)
}

// get returns the most recently used idle connection still fresh, or dials
// a new one; reused tells which.
func (p *readConns) get(ctx context.Context) (c *readConn, reused bool, err error) {
	now := time.Now()
	p.mu.Lock()
	for len(p.idle) > 0 {
		last := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if now.Sub(last.since) < readIdleExpiry {
			p.mu.Unlock()
			return last.c, true, nil
		}
		last.c.conn.Close()
	}
	p.mu.Unlock()
	conn, err := p.dialer.DialContext(ctx, "tcp", p.endpoint)
	if err != nil {
		return nil, false, err
	}
	if p.tls != nil {
		tc := tls.Client(conn, p.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, false, err
		}
		conn = tc
	}
	return &readConn{conn: conn, br: bufio.NewReader(conn), bw: bufio.NewWriter(conn)},
		false, nil
}

// put keeps c for the next request, or closes it when the pool is full.
func (p *readConns) put(c *readConn) {
	p.mu.Lock()
	if len(p.idle) < maxIdleReads {
		p.idle = append(p.idle, idleConn{c: c, since: time.Now()})
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		c.conn.Close()
	}
}

// readBody is the body of an answer from readConns. Its connection goes
// back to the pool when the body was read to its end, the answer allows
// keeping the connection, and the request's context has not ended;
// otherwise Close closes it.
type readBody struct {
	io.ReadCloser
	ctx  context.Context
	pool *readConns
	c    *readConn
	stop func() bool
	keep bool
	done bool // read to io.EOF
}

func (b *readBody) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.done = true
	case err != nil && b.ctx.Err() != nil:
		// The context set the connection's deadline (RoundTrip).
		err = b.ctx.Err()
	}
	return n, err
}

func (b *readBody) Close() error {
	if b.c == nil {
		return nil
	}
	c := b.c
	b.c = nil
	if b.stop() && b.keep && b.done {
		b.pool.put(c)
		return nil
	}
	return c.conn.Close()
}
