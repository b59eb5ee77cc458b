package viewing

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// Defaults of Config.
const (
	DefaultSweep       = 15 * time.Second
	DefaultMaxAttempts = 5
	// minSweep is the shortest interval River's periodic jobs allow.
	minSweep = time.Second
)

// Config sets how a process makes viewing copies.
type Config struct {
	// Workers is how many copies this process makes at once; 0 makes none
	// here (another process does), and Start and Stop do nothing.
	Workers int
	// Sweep is how often the leading process looks for ended recordings
	// without a copy; 0 means DefaultSweep.
	Sweep time.Duration
	// MaxAttempts is how often a copy is tried before it is "failed"; 0
	// means DefaultMaxAttempts. River waits attempt⁴ seconds between tries.
	MaxAttempts int
	// TempDir holds the masters and the copy while a job runs; "" is the
	// system's temporary directory.
	TempDir string
	// Threads caps libx264's threads per job; 0 lets it choose.
	Threads int
}

func (c *Config) validate() error {
	switch {
	case c.Workers < 0:
		return fmt.Errorf("%w: Workers %d: use 0 or more", ErrConfig, c.Workers)
	case c.Sweep != 0 && c.Sweep < minSweep:
		return fmt.Errorf("%w: Sweep %v: use at least %v", ErrConfig, c.Sweep, minSweep)
	case c.MaxAttempts < 0:
		return fmt.Errorf("%w: MaxAttempts %d: use 1 or more", ErrConfig, c.MaxAttempts)
	case c.Threads < 0:
		return fmt.Errorf("%w: Threads %d: use 0 or more", ErrConfig, c.Threads)
	}
	if c.Sweep == 0 {
		c.Sweep = DefaultSweep
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	return nil
}

// Deps are the services a Runner works with.
type Deps struct {
	Pool    *pgxpool.Pool
	Objects Objects
	Logger  *slog.Logger
}

// Runner runs the viewing-copy jobs of one process on River: the periodic
// sweep that queues ended recordings, and the transcoding workers.
type Runner struct {
	client *river.Client[pgx.Tx] // nil when Workers is 0
	logger *slog.Logger

	mu      sync.Mutex
	started bool
}

// NewRunner checks cfg and prepares the River client; nothing runs before
// Start.
func NewRunner(cfg Config, deps Deps) (*Runner, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	logger := deps.Logger.With("component", "viewing")
	r := &Runner{logger: logger}
	if cfg.Workers == 0 {
		return r, nil
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sweepWorker{pool: deps.Pool, maxAttempts: cfg.MaxAttempts,
		logger: logger})
	river.AddWorker(workers, &transcodeWorker{maker: &maker{
		store: &store{pool: deps.Pool}, objects: deps.Objects, http: &http.Client{},
		tempDir: cfg.TempDir, threads: cfg.Threads, logger: logger,
	}})
	client, err := river.NewClient(riverpgxv5.New(deps.Pool), &river.Config{
		Queues: map[string]river.QueueConfig{
			queueTranscode: {MaxWorkers: cfg.Workers},
			queueSweep:     {MaxWorkers: 1},
		},
		Workers:              workers,
		PeriodicJobs:         []*river.PeriodicJob{sweepJob(cfg.Sweep)},
		MaxAttempts:          cfg.MaxAttempts,
		RescueStuckJobsAfter: rescueAfter,
		Logger:               quieter(deps.Logger, slog.LevelWarn).With("component", "river"),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	r.client = client
	return r, nil
}

func sweepJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return SweepArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{ID: "liuhen_viewing_sweep", RunOnStart: true})
}

// Start starts the sweep and the workers. They run until Stop, whatever
// becomes of ctx.
func (r *Runner) Start(ctx context.Context) error {
	if r.client == nil {
		r.logger.Info("viewing copies are made by another process (LIUHEN_TRANSCODE_WORKERS=0)")
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start viewing-copy workers: %w", err)
	}
	r.started = true
	return nil
}

// Stop cancels the jobs that are running and waits for them to return and
// for the workers to stop, or for ctx to end. A job cut off this way goes
// back to "queued" without spending an attempt and runs at the next start.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client == nil || !r.started {
		return nil
	}
	r.started = false
	if err := r.client.StopAndCancel(ctx); err != nil {
		return fmt.Errorf("stop viewing-copy workers: %w", err)
	}
	return nil
}

// Migrate creates or updates River's own tables (river_job and the rest),
// where the jobs wait. Like agenda.Migrate it is safe to run on every start.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("load job-queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("apply job-queue migrations: %w", err)
	}
	return nil
}

// quieter returns logger without the records below level: River reports
// its routine at info level every few seconds.
func quieter(logger *slog.Logger, level slog.Level) *slog.Logger {
	return slog.New(minLevel{Handler: logger.Handler(), level: level})
}

type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(attrs), level: h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), level: h.level}
}
