package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A rule is one set-based check: a query over the decisions in scope whose
// rows become findings.
type rule struct {
	code string
	run  func(ctx context.Context, c *checkRun) ([]Finding, error)
}

// rules run in this order inside one snapshot; RECORDING_TAMPERED
// (objects.go) only reads the database here and leaves its object checks
// for after the snapshot.
var rules = []rule{
	{CodeNoMeeting, checkNoMeeting},
	{CodeWrongBody, checkWrongBody},
	{CodeDecidedBeforeMeeting, checkDecidedBefore},
	{CodeNoRecording, checkNoRecording},
	{CodeRecordingInterrupted, checkInterrupted},
	{CodeItemNotCovered, checkItemNotCovered},
	{CodeRecordingTampered, checkTampered},
}

// collect runs sql after the scope CTEs and turns each row into a finding
// with scan, which scans the row and fills in the finding.
func collect(ctx context.Context, c *checkRun, sql string, more []any,
	scan func(pgx.Rows) (Finding, error)) ([]Finding, error) {
	rows, err := c.query(ctx, sql, more...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read row: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return out, nil
}

func checkNoMeeting(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, noMeetingSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeNoMeeting, SeverityHigh)
		f.Message, f.MessageZH = msgNoMeeting(c.decisions[id])
		return f, nil
	})
}

func checkWrongBody(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, wrongBodySQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var b wrongBody
		if err := rows.Scan(&id, &meeting, &item, &b.BodyCode, &b.BodyKind,
			&b.KindDiffers, &b.UnitDiffers, &b.BodyUnit, &b.DecisionUnit); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeWrongBody, SeverityHigh)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgWrongBody(c.decisions[id], meeting, b)
		return f, nil
	})
}

func checkDecidedBefore(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, decidedBeforeSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var decided, start time.Time
		var started bool
		if err := rows.Scan(&id, &meeting, &item, &decided, &start, &started); err != nil {
			return Finding{}, err
		}
		dateOnly := looksDateOnly(decided, start)
		f := c.finding(id, CodeDecidedBeforeMeeting, earlySeverity(started, dateOnly))
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgDecidedBefore(meeting, decided, start, started, dateOnly)
		return f, nil
	})
}

// looksDateOnly reports whether decided is 00:00 on the day the meeting
// started, which is what a decision registered with a date and no time
// looks like.
// TODO(timezone): the day is taken in time.Local; the org unit's own zone
// would be better once units carry one.
func looksDateOnly(decided, start time.Time) bool {
	d, s := decided.In(time.Local), start.In(time.Local)
	midnight := d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0 && d.Nanosecond() == 0
	return midnight && d.Year() == s.Year() && d.YearDay() == s.YearDay()
}

// earlySeverity is high for a decision before the meeting's recorded start,
// medium when only the planned start is known, and low for a date without
// a time on the meeting day.
func earlySeverity(started, dateOnly bool) string {
	switch {
	case dateOnly:
		return SeverityLow
	case !started:
		return SeverityMedium
	default:
		return SeverityHigh
	}
}

func checkNoRecording(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, noRecordingSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var total, open, interrupted int
		if err := rows.Scan(&id, &meeting, &item, &total, &open, &interrupted); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeNoRecording, SeverityHigh)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgNoRecording(meeting, total, open, interrupted)
		return f, nil
	})
}

func checkInterrupted(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, interruptedSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item, rec int64
		var started time.Time
		var ended *time.Time
		if err := rows.Scan(&id, &meeting, &item, &rec, &started, &ended); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeRecordingInterrupted, SeverityMedium)
		f.MeetingID, f.AgendaItemID, f.RecordingID = &meeting, &item, &rec
		f.Message, f.MessageZH = msgInterrupted(meeting, rec, started, ended)
		return f, nil
	})
}

func checkItemNotCovered(ctx context.Context, c *checkRun) ([]Finding, error) {
	more := []any{int64(coverToleranceMS)}
	return collect(ctx, c, itemNotCoveredSQL, more, func(rows pgx.Rows) (Finding, error) {
		var id, meeting int64
		var p uncovered
		if err := rows.Scan(&id, &meeting, &p.ItemID, &p.ItemSeq, &p.ItemTitle,
			&p.PointID, &p.RecordingID, &p.StartMS, &p.EndMS, &p.RecordingMeeting,
			&p.HasSegments); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeItemNotCovered, SeverityHigh)
		f.MeetingID, f.AgendaItemID, f.RecordingID = &meeting, &p.ItemID, p.RecordingID
		f.Message, f.MessageZH = msgItemNotCovered(meeting, p)
		return f, nil
	})
}
