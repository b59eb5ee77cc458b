// Package jobs runs a process's background work on River, with the jobs
// kept in PostgreSQL: each package adds its workers, queues and periodic
// jobs to one Set, and one client runs them all. One client matters: River
// elects one client per database as leader, and only the leader inserts
// periodic jobs, so a client of its own per package could leave a
// package's schedule to a leader that does not know it.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// rescueAfter is when River runs again a job whose worker died: long,
// because a viewing copy of a long meeting may take hours.
const rescueAfter = 24 * time.Hour

// Set collects what packages want run.
type Set struct {
	workers  *river.Workers
	queues   map[string]river.QueueConfig
	periodic []*river.PeriodicJob
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{workers: river.NewWorkers(), queues: map[string]river.QueueConfig{}}
}

// Workers is where packages add their workers (river.AddWorker).
func (s *Set) Workers() *river.Workers { return s.workers }

// AddQueue adds a queue worked by at most maxWorkers jobs at once.
func (s *Set) AddQueue(name string, maxWorkers int) {
	s.queues[name] = river.QueueConfig{MaxWorkers: maxWorkers}
}

// AddPeriodic adds a job the leader inserts on its schedule.
func (s *Set) AddPeriodic(j *river.PeriodicJob) { s.periodic = append(s.periodic, j) }

// Runner runs a Set.
type Runner struct {
	client *river.Client[pgx.Tx] // nil when the set has no queue
	logger *slog.Logger

	mu      sync.Mutex
	started bool
}

// NewRunner prepares a client for set; nothing runs before Start. A set
// without queues gives a runner whose Start and Stop do nothing.
func NewRunner(pool *pgxpool.Pool, set *Set, logger *slog.Logger) (*Runner, error) {
	r := &Runner{logger: logger.With("component", "jobs")}
	if len(set.queues) == 0 {
		return r, nil
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               set.queues,
		Workers:              set.workers,
		PeriodicJobs:         set.periodic,
		RescueStuckJobsAfter: rescueAfter,
		Logger:               quieter(logger, slog.LevelWarn).With("component", "river"),
	})
	if err != nil {
		return nil, fmt.Errorf("prepare job runner: %w", err)
	}
	r.client = client
	return r, nil
}

// Start starts the workers and, on the leader, the periodic jobs. They run
// until Stop, whatever becomes of ctx.
func (r *Runner) Start(ctx context.Context) error {
	if r.client == nil {
		r.logger.Info("no background jobs run in this process")
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	r.started = true
	return nil
}

// Stop cancels the jobs that are running and waits for them to return and
// for the workers to stop, or for ctx to end. A job cut off this way is
// tried again, without spending an attempt when its worker says so.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client == nil || !r.started {
		return nil
	}
	r.started = false
	if err := r.client.StopAndCancel(ctx); err != nil {
		return fmt.Errorf("stop background jobs: %w", err)
	}
	return nil
}

// Migrate creates or updates River's own tables (river_job and the rest),
// where the jobs wait. Like the schema's migrations it is safe to run on
// every start.
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
