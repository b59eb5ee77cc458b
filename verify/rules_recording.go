package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// checkNoRecording reports meetings with no finished recording (high) and
// meetings whose recordings cover less than minRecordedShare of them
// (medium).
func checkNoRecording(ctx context.Context, c *checkRun) ([]Finding, error) {
	none, err := collect(ctx, c, noRecordingSQL, nil, func(rows pgx.Rows) (Finding, error) {
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
	if err != nil {
		return nil, err
	}
	more := []any{minRecordedShare}
	short, err := collect(ctx, c, shortRecordingSQL, more, func(rows pgx.Rows) (Finding,
		error) {
		var id, meeting, item int64
		var s shortRecording
		if err := rows.Scan(&id, &meeting, &item, &s.From, &s.To, &s.Covered,
			&s.Span); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeNoRecording, SeverityMedium)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgShortRecording(meeting, s)
		return f, nil
	})
	return append(none, short...), err
}

// checkInterrupted reports each interrupted recording of the meeting, and
// each closed recording that lost media for longer than gapToleranceMS.
func checkInterrupted(ctx context.Context, c *checkRun) ([]Finding, error) {
	cut, err := collect(ctx, c, interruptedSQL, nil, func(rows pgx.Rows) (Finding, error) {
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
	if err != nil {
		return nil, err
	}
	gaps, err := c.lostMedia(ctx)
	if err != nil {
		return nil, err
	}
	return append(cut, gaps...), nil
}

// lostMedia turns the stretches gapsSQL finds into one finding per
// decision and recording.
func (c *checkRun) lostMedia(ctx context.Context) ([]Finding, error) {
	more := []any{int64(gapToleranceMS)}
	rows, err := c.tx.Query(ctx, gapsSQL, more...)
	if err != nil {
		return nil, fmt.Errorf("find gaps: %w", err)
	}
	defer rows.Close()
	var out []Finding
	var cur *lostMedia
	flush := func() {
		if cur != nil {
			f := c.finding(cur.DecisionID, CodeRecordingInterrupted, SeverityMedium)
			f.MeetingID, f.AgendaItemID = &cur.MeetingID, &cur.ItemID
			f.RecordingID, f.ObjectKey = &cur.RecordingID, cur.firstKey()
			f.Message, f.MessageZH = msgLostMedia(*cur)
			out = append(out, f)
		}
	}
	for rows.Next() {
		var l lostMedia
		var s lostStretch
		if err := rows.Scan(&l.DecisionID, &l.MeetingID, &l.ItemID, &l.RecordingID,
			&s.FromMS, &s.ToMS, &s.Kinds, &s.Keys); err != nil {
			return nil, fmt.Errorf("read gap: %w", err)
		}
		if cur == nil || cur.DecisionID != l.DecisionID || cur.RecordingID != l.RecordingID {
			flush()
			cur = &l
		}
		cur.Stretches = append(cur.Stretches, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find gaps: %w", err)
	}
	flush()
	return out, nil
}

func checkItemNotCovered(ctx context.Context, c *checkRun) ([]Finding, error) {
	more := []any{int64(gapToleranceMS)}
	return collect(ctx, c, itemNotCoveredSQL, more, func(rows pgx.Rows) (Finding, error) {
		var id, meeting int64
		var p uncovered
		if err := rows.Scan(&id, &meeting, &p.ItemID, &p.ItemSeq, &p.ItemTitle,
			&p.PointID, &p.RecordingID, &p.StartMS, &p.EndMS, &p.RecordingMeeting,
			&p.HasSegments, &p.RawCovers, &p.LostFrom, &p.LostTo, &p.GapKeys); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeItemNotCovered, SeverityHigh)
		f.MeetingID, f.AgendaItemID, f.RecordingID = &meeting, &p.ItemID, p.RecordingID
		if len(p.GapKeys) > 0 {
			f.ObjectKey = p.GapKeys[0]
		}
		f.Message, f.MessageZH = msgItemNotCovered(meeting, p)
		return f, nil
	})
}
