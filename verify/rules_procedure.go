package verify

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// checkNoQuorum reports meetings without quorum (high) and meetings whose
// attendance was not kept although the body's seats are known (low).
func checkNoQuorum(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, noQuorumSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var q quorum
		if err := rows.Scan(&id, &meeting, &item, &q.BodyCode, &q.Day, &q.Rule, &q.Should,
			&q.Present, &q.Kept); err != nil {
			return Finding{}, err
		}
		sev := SeverityHigh
		if !q.Kept {
			sev = SeverityLow
		}
		f := c.finding(id, CodeNoQuorum, sev)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgNoQuorum(meeting, q)
		return f, nil
	})
}

func checkVoteShort(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, voteShortSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var v vote
		if err := rows.Scan(&id, &meeting, &item, &v.ItemSeq, &v.BodyCode, &v.Day, &v.Rule,
			&v.For, &v.Against, &v.Abstain, &v.Should); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeVoteShort, SeverityHigh)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgVoteShort(meeting, item, v)
		return f, nil
	})
}

func checkRecusalMissed(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, recusalMissedSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var r recusal
		if err := rows.Scan(&id, &meeting, &item, &r.ItemSeq, &r.MemberCode, &r.MemberName,
			&r.Reason, &r.TookPart, &r.Statements); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeRecusalMissed, SeverityHigh)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgRecusalMissed(meeting, item, r)
		return f, nil
	})
}

func checkLeaderNotLast(ctx context.Context, c *checkRun) ([]Finding, error) {
	return collect(ctx, c, leaderNotLastSQL, nil, func(rows pgx.Rows) (Finding, error) {
		var id, meeting, item int64
		var o speakingOrder
		if err := rows.Scan(&id, &meeting, &item, &o.ItemSeq, &o.LastSeq, &o.LastCode,
			&o.LastName, &o.LeaderCode, &o.LeaderName, &o.LeaderSeq); err != nil {
			return Finding{}, err
		}
		f := c.finding(id, CodeLeaderNotLast, SeverityMedium)
		f.MeetingID, f.AgendaItemID = &meeting, &item
		f.Message, f.MessageZH = msgLeaderNotLast(meeting, item, o)
		return f, nil
	})
}
