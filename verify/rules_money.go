package verify

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// checkSplitSpending reports each decision in scope that is part of a
// split (化整为零), naming the other parts.
func checkSplitSpending(ctx context.Context, c *checkRun) ([]Finding, error) {
	more := []any{c.opts.from(), c.opts.to()}
	return collect(ctx, c, splitSpendingSQL, more, func(rows pgx.Rows) (Finding, error) {
		var id int64
		var s split
		if err := rows.Scan(&id, &s.Amount, &s.IDs, &s.Total, &s.Threshold, &s.WindowDays,
			&s.Basis, &s.Key, &s.FirstAt, &s.LastAt); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeSplitSpending, SeverityHigh)
		f.Message, f.MessageZH = msgSplitSpending(c.decisions[id], id, s)
		return f, nil
	})
}

// checkBackdated reports late registrations of decisions and late minutes
// of their meetings (medium).
func checkBackdated(ctx context.Context, c *checkRun) ([]Finding, error) {
	days := c.opts.backdateDays()
	more := []any{days}
	return collect(ctx, c, backdatedSQL, more, func(rows pgx.Rows) (Finding, error) {
		var id int64
		var b late
		if err := rows.Scan(&id, &b.What, &b.Ref, &b.EventAt, &b.WrittenAt, &b.MeetingID,
			&b.ItemID); err != nil {
			return Finding{}, err
		}
		b.Days = days
		f := c.finding(id, CodeBackdated, SeverityMedium)
		f.MeetingID, f.AgendaItemID = b.MeetingID, b.ItemID
		f.Message, f.MessageZH = msgBackdated(id, b)
		return f, nil
	})
}
