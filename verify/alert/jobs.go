package alert

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/verify"
)

// River queues of the package: deliveries have their own, so that a
// webhook that hangs holds up no sweep.
const (
	queueDeliveries = "alert_deliveries"
	queueSweep      = "alert_sweep"
	// deliveryWorkers is how many warnings are sent at once.
	deliveryWorkers = 4
	// sweepTimeout bounds a sweep, which stats every segment object.
	sweepTimeout = 30 * time.Minute
)

// Deps are the services the jobs work with. Objects may be nil: sweeps
// then leave RECORDING_TAMPERED out.
type Deps struct {
	Pool    *pgxpool.Pool
	Objects verify.ObjectChecker
	Logger  *slog.Logger
}

// SweepArgs is the periodic job that sweeps the findings.
type SweepArgs struct{}

// Kind names the job in River's tables.
func (SweepArgs) Kind() string { return "liuhen_alert_sweep" }

// InsertOpts puts the job on the sweep queue.
func (SweepArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queueSweep} }

// AddTo adds to set the periodic sweep (unless cfg.Sweep is 0) and the
// delivery of warnings, and returns the sweeper. Deliveries are worked
// even without webhooks: those queued for a webhook no longer configured
// are given up, saying so, rather than left queued. A bad cfg gives an error joining a *fielderr.Error for each bad
// setting.
func AddTo(set *jobs.Set, cfg Config, deps Deps) (*Sweeper, error) {
	sweeper, err := NewSweeper(deps.Pool, deps.Objects, cfg, deps.Logger)
	if err != nil {
		return nil, err
	}
	cfg, logger := sweeper.cfg, sweeper.logger
	river.AddWorker(set.Workers(), newDeliveryWorker(deps.Pool, cfg, logger))
	set.AddQueue(queueDeliveries, deliveryWorkers)
	if cfg.Sweep == 0 {
		logger.Info("findings are not swept by this process (LIUHEN_ALERT_SWEEP=off)")
		return sweeper, nil
	}
	river.AddWorker(set.Workers(), &sweepWorker{sweeper: sweeper})
	set.AddQueue(queueSweep, 1)
	set.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(cfg.Sweep),
		func() (river.JobArgs, *river.InsertOpts) {
			// One try: a sweep that fails is followed by the next one.
			return SweepArgs{}, &river.InsertOpts{MaxAttempts: 1,
				UniqueOpts: river.UniqueOpts{ByPeriod: cfg.Sweep}}
		}, &river.PeriodicJobOpts{ID: "liuhen_alert_sweep", RunOnStart: true}))
	return sweeper, nil
}

// sweepWorker runs SweepArgs.
type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	sweeper *Sweeper
}

// Timeout lets a sweep check every segment object.
func (w *sweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return sweepTimeout }

// Work runs one sweep.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.sweeper.Sweep(ctx)
	if err != nil {
		w.sweeper.logger.Error("sweep findings", "err", err)
	}
	return err
}
