package agenda

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MaxStages bounds the earlier-stage items of one decision: a procedure
// list names a few bodies per matter, never dozens.
const MaxStages = 16

// stageItemsColumn reads a decision's earlier-stage items (decision_stages)
// in the order their meetings were held.
const stageItemsColumn = `coalesce((
	SELECT array_agg(ds.agenda_item_id ORDER BY coalesce(sm.started_at, sm.planned_start),
		sm.id, ds.agenda_item_id)
	FROM decision_stages ds
	JOIN agenda_items sai ON sai.id = ds.agenda_item_id
	JOIN meetings sm ON sm.id = sai.meeting_id
	WHERE ds.decision_id = d.id), '{}')::bigint[]`

// checkStageIDs reports, as stage_item_ids[i], an id that is not positive,
// one listed twice, and the deciding item listed as an earlier stage.
func (f *fieldErrors) checkStageIDs(ids []int64, deciding *int64) {
	if len(ids) > MaxStages {
		f.add("stage_item_ids", fmt.Sprintf("lists %d agenda items; list at most %d, one "+
			"per meeting of an earlier stage", len(ids), MaxStages))
		return
	}
	first := map[int64]int{}
	for i, id := range ids {
		field := fmt.Sprintf("stage_item_ids[%d]", i)
		switch j, seen := first[id]; {
		case id <= 0:
			f.add(field, "must be a positive integer")
		case seen:
			f.add(field, fmt.Sprintf("lists agenda item %d again (as stage_item_ids[%d]); "+
				"list each item once", id, j))
		case deciding != nil && id == *deciding:
			f.add(field, fmt.Sprintf("is agenda item %d, the one that decided "+
				"(agenda_item_id); list only the items of the earlier stages", id))
		default:
			first[id] = i
		}
	}
}

// checkDecision runs in's own checks and looks up its references, its
// matter and its earlier-stage items, so that one *ValidationError names
// every bad field: an unknown org unit, matter or agenda item, a matter of
// another unit's procedure list, and a stage item that is unknown or
// belongs to another unit's meeting.
func (s *Store) checkDecision(ctx context.Context, tx pgx.Tx, in DecisionInput,
	refs []ref) error {
	err := s.checked(ctx, in, refs...)
	var ve *ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	var own fieldErrors
	if ve != nil {
		own = ve.Fields
	}
	var found fieldErrors
	if !own.about("org_unit_id") && !own.about("matter_id") {
		if err := matterProblem(ctx, tx, in, &found); err != nil {
			return fmt.Errorf("check matter: %w", err)
		}
	}
	if !own.about("stage_item_ids") {
		if err := stageProblems(ctx, tx, in, &found); err != nil {
			return fmt.Errorf("check stage items: %w", err)
		}
	}
	if len(found) == 0 {
		return err
	}
	if ve == nil {
		// in's own checks passed, so its references were not looked up.
		missing, qerr := s.missingRefs(ctx, refs)
		if qerr != nil {
			return fmt.Errorf("check references: %w", qerr)
		}
		own = missing
	}
	return &ValidationError{Fields: mergeFields(own, found)}
}

// about reports whether f names field, or an entry field[i] of it.
func (f fieldErrors) about(field string) bool {
	for _, e := range f {
		if e.Field == field || strings.HasPrefix(e.Field, field+"[") {
			return true
		}
	}
	return false
}

// matterProblem reports, to fe, a matter of another unit's procedure list
// than the deciding unit's: the decision is checked against its matter's
// rules, which are the unit's own.
func matterProblem(ctx context.Context, tx pgx.Tx, in DecisionInput, fe *fieldErrors) error {
	// Lock the matter first, so that a move of it to another unit
	// (UpdateMatter) made at the same time waits for this write, or this for
	// it, and the query below, a statement of its own, reads the matter as
	// moved: one of the two is refused.
	if _, err := tx.Exec(ctx, `SELECT FROM matters WHERE id = $1 FOR SHARE`,
		in.MatterID); err != nil {
		return err
	}
	var matter, unit string
	var deciding *string
	err := tx.QueryRow(ctx, `SELECT m.code, mu.code, du.code FROM matters m
		JOIN org_units mu ON mu.id = m.org_unit_id
		LEFT JOIN org_units du ON du.id = $2
		WHERE m.id = $1 AND m.org_unit_id <> $2`, in.MatterID, in.OrgUnitID).Scan(
		&matter, &unit, &deciding)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil // the unit's own, or unknown (which the write reports)
	case err != nil:
		return err
	case deciding == nil:
		return nil // an unknown unit, which the write reports
	}
	fe.add("matter_id", fmt.Sprintf("matter %s is on the procedure list of unit %s, not of "+
		"the deciding unit %s (org_unit_id %d): give a matter of the unit's own list",
		matter, unit, *deciding, in.OrgUnitID))
	return nil
}

