package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/agenda/importer"
	"github.com/liuhen/liuhen/capture"
	bundle "github.com/liuhen/liuhen/evidence"
	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/internal/openapi"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
	"github.com/liuhen/liuhen/verify/report"
	"github.com/liuhen/liuhen/viewing"
	"github.com/liuhen/liuhen/web"
)

func newServeCommand() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server: WHIP recording, the JSON API, pages and metrics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := mustConfig(needEverything)
			if err != nil {
				return err
			}
			if listen != "" {
				c.Listen = listen
			}
			if c.AdminToken == "" {
				return usagef("LIUHEN_ADMIN_TOKEN is empty: set a long random token, " +
					"e.g. LIUHEN_ADMIN_TOKEN=$(openssl rand -hex 24)")
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return serve(ctx, c)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (overrides LIUHEN_LISTEN)")
	return cmd
}

// services are the connections every command that works on data needs.
type services struct {
	pool    *pgxpool.Pool
	store   *agenda.Store
	objects *storage.Store
}

func (s services) close() { s.pool.Close() }

// connect opens PostgreSQL (migrating it) and, when withObjects is set, MinIO.
func connect(ctx context.Context, c config, withObjects bool) (services, error) {
	pool, err := pgxpool.New(ctx, c.DatabaseURL)
	if err != nil {
		return services{}, usagef("LIUHEN_DATABASE_URL: %v", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return services{}, fmt.Errorf("connect to PostgreSQL (LIUHEN_DATABASE_URL): %w; "+
			"is it running? `make services` starts one", err)
	}
	if err := agenda.Migrate(ctx, pool); err != nil {
		pool.Close()
		return services{}, err
	}
	if err := jobs.Migrate(ctx, pool); err != nil {
		pool.Close()
		return services{}, err
	}
	s := services{pool: pool, store: agenda.NewStore(pool)}
	if !withObjects {
		return s, nil
	}
	s.objects, err = storage.OpenExisting(ctx, c.storageConfig())
	if err != nil {
		pool.Close()
		return services{}, openStoreError(err)
	}
	return s, nil
}

// openStoreError explains why the evidence store did not open: a setting
// to fix is bad usage (exit 2) and says which; only a MinIO that did not
// answer gets the hint to start one.
func openStoreError(err error) error {
	switch {
	case errors.Is(err, storage.ErrInvalidConfig), errors.Is(err, storage.ErrBucketMissing):
		return usageError{fmt.Errorf("bad settings: %w", err)}
	case evidenceUnreachable(err):
		return fmt.Errorf("open evidence store: %w; is MinIO running? "+
			"`make services` starts one", err)
	}
	return fmt.Errorf("open evidence store: %w", err)
}

func (c config) storageConfig() storage.Config {
	return storage.Config{
		Endpoint: c.MinIOEndpoint, AccessKey: c.MinIOAccessKey, SecretKey: c.MinIOSecretKey,
		Bucket: c.MinIOBucket, Secure: c.MinIOSecure,
		Retention: time.Duration(c.RetentionDays) * 24 * time.Hour,
	}
}

// serve binds the port before it touches the database, so that a second
// server started by mistake on a taken port changes nothing.
func serve(ctx context.Context, c config) error {
	logger := c.logger()
	routeFFmpegLogs(logger)
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		err = fmt.Errorf("listen on %s (LIUHEN_LISTEN): %w", c.Listen, err)
		// An address that is no address (no port, a port past 65535, a
		// host that does not resolve) is a bad setting; a taken port is not.
		var addr *net.AddrError
		var dns *net.DNSError
		if errors.As(err, &addr) || errors.As(err, &dns) {
			return usageError{fmt.Errorf("%w; give host:port, such as 127.0.0.1:8080", err)}
		}
		return err
	}
	defer ln.Close()
	a, err := newApp(ctx, c, logger)
	if err != nil {
		return err
	}
	defer a.close()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		a.sweepAbandoned(sweepCtx, logger)
	}()
	defer func() { stopSweep(); <-swept }()
	if err := a.jobs.Start(ctx); err != nil {
		return err
	}
	defer func() { // after the recorder, so that it may end its recordings first
		stopCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := a.jobs.Stop(stopCtx); err != nil {
			logger.Error("stop background jobs", "err", err)
		}
	}()
	return listenAndServe(ctx, c, ln, a.handler, a.recorder, logger)
}

// app is the assembled server: its connections, recorder and routes.
type app struct {
	svc      services
	claim    *agenda.Recorder // this server's recorder id and its lock
	recorder *capture.Server
	jobs     *jobs.Runner // started by serve, not by newApp
	handler  http.Handler
}

