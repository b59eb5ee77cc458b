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
	{CodeSplitSpending, checkSplitSpending},
	{CodeWrongBody, checkWrongBody},
	{CodeStageSkipped, checkStageSkipped},
	{CodeNoQuorum, checkNoQuorum},
	{CodeVoteShort, checkVoteShort},
	{CodeRecusalMissed, checkRecusalMissed},
	{CodeLeaderNotLast, checkLeaderNotLast},
	{CodeDecidedBeforeMeeting, checkDecidedBefore},
	{CodeBackdated, checkBackdated},
	{CodeNoRecording, checkNoRecording},
	{CodeRecordingInterrupted, checkInterrupted},
	{CodeItemNotCovered, checkItemNotCovered},
	{CodeRecordingTampered, checkTampered},
}

// collect runs sql after the scope CTEs and turns each row into a finding
// with scan, which scans the row and fills in the finding.
func collect(ctx context.Context, c *checkRun, sql string, more []any,
	scan func(pgx.Rows) (Finding, error)) ([]Finding, error) {
	rows, err := c.tx.Query(ctx, sql, more...)
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
			&b.KindDiffers, &b.UnitDiffers, &b.Circulation, &b.EarlierStage, &b.BodyUnit,
			&b.DecisionUnit); err != nil {
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
		var e early
		if err := rows.Scan(&id, &meeting, &item, &e.What, &e.At, &e.Start,
			&e.Started); err != nil {
			return Finding{}, err
		}
		e.DateOnly = looksDateOnly(e.At, e.Start)
		f := c.finding(id, CodeDecidedBeforeMeeting, earlySeverity(e.Started, e.DateOnly))
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgDecidedBefore(meeting, e)
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
