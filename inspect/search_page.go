package inspect

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// idsSQL finds a page of matches: %[1]s is the rank, %[2]s the
// condition, %[3]s the order before the meeting's time.
const idsSQL = `SELECT s.agenda_item_id, %[1]s AS rank FROM search_items s WHERE %[2]s
    ORDER BY %[3]s s.held_at DESC, s.meeting_id DESC, s.seq LIMIT %[4]d OFFSET %[5]d`

// detailsSQL reads what a result shows for the agenda items $1, ranked
// $2, in their order. It does not change, so it is prepared once.
const detailsSQL = `
SELECT ai.id, ai.seq, ai.title,
    m.id, m.title, m.planned_start, m.started_at, m.ended_at,
    b.id, b.name, b.kind, u.id, u.code, u.name,
    mt.id, mt.code, mt.name, mt.category, mt.major_class,
    COALESCE(m.started_at, m.planned_start), p.rank,
    COALESCE((SELECT json_agg(json_build_object('id', d.id, 'title', d.title,
            'decided_at', d.decided_at, 'reference', d.reference,
            'changed_at', COALESCE(d.updated_at, d.created_at)) ORDER BY d.id)
        FROM decisions d WHERE d.agenda_item_id = ai.id), '[]'),
    COALESCE((SELECT json_agg(json_build_object('id', r.id, 'state', r.state,
            'started_at', r.started_at, 'ended_at', r.ended_at,
            'viewing_copy', COALESCE(v.state, '')) ORDER BY r.id)
        FROM recordings r LEFT JOIN viewing_copies v ON v.recording_id = r.id
        WHERE r.meeting_id = m.id), '[]'),
    COALESCE((SELECT json_agg(json_build_object('recording_id', ip.recording_id,
            'start_ms', ip.start_ms, 'end_ms', ip.end_ms) ORDER BY ip.start_ms, ip.id)
        FROM index_points ip WHERE ip.agenda_item_id = ai.id), '[]')
FROM unnest($1::bigint[], $2::float8[]) WITH ORDINALITY AS p (id, rank, n)
JOIN agenda_items ai ON ai.id = p.id
JOIN meetings m ON m.id = ai.meeting_id
JOIN meeting_bodies b ON b.id = m.body_id
JOIN org_units u ON u.id = b.org_unit_id
LEFT JOIN matters mt ON mt.id = ai.matter_id
ORDER BY p.n`

// matterRow holds a result's matter columns, NULL when the item has none.
type matterRow struct {
	id                               *int64
	code, name, category, majorClass *string
}

// loadPage reads the page of w's matches that q asks for.
func loadPage(ctx context.Context, tx pgx.Tx, w *where, q Query, rank string) ([]Item,
	error) {
	rankExpr, order := "0::float8", ""
	if rank != "" {
		rankExpr, order = rank, "rank DESC,"
	}
	sql := fmt.Sprintf(idsSQL, rankExpr, w.sql(), order, q.Limit, q.Offset)
	rows, err := tx.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, w.args...)...)
	if err != nil {
		return nil, fmt.Errorf("search agenda items: %w", err)
	}
	var ids []int64
	var ranks []float64
	var id int64
	var r float64
	_, err = pgx.ForEachRow(rows, []any{&id, &r}, func() error {
		ids, ranks = append(ids, id), append(ranks, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search agenda items: %w", err)
	}
	if len(ids) == 0 {
		return []Item{}, nil
	}
	rows, err = tx.Query(ctx, detailsSQL, ids, ranks)
	if err != nil {
		return nil, fmt.Errorf("read search results: %w", err)
	}
	items, err := pgx.CollectRows(rows, scanItem)
	if err != nil {
		return nil, fmt.Errorf("read search results: %w", err)
	}
	return items, nil
}

func scanItem(row pgx.CollectableRow) (Item, error) {
	var it Item
	var mt matterRow
	err := row.Scan(&it.AgendaItem.ID, &it.AgendaItem.Seq, &it.AgendaItem.Title,
		&it.Meeting.ID, &it.Meeting.Title, &it.Meeting.PlannedStart, &it.Meeting.StartedAt,
		&it.Meeting.EndedAt, &it.Body.ID, &it.Body.Name, &it.Body.Kind,
		&it.Unit.ID, &it.Unit.Code, &it.Unit.Name,
		&mt.id, &mt.code, &mt.name, &mt.category, &mt.majorClass,
		&it.HeldAt, &it.Similarity, &it.Decisions, &it.Recordings, &it.IndexPoints)
	if mt.id != nil {
		it.Matter = &MatterRef{ID: *mt.id, Code: *mt.code, Name: *mt.name,
			Category: *mt.category, MajorClass: *mt.majorClass}
	}
	return it, err
}

// finish fills in what follows from the row: the recording state, which
// texts contain the query, and the watch page.
func (it *Item) finish(text string, similar bool) {
	it.RecordingState = it.recordingState()
	it.WatchURL = fmt.Sprintf("/watch/%d", it.AgendaItem.ID)
	it.Matched = []string{}
	if !similar && text != "" {
		it.Matched = it.matched(strings.ToLower(text))
	}
}

func (it *Item) recordingState() string {
	if len(it.Recordings) == 0 {
		return RecordingNone
	}
	if len(it.IndexPoints) == 0 {
		return RecordingNotIndexed
	}
	for _, r := range it.Recordings {
		if r.ID == it.IndexPoints[0].RecordingID {
			return r.State
		}
	}
	return RecordingNotIndexed
}

func (it *Item) matched(text string) []string {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), text) }
	out := []string{}
	if has(it.AgendaItem.Title) {
		out = append(out, "title")
	}
	if it.Matter != nil && has(it.Matter.Name) {
		out = append(out, "matter")
	}
	if has(it.Meeting.Title) {
		out = append(out, "meeting")
	}
	for _, d := range it.Decisions {
		if has(d.Title) {
			return append(out, "decision")
		}
	}
	return out
}