// close releases the recorder's lock and the connections.
func (a *app) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.claim.Close(ctx)
	a.svc.close()
}

// newApp connects to PostgreSQL and MinIO, claims a recorder id (which
// closes the recordings that stopped servers left open) and wires the
// recorder, API, pages and metrics. When MinIO does not answer, the
// server starts anyway and opens the evidence store once it does (see
// evidence); until then segments wait in the spool.
func newApp(ctx context.Context, c config, logger *slog.Logger) (*app, error) {
	key, err := signingKey(c.SigningKeyFile, logger)
	if err != nil {
		return nil, err
	}
	svc, err := connect(ctx, c, false)
	if err != nil {
		return nil, err
	}
	ev, err := openEvidence(ctx, c.storageConfig(), logger)
	if err != nil {
		svc.close()
		return nil, err
	}
	svc.objects = ev.store.Load() // nil until MinIO answers
	claim, err := claimRecorder(ctx, svc, logger)
	if err != nil {
		svc.close()
		return nil, err
	}
	a := &app{svc: svc, claim: claim}
	if err := a.wire(c, ev, key, logger); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// claimRecorder claims this server's recorder id, then marks interrupted
// the tracks no running server records any more: those of servers that
// crashed or were killed, whose locks are free (see agenda.Recorder).
// Servers that run on the same database keep their live recordings.
func claimRecorder(ctx context.Context, svc services, logger *slog.Logger) (*agenda.Recorder,
	error) {
	claim, err := agenda.ClaimRecorder(ctx, svc.pool, logger.With("component", "recorder"))
	if err != nil {
		return nil, err
	}
	n, err := svc.store.InterruptAbandoned(ctx, claim, time.Now())
	if err != nil {
		_ = claim.Close(ctx)
		return nil, fmt.Errorf("mark recordings cut off by a stopped server: %w", err)
	}
	if n > 0 {
		logger.Warn("tracks left open by a server that stopped are marked interrupted",
			"count", n)
	}
	logger.Info("recording as", "recorder", claim.ID)
	return claim, nil
}

// abandonedSweep is how often a running server looks again for tracks
// whose server is gone: the lock of one that vanished without closing its
// connection is released only once PostgreSQL notices (see
// agenda.ClaimRecorder), which may be after this server started.
const abandonedSweep = time.Minute

// sweepAbandoned marks interrupted, every abandonedSweep until ctx ends,
// the tracks of servers that are gone.
func (a *app) sweepAbandoned(ctx context.Context, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(abandonedSweep):
		}
		n, err := a.svc.store.InterruptAbandoned(ctx, a.claim, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("look for tracks of stopped servers", "err", err)
		case n > 0:
			logger.Warn("tracks left open by a server that stopped are marked interrupted",
				"count", n)
		}
	}
}

// wire builds the recorder, the background jobs and the routes.
func (a *app) wire(c config, ev *evidence, key ed25519.PrivateKey,
	logger *slog.Logger) error {
	svc := a.svc
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(
		collectors.ProcessCollectorOpts{}))
	guard := access.NewGuard(c.AdminToken, svc.store).WithInspectors(inspect.NewTokens(svc.pool)).
		WithLogger(logger.With("component", "access"))
	recorder, err := capture.NewServer(capture.Config{
		SpoolDir: c.SpoolDir, SpoolMaxBytes: c.SpoolMaxBytes, SegmentDuration: c.SegmentDuration,
		ICEUDPPort: c.ICEUDPPort, ICEPublicIPs: c.ICEPublicIPs, ICELoopback: c.ICELoopback,
		MaxSessions: c.MaxSessions,
	}, capture.Deps{
		Catalog: svc.store.As(a.claim), Objects: ev, Auth: guard,
		Metrics: capture.NewMetrics(reg), Logger: logger.With("component", "capture"),
	})
	if err != nil {
		return usageError{err}
	}
	guard.WithLiveSessions(recorder)
	more := domains{issuer: newIssuer(svc, ev, logger), exporter: newExporter(svc, ev.get, key),
		imports:  importer.NewHandler(svc.pool, c.ImportMaxBytes, logger),
		findings: alert.NewStore(svc.pool)}
	background, err := newBackground(c, svc, ev, recorder, more.issuer, logger)
	if err != nil {
		return err
	}
	h, err := newRouter(svc, ev, more, guard, recorder, reg,
		apiBounds{short: c.APIDeadline, long: c.APILongDeadline}, logger)
	if err != nil {
		return err
	}
	a.recorder, a.jobs, a.handler = recorder, background, h
	return nil
}