// stageProblems looks up the earlier-stage items of in, which in's own
// checks passed, and reports to fe each that does not exist or does not
// sit on a meeting of a body of the decision's unit.
func stageProblems(ctx context.Context, tx pgx.Tx, in DecisionInput, fe *fieldErrors) error {
	if len(in.StageItemIDs) == 0 {
		return nil
	}
	// Lock the items' meetings and bodies first, so that a move of one to
	// another unit (UpdateMeeting, UpdateBody) made at the same time waits
	// for this write, or this for it, and the query below, a statement of
	// its own, reads where it moved: one of the two is refused.
	_, err := tx.Exec(ctx, `SELECT FROM agenda_items ai
		JOIN meetings m ON m.id = ai.meeting_id
		JOIN meeting_bodies b ON b.id = m.body_id
		WHERE ai.id = ANY($1) FOR SHARE OF m, b`, in.StageItemIDs)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `
		SELECT x.i - 1, ai.id IS NOT NULL, coalesce(ai.meeting_id, 0),
		       coalesce(b.org_unit_id, 0), coalesce(u.code, ''), coalesce(b.code, '')
		FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, i)
		LEFT JOIN agenda_items ai ON ai.id = x.id
		LEFT JOIN meetings m ON m.id = ai.meeting_id
		LEFT JOIN meeting_bodies b ON b.id = m.body_id
		LEFT JOIN org_units u ON u.id = b.org_unit_id
		ORDER BY x.i`, in.StageItemIDs)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var found bool
		var meeting, unit int64
		var unitCode, bodyCode string
		if err := rows.Scan(&i, &found, &meeting, &unit, &unitCode, &bodyCode); err != nil {
			return err
		}
		field := fmt.Sprintf("stage_item_ids[%d]", i)
		switch {
		case !found:
			fe.add(field, missingReason("agenda_item_id"))
		case in.OrgUnitID > 0 && unit != in.OrgUnitID:
			fe.add(field, fmt.Sprintf("agenda item %d is on meeting %d of body %s of unit "+
				"%s, not of the deciding unit (org_unit_id %d); list the items of the "+
				"unit's own meetings", in.StageItemIDs[i], meeting, bodyCode, unitCode,
				in.OrgUnitID))
		}
	}
	return rows.Err()
}

