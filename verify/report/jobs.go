package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/verify"
)

// queueReports is the River queue of scheduled reports.
const queueReports = "reports"

// issueHour is when, in China Standard Time, scheduled reports of the
// period just ended are issued: after midnight, once the day's decisions
// are in.
const issueHour = 1

// Schedule says which reports are issued by themselves.
type Schedule struct {
	Triggers []string // daily, weekly, monthly; none turns the schedule off
	Unit     string   // unit code, "" for all units
	Formats  []Format // one report of each; none means HTML
}

// ScheduledArgs is the job that issues the report of one trigger's last
// period.
type ScheduledArgs struct {
	Trigger string `json:"trigger"`
	Unit    string `json:"unit"`
	Format  Format `json:"format"`
}

// Kind names the job in River's tables.
func (ScheduledArgs) Kind() string { return "liuhen_scheduled_report" }

// InsertOpts puts the job on the reports queue.
func (ScheduledArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queueReports} }

// AddTo adds the scheduled reports to set. Each runs when the process
// starts too, so a period that ended while no server ran still gets its
// report; a period's report is issued once however often its job runs.
func AddTo(set *jobs.Set, is *Issuer, s Schedule) {
	if len(s.Triggers) == 0 {
		return
	}
	formats := s.Formats
	if len(formats) == 0 {
		formats = []Format{FormatHTML}
	}
	river.AddWorker(set.Workers(), &scheduledWorker{issuer: is})
	set.AddQueue(queueReports, 1)
	for _, trigger := range s.Triggers {
		for _, f := range formats {
			args := ScheduledArgs{Trigger: trigger, Unit: s.Unit, Format: f}
			set.AddPeriodic(river.NewPeriodicJob(calendar{trigger},
				func() (river.JobArgs, *river.InsertOpts) { return args, nil },
				&river.PeriodicJobOpts{ID: "liuhen_report_" + trigger + "_" + string(f),
					RunOnStart: true}))
		}
	}
}

// scheduledWorker runs ScheduledArgs.
type scheduledWorker struct {
	river.WorkerDefaults[ScheduledArgs]
	issuer *Issuer
}

// Work issues the report of the period that ended last before the job was
// due.
func (w *scheduledWorker) Work(ctx context.Context, job *river.Job[ScheduledArgs]) error {
	from, to, err := LastPeriod(job.Args.Trigger, job.ScheduledAt)
	if err != nil {
		return river.JobCancel(err)
	}
	_, err = w.issuer.Issue(ctx, Request{
		Trigger:  job.Args.Trigger,
		Options:  verify.Options{Unit: job.Args.Unit, From: from, To: to},
		Format:   job.Args.Format,
		IssuedBy: "schedule",
	}, nil)
	if errors.Is(err, verify.ErrInvalidOptions) { // an unknown unit: trying again won't help
		return river.JobCancel(fmt.Errorf("issue %s report: %w", job.Args.Trigger, err))
	}
	if err != nil {
		return fmt.Errorf("issue %s report: %w", job.Args.Trigger, err)
	}
	return nil
}

// calendar is the River schedule of a trigger: every day, every Monday, or
// every first of the month, at issueHour China Standard Time.
type calendar struct{ trigger string }

// Next returns the first issue time after t.
func (c calendar) Next(t time.Time) time.Time {
	n := t.In(Zone)
	at := time.Date(n.Year(), n.Month(), n.Day(), issueHour, 0, 0, 0, Zone)
	for !at.After(t) || !c.due(at) {
		at = at.AddDate(0, 0, 1)
	}
	return at
}

func (c calendar) due(day time.Time) bool {
	switch c.trigger {
	case TriggerWeekly:
		return day.Weekday() == time.Monday
	case TriggerMonthly:
		return day.Day() == 1
	}
	return true
}