// domains are the parts of the server beside the agenda and the recorder
// whose routes newRouter mounts.
type domains struct {
	issuer   *report.Issuer
	exporter *bundle.Exporter
	imports  *importer.Handler
	findings *alert.Store
}

// signingKey reads the key that signs evidence bundles, creating it when
// there is none, and logs its public key.
func signingKey(path string, logger *slog.Logger) (ed25519.PrivateKey, error) {
	key, created, err := bundle.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("LIUHEN_SIGNING_KEY_FILE: %w", err)}
	}
	pub := bundle.EncodePublicKey(key.Public().(ed25519.PublicKey))
	if created {
		logger.Warn("created a new signing key for evidence bundles; back it up",
			"file", path, "public_key", pub)
	} else {
		logger.Info("evidence bundles are signed with", "file", path, "public_key", pub)
	}
	return key, nil
}

func newRouter(svc services, ev *evidence, more domains, guard *access.Guard,
	recorder *capture.Server, reg *prometheus.Registry, bounds apiBounds,
	logger *slog.Logger) (http.Handler, error) {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer, bounds.middleware)
	r.Mount("/whip", recorder.Routes())
	api := agenda.NewAPI(svc.store, guard, logger).Routes()
	api.With(access.AdminOnly).Get("/verify",
		verify.Handler(svc.pool, ev, logger).ServeHTTP)
	inspection := inspect.NewAPI(svc.pool, ev, logger)
	inspection.Mount(api)
	api.With(inspection.Audit().Record(inspect.ActionView)).Get(
		"/recordings/{id}/viewing-copy", viewing.NewAPI(svc.pool, ev, logger).ServeHTTP)
	api.Group(func(r chi.Router) {
		r.Use(access.AdminOnly)
		report.NewAPI(more.issuer, logger).Register(r)
		alert.NewAPI(more.findings, logger).Register(r)
	})
	// Inspectors export too, and every export is in the audit log.
	exports := api.With(access.ReadersOnly, inspection.Audit().Record(inspect.ActionExport))
	exports.Get("/decisions/{id}/evidence",
		bundle.Handler(more.exporter, bundle.SubjectDecision, logger).ServeHTTP)
	exports.Get("/agenda-items/{id}/evidence",
		bundle.Handler(more.exporter, bundle.SubjectAgendaItem, logger).ServeHTTP)
	keyHandler, err := bundle.KeyHandler(more.exporter.PublicKey())
	if err != nil {
		return nil, err
	}
	api.Get("/signing-key", keyHandler.ServeHTTP)
	api.With(access.AdminOnly).Post("/imports/{kind}", more.imports.ServeHTTP)
	r.Mount("/api/v1", api)
	// The document needs no token; internal/openapi/openapi.yaml is its source.
	r.Get("/api/v1/openapi.json", openapi.ServeJSON)
	r.Get("/api/v1/openapi.yaml", openapi.ServeYAML)
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := svc.pool.Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Mount("/", web.Handler())
	return r, nil
}

// shutdownTimeout bounds a stop by SIGTERM or SIGINT: live sessions end
// as interrupted and store their last segments within it; what is not
// stored by then stays in the spool for the next start.
const shutdownTimeout = 25 * time.Second

func listenAndServe(ctx context.Context, c config, ln net.Listener, h http.Handler,
	recorder *capture.Server, logger *slog.Logger) error {
	// ReadTimeout bounds a request whose body never arrives; bodies are
	// small (SDP offers, JSON), so 30 s is generous.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second}
	logger.Info("liuhen serving", "listen", ln.Addr().String(), "url", c.publicURL())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// The recorder closes beside the HTTP server, not after it, so that a
	// slow client cannot eat the time the last segments need.
	recErrc := make(chan error, 1)
	go func() { recErrc <- recorder.Close(shutdownCtx) }()
	httpErr := srv.Shutdown(shutdownCtx)
	recErr := <-recErrc
	if err := errors.Join(httpErr, recErr); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// objectChecker lets the verifier ask the evidence store about objects.
type objectChecker struct{ s *storage.Store }

func (o objectChecker) Stat(ctx context.Context, key string) (int64, error) {
	info, err := o.s.Stat(ctx, key)
	return info.Size, checkerError(key, err)
}

// checkerError turns the store's errors into the verifier's.
func checkerError(key string, err error) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: %s", verify.ErrObjectMissing, key)
	case errors.Is(err, storage.ErrUnreadable):
		return fmt.Errorf("%w: %w", verify.ErrObjectUnreadable, err)
	case errors.Is(err, storage.ErrInvalidArgument):
		// A catalogued key no object can have (a row edited by hand): no
		// object holds that segment.
		return fmt.Errorf("%w: %q is not a valid object key: %w", verify.ErrObjectMissing,
			key, err)
	case errors.Is(err, storage.ErrUnavailable), errors.Is(err, storage.ErrInvalidConfig):
		// MinIO that refuses the credentials or denies access (a user
		// removed, a policy changed while serve runs) cannot be read for
		// now either: the run stops as for a store that does not answer
		// (503, a sweep without RECORDING_TAMPERED), with the cause.
		return fmt.Errorf("%w: %w", verify.ErrStoreUnavailable, err)
	}
	return err
}

