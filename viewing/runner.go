package viewing

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/liuhen/liuhen/internal/jobs"
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

	// notReadyWait overrides snoozeNotReady in tests.
	notReadyWait time.Duration
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
	// Spool is the recorder of this process, whose pending segments a copy
	// waits for; nil when none runs here.
	Spool  Spool
	Logger *slog.Logger
}

// AddTo adds the viewing-copy jobs to set: the periodic sweep that queues
// ended recordings, and the transcoding workers. With cfg.Workers 0 it adds
// nothing: another process makes the copies.
func AddTo(set *jobs.Set, cfg Config, deps Deps) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	logger := deps.Logger.With("component", "viewing")
	if cfg.Workers == 0 {
		logger.Info("viewing copies are made by another process (LIUHEN_TRANSCODE_WORKERS=0)")
		return nil
	}
	river.AddWorker(set.Workers(), &sweepWorker{pool: deps.Pool, maxAttempts: cfg.MaxAttempts,
		logger: logger})
	river.AddWorker(set.Workers(), &transcodeWorker{maker: &maker{
		store: &store{pool: deps.Pool}, objects: deps.Objects, spool: deps.Spool,
		notReadyWait: cmp.Or(cfg.notReadyWait, snoozeNotReady), http: &http.Client{},
		tempDir: cfg.TempDir, threads: cfg.Threads, logger: logger,
	}})
	set.AddQueue(queueTranscode, cfg.Workers)
	set.AddQueue(queueSweep, 1)
	set.AddPeriodic(sweepJob(cfg.Sweep))
	return nil
}

// NewRunner returns a runner of the viewing-copy jobs alone, for a process
// that runs no other jobs.
func NewRunner(cfg Config, deps Deps) (*jobs.Runner, error) {
	set := jobs.NewSet()
	if err := AddTo(set, cfg, deps); err != nil {
		return nil, err
	}
	r, err := jobs.NewRunner(deps.Pool, set, deps.Logger)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return r, nil
}

func sweepJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return SweepArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{ID: "liuhen_viewing_sweep", RunOnStart: true})
}