// writeStages makes items the earlier-stage items of decision id.
func writeStages(ctx context.Context, tx pgx.Tx, id int64, items []int64) error {
	if items == nil {
		items = []int64{}
	}
	_, err := tx.Exec(ctx, `DELETE FROM decision_stages
		WHERE decision_id = $1 AND agenda_item_id <> ALL($2::bigint[])`, id, items)
	if err != nil {
		return fmt.Errorf("write stage items: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO decision_stages (decision_id, agenda_item_id)
		SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, id, items)
	if err != nil {
		return fmt.Errorf("write stage items: %w", translate(err))
	}
	return nil
}

// readStages returns the earlier-stage items of decision id as
// stageItemsColumn orders them.
func readStages(ctx context.Context, tx pgx.Tx, id int64) ([]int64, error) {
	var items []int64
	err := tx.QueryRow(ctx, `SELECT `+stageItemsColumn+` FROM decisions d WHERE d.id = $1`,
		id).Scan(&items)
	if err != nil {
		return nil, fmt.Errorf("read stage items: %w", err)
	}
	return items, nil
}

// StageBreak is an earlier-stage item of a decision that breaks a rule of
// decision_stages: it is the item that decided (Deciding), or an item of a
// meeting of a body of another unit than the decision's (OtherUnit).
type StageBreak struct {
	DecisionID   int64
	Reference    string // "" when the decision has none
	UnitCode     string // the decision's unit
	ItemID       int64
	MeetingID    int64
	MeetingCode  string // "" when the meeting has none
	Seq          int    // the item's number on the meeting's agenda
	BodyCode     string
	BodyUnitCode string
	Deciding     bool
	OtherUnit    bool
}

// StageScope selects what FindStageBreaks checks: every earlier-stage item
// of Decisions, and the earlier-stage items on Meetings and on the
// meetings of Bodies.
type StageScope struct {
	Decisions, Meetings, Bodies []int64
}

// FindStageBreaks returns, by decision and item, the earlier-stage items
// in scope that break a rule, as tx sees them. A write that can break one
// (a decision's deciding item or stages, a meeting given another body, a
// body another unit) runs it before it commits, and refuses what it finds.
func FindStageBreaks(ctx context.Context, tx pgx.Tx, scope StageScope) ([]StageBreak, error) {
	rows, err := tx.Query(ctx, `
		WITH picked AS (
			SELECT ds.decision_id, ds.agenda_item_id FROM decision_stages ds
			WHERE ds.decision_id = ANY($1)
			UNION
			SELECT ds.decision_id, ds.agenda_item_id FROM agenda_items ai
			JOIN decision_stages ds ON ds.agenda_item_id = ai.id
			WHERE ai.meeting_id = ANY($2)
			UNION
			SELECT ds.decision_id, ds.agenda_item_id FROM meetings m
			JOIN agenda_items ai ON ai.meeting_id = m.id
			JOIN decision_stages ds ON ds.agenda_item_id = ai.id
			WHERE m.body_id = ANY($3))
		SELECT d.id, d.reference, du.code, ai.id, m.id, coalesce(m.code, ''), ai.seq,
		       b.code, bu.code, ai.id = d.agenda_item_id IS TRUE,
		       b.org_unit_id <> d.org_unit_id
		FROM picked p
		JOIN decisions d ON d.id = p.decision_id
		JOIN org_units du ON du.id = d.org_unit_id
		JOIN agenda_items ai ON ai.id = p.agenda_item_id
		JOIN meetings m ON m.id = ai.meeting_id
		JOIN meeting_bodies b ON b.id = m.body_id
		JOIN org_units bu ON bu.id = b.org_unit_id
		WHERE ai.id = d.agenda_item_id OR b.org_unit_id <> d.org_unit_id
		ORDER BY d.id, ai.id`, scope.Decisions, scope.Meetings, scope.Bodies)
	if err != nil {
		return nil, fmt.Errorf("check earlier stages: %w", err)
	}
	var b StageBreak
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StageBreak, error) {
		err := row.Scan(&b.DecisionID, &b.Reference, &b.UnitCode, &b.ItemID, &b.MeetingID,
			&b.MeetingCode, &b.Seq, &b.BodyCode, &b.BodyUnitCode, &b.Deciding, &b.OtherUnit)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("check earlier stages: %w", err)
	}
	return out, nil
}

// DecisionNames names the decisions of bs, each once, in the order of bs,
// by name: "decision A" or "decisions A, B", five at most, then how many
// more. many says there are several, for the verb that follows.
func DecisionNames(bs []StageBreak, name func(StageBreak) string) (names string, many bool) {
	const most = 5
	var list []string
	seen := map[int64]bool{}
	for _, b := range bs {
		if !seen[b.DecisionID] {
			seen[b.DecisionID] = true
			list = append(list, name(b))
		}
	}
	switch {
	case len(list) == 1:
		return "decision " + list[0], false
	case len(list) > most:
		return fmt.Sprintf("decisions %s and %d more", strings.Join(list[:most], ", "),
			len(list)-most), true
	}
	return "decisions " + strings.Join(list, ", "), true
}

// stageMove words the refusal of a move that leaves decisions with
// earlier-stage items of another unit's meetings: the field that moved
// what, the items of it that decisions list, and what to do instead.
type stageMove struct {
	field, what, items, instead string
}

// refuseBrokenStages returns a *ConflictError naming the decisions whose
// earlier-stage items in scope, after a move, are of another unit.
func refuseBrokenStages(ctx context.Context, tx pgx.Tx, scope StageScope, m stageMove) error {
	found, err := FindStageBreaks(ctx, tx, scope)
	if err != nil {
		return err
	}
	var moved []StageBreak
	for _, b := range found {
		if b.OtherUnit {
			moved = append(moved, b)
		}
	}
	if len(moved) == 0 {
		return nil
	}
	names, many := DecisionNames(moved, func(b StageBreak) string {
		return fmt.Sprintf("%d (unit %s)", b.DecisionID, b.UnitCode)
	})
	list := "lists"
	if many {
		list = "list"
	}
	return &ConflictError{Field: m.field, Reason: fmt.Sprintf("moves %s to unit %s, but %s "+
		"%s %s as earlier stages (stage_item_ids), which must be items of the deciding "+
		"unit's own meetings: change their stage_item_ids first, or %s", m.what,
		moved[0].BodyUnitCode, names, list, m.items, m.instead)}
}
