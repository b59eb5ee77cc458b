package importer

import (
	"context"
	"fmt"
)

func writeMeetings(ctx context.Context, j *job, tables []*table, list []*meetingRow) error {
	mu := upsert{table: "meetings", key: []string{"code"},
		cols: []string{"code", "body_id", "title", "planned_start", "planned_end", "mode",
			"chair_member_id"},
		types: []string{"text", "bigint", "text", "timestamptz", "timestamptz", "text", "bigint"},
		update: updatable(tables, []string{"body_id", "title", "planned_start"},
			field{"end", []string{"planned_end"}}, field{"mode", []string{"mode"}},
			field{"chair", []string{"chair_member_id"}})}
	values := make([][]any, len(list))
	codes := make([]string, len(list))
	units := make([]int64, len(list))
	at := make(map[string]record, len(list))
	for i, m := range list {
		values[i] = []any{m.code, m.body, m.title, m.start, m.end, m.mode, m.chair}
		codes[i], units[i], at[m.code] = m.code, m.unit, m.src["body"]
	}
	mv, err := findMoving(ctx, j, movingMeetingsSQL, codes, units, at)
	if err != nil {
		return err
	}
	c, _, err := mu.run(ctx, j, values)
	if err != nil {
		return err
	}
	j.counted(c)
	if err := refuseMeetingMoves(ctx, j, mv); err != nil || !j.p.empty() {
		return err
	}
	ids, err := codeIDs(ctx, j, "meetings", codes)
	if err != nil {
		return err
	}
	if err := writeItems(ctx, j, tables, list, ids); err != nil {
		return err
	}
	if err := writeAttendance(ctx, j, tables, list, ids); err != nil {
		return err
	}
	return writeRecusals(ctx, j, tables, list, ids)
}

func writeItems(ctx context.Context, j *job, tables []*table, list []*meetingRow,
	ids map[string]int64) error {
	u := upsert{table: "agenda_items", key: []string{"meeting_id", "seq"},
		cols: []string{"meeting_id", "seq", "title", "matter_id", "presenter", "outcome",
			"votes_for", "votes_against", "votes_abstain"},
		types: []string{"bigint", "integer", "text", "bigint", "text", "text", "integer",
			"integer", "integer"},
		update: updatable(tables, []string{"title"}, field{"matter", []string{"matter_id"}},
			field{"presenter", []string{"presenter"}}, field{"outcome", []string{"outcome"}},
			field{"for", []string{"votes_for"}}, field{"against", []string{"votes_against"}},
			field{"abstain", []string{"votes_abstain"}})}
	var values [][]any
	for _, m := range list {
		for _, it := range m.items {
			values = append(values, []any{ids[m.code], it.seq, it.title, it.matter,
				it.presenter, it.outcome, it.votes[0], it.votes[1], it.votes[2]})
		}
	}
	c, _, err := u.run(ctx, j, values)
	if err != nil {
		return err
	}
	j.counted(c)
	return nil
}

// writeAttendance writes who was present and absent. When the file has
// either list, it is the whole attendance of its meetings: members no
// longer listed are removed.
func writeAttendance(ctx context.Context, j *job, tables []*table, list []*meetingRow,
	ids map[string]int64) error {
	if !hasField(tables, "present") && !hasField(tables, "absent") {
		return nil
	}
	u := upsert{table: "meeting_attendance", key: []string{"meeting_id", "member_id"},
		cols:   []string{"meeting_id", "member_id", "status", "absence_reason"},
		types:  []string{"bigint", "bigint", "text", "text"},
		update: []string{"status", "absence_reason"}}
	var values [][]any
	scope := make([]int64, 0, len(list))
	for _, m := range list {
		id := ids[m.code]
		scope = append(scope, id)
		for _, a := range m.present {
			values = append(values, []any{id, a.member, "present", ""})
		}
		for _, a := range m.away {
			values = append(values, []any{id, a.member, "absent", a.note})
		}
	}
	c, stage, err := u.run(ctx, j, values)
	if err != nil {
		return err
	}
	if c.Removed, err = u.prune(ctx, j, stage, "meeting_id", scope); err != nil {
		return err
	}
	j.counted(c)
	return nil
}

// writeRecusals writes who left the room for which item; like attendance,
// the file's list replaces the items' recusals.
func writeRecusals(ctx context.Context, j *job, tables []*table, list []*meetingRow,
	ids map[string]int64) error {
	if !hasField(tables, "recused") {
		return nil
	}
	scope := make([]int64, 0, len(list))
	for _, m := range list {
		scope = append(scope, ids[m.code])
	}
	items, err := itemIDs(ctx, j, scope)
	if err != nil {
		return err
	}
	u := upsert{table: "recusals", key: []string{"agenda_item_id", "member_id"},
		cols: []string{"agenda_item_id", "member_id", "reason"}, types: []string{"bigint",
			"bigint", "text"}, update: []string{"reason"}}
	var values [][]any
	var itemScope []int64
	for _, m := range list {
		for _, it := range m.items {
			item := items[[2]int64{ids[m.code], int64(it.seq)}]
			itemScope = append(itemScope, item)
			for _, a := range it.recused {
				values = append(values, []any{item, a.member, a.note})
			}
		}
	}
	c, stage, err := u.run(ctx, j, values)
	if err != nil {
		return err
	}
	if c.Removed, err = u.prune(ctx, j, stage, "agenda_item_id", itemScope); err != nil {
		return err
	}
	j.counted(c)
	return nil
}

// itemIDs returns the ids of the agenda items of meetings, by meeting id
// and seq.
func itemIDs(ctx context.Context, j *job, meetings []int64) (map[[2]int64]int64, error) {
	rows, err := j.tx.Query(ctx, `SELECT meeting_id, seq, id FROM agenda_items
		WHERE meeting_id = ANY($1)`, meetings)
	if err != nil {
		return nil, fmt.Errorf("read agenda item ids: %w", err)
	}
	defer rows.Close()
	ids := map[[2]int64]int64{}
	for rows.Next() {
		var meeting, seq, id int64
		if err := rows.Scan(&meeting, &seq, &id); err != nil {
			return nil, fmt.Errorf("read agenda item ids: %w", err)
		}
		ids[[2]int64{meeting, seq}] = id
	}
	return ids, rows.Err()
}
