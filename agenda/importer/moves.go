package importer

import (
	"context"
	"fmt"

	"github.com/liuhen/liuhen/agenda"
)

// A decision's earlier stages are agenda items of meetings of its own
// unit's bodies. A file that moves a body to another unit, or a meeting to
// a body of another unit, would leave the decisions that list their items
// in another unit's meetings; such a row is refused.

// moving is what a file moves to another unit, found before it is
// written: the records' ids, and the row of each by code.
type moving struct {
	ids []int64
	at  map[string]record
}

// movingBodiesSQL selects the bodies of codes $1 whose unit is not $2.
const movingBodiesSQL = `SELECT b.id
	FROM unnest($1::text[], $2::bigint[]) AS r(code, unit)
	JOIN meeting_bodies b ON b.code = r.code AND b.org_unit_id <> r.unit`

// movingMeetingsSQL selects the meetings of codes $1 whose body's unit is
// not $2.
const movingMeetingsSQL = `SELECT m.id
	FROM unnest($1::text[], $2::bigint[]) AS r(code, unit)
	JOIN meetings m ON m.code = r.code
	JOIN meeting_bodies b ON b.id = m.body_id AND b.org_unit_id <> r.unit`

// findMoving runs sql (movingBodiesSQL or movingMeetingsSQL) for the
// codes the file gives units, at[code] being the row of each.
func findMoving(ctx context.Context, j *job, sql string, codes []string, units []int64,
	at map[string]record) (moving, error) {
	mv := moving{at: at}
	rows, err := j.tx.Query(ctx, sql, codes, units)
	if err != nil {
		return mv, fmt.Errorf("find moves to another unit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return mv, fmt.Errorf("find moves to another unit: %w", err)
		}
		mv.ids = append(mv.ids, id)
	}
	return mv, rows.Err()
}

// refuseBodyMoves fails the row of each body of mv, now written, that
// decisions of another unit list items of as earlier stages.
func refuseBodyMoves(ctx context.Context, j *job, mv moving) error {
	return refuseMoves(ctx, j, mv, agenda.StageScope{Bodies: mv.ids}, "unit",
		func(b agenda.StageBreak) string { return b.BodyCode },
		"body %s to unit %s, but %s %s items of its meetings",
		"keep the body in their unit")
}

// refuseMeetingMoves is refuseBodyMoves for meetings given a body of
// another unit.
func refuseMeetingMoves(ctx context.Context, j *job, mv moving) error {
	return refuseMoves(ctx, j, mv, agenda.StageScope{Meetings: mv.ids}, "body",
		func(b agenda.StageBreak) string { return b.MeetingCode },
		"meeting %s to unit %s, but %s %s its items",
		"give the meeting a body of their unit")
}

// refuseMoves fails, in column key of the row of each record of mv (by the
// code of), a move that leaves decisions with earlier stages in another
// unit. moves words it, given the code, the new unit and the decisions.
func refuseMoves(ctx context.Context, j *job, mv moving, scope agenda.StageScope, key string,
	of func(agenda.StageBreak) string, moves, instead string) error {
	if len(mv.ids) == 0 {
		return nil
	}
	found, err := agenda.FindStageBreaks(ctx, j.tx, scope)
	if err != nil {
		return err
	}
	byCode := map[string][]agenda.StageBreak{}
	var order []string
	for _, b := range found {
		if !b.OtherUnit {
			continue
		}
		code := of(b)
		if byCode[code] == nil {
			order = append(order, code)
		}
		byCode[code] = append(byCode[code], b)
	}
	for _, code := range order {
		bs := byCode[code]
		names, many := agenda.DecisionNames(bs, func(b agenda.StageBreak) string {
			if b.Reference == "" {
				return fmt.Sprintf("%d (no 文号) of unit %s", b.DecisionID, b.UnitCode)
			}
			return fmt.Sprintf("%s of unit %s", b.Reference, b.UnitCode)
		})
		list := "lists"
		if many {
			list = "list"
		}
		mv.at[code].fail(key, fmt.Sprintf("moves "+moves+" in 前置议题, which must be "+
			"items of the deciding unit's own meetings: change their 前置议题 first (liuhen "+
			"import decisions), or %s", code, bs[0].BodyUnitCode, names, list, instead))
	}
	return nil
}