func (o objectChecker) Rehash(ctx context.Context, key string, size int64) ([32]byte, int64,
	error) {
	sum, n, err := o.s.RehashIfSize(ctx, key, size)
	return sum, n, checkerError(key, err)
}

// evidence is the evidence store of a running server, which may open
// after the server starts: a server (re)started while MinIO is down
// records into the spool and keeps trying to open the store, and the
// recorder's uploads retry until it is open. Until then every call fails
// with storage.ErrUnavailable.
type evidence struct {
	store atomic.Pointer[storage.Store]
}

var (
	_ capture.ObjectStore  = (*evidence)(nil)
	_ verify.ObjectChecker = (*evidence)(nil)
	_ viewing.Objects      = (*evidence)(nil)
	_ inspect.Objects      = (*evidence)(nil)
)

// evidenceRetry spaces the attempts to open the store; each may take as
// long again when MinIO accepts connections but does not answer.
const evidenceRetry = 10 * time.Second

// openEvidence opens the store, or starts opening it in the background
// until ctx ends when MinIO is unreachable. Other errors (settings, a
// bucket without object lock, refused credentials) are returned.
func openEvidence(ctx context.Context, cfg storage.Config, logger *slog.Logger) (*evidence,
	error) {
	ev := &evidence{}
	err := ev.open(ctx, cfg, storage.Open)
	if err == nil || !evidenceUnreachable(err) {
		return ev, err
	}
	logger.Error("MinIO is unreachable; recording into the spool and retrying every "+
		evidenceRetry.String(), "endpoint", cfg.Endpoint, "err", err)
	go func() {
		for attempt := 2; ctx.Err() == nil; attempt++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(evidenceRetry):
			}
			if err := ev.open(ctx, cfg, storage.Open); err != nil {
				logger.Warn("MinIO still unreachable", "attempt", attempt, "err", err)
				continue
			}
			logger.Info("evidence store open; storing the spooled segments")
			return
		}
	}()
	return ev, nil
}

// open opens the store with how (storage.Open, which creates the bucket,
// or storage.OpenExisting) within evidenceRetry.
func (e *evidence) open(ctx context.Context, cfg storage.Config,
	how func(context.Context, storage.Config) (*storage.Store, error)) error {
	ctx, cancel := context.WithTimeout(ctx, evidenceRetry)
	defer cancel()
	s, err := how(ctx, cfg)
	if err != nil {
		return openStoreError(err)
	}
	e.store.Store(s)
	return nil
}

func evidenceUnreachable(err error) bool {
	return errors.Is(err, storage.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

var errEvidenceNotOpen = fmt.Errorf("%w: the evidence store is not open yet",
	storage.ErrUnavailable)

func (e *evidence) get() (*storage.Store, error) {
	if s := e.store.Load(); s != nil {
		return s, nil
	}
	return nil, errEvidenceNotOpen
}

func (e *evidence) PutFile(ctx context.Context, key, path string, sum [32]byte,
	contentType string) error {
	s, err := e.get()
	if err != nil {
		return err
	}
	return s.PutFile(ctx, key, path, sum, contentType)
}

func (e *evidence) Stat(ctx context.Context, key string) (int64, error) {
	s, err := e.get()
	if err != nil {
		return 0, checkerError(key, err)
	}
	return objectChecker{s}.Stat(ctx, key)
}

func (e *evidence) Rehash(ctx context.Context, key string, size int64) ([32]byte, int64,
	error) {
	s, err := e.get()
	if err != nil {
		return [32]byte{}, 0, checkerError(key, err)
	}
	return objectChecker{s}.Rehash(ctx, key, size)
}

func (e *evidence) PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL,
	error) {
	s, err := e.get()
	if err != nil {
		return nil, err
	}
	return s.PresignGet(ctx, key, ttl)
}
