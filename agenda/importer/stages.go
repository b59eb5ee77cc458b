package importer

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/liuhen/liuhen/agenda"
)

// stageEntry is one agenda item a 前置议题 cell names, as written.
type stageEntry struct {
	text    string // the entry as folded, for messages
	meeting string
	seq     int
}

// stageSeparators split a 前置议题 cell into entries.
var stageSeparators = regexp.MustCompile(`[、,;\n\r]+`)

// stageForm is one entry: a meeting code, then #, / or : and the item
// number, or the number as 第N项.
var stageForm = regexp.MustCompile(`^(` + agenda.CodeSyntax + `)\s*` +
	`(?:[#/:]\s*(\d+)|第\s*(\d+)\s*项)$`)

const stageHelp = "write each item as its meeting's code, # and the item number, such as " +
	"QSZ-DW-2024-003#2, several separated by 、"

// stageEntries reads the 前置议题 cell of r, reporting entries that are
// not meeting code and item number.
func (r record) stageEntries() []stageEntry {
	raw := r.value("stages")
	if raw == "" {
		return nil
	}
	var out []stageEntry
	for _, part := range stageSeparators.Split(fold(raw), -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := stageForm.FindStringSubmatch(part)
		if m == nil {
			r.fail("stages", fmt.Sprintf("「%s」 is not an agenda item: %s", part, stageHelp))
			continue
		}
		seq, err := strconv.Atoi(m[2] + m[3])
		if err != nil || seq <= 0 {
			r.fail("stages", fmt.Sprintf("「%s」 has no item number from 1 up: %s", part,
				stageHelp))
			continue
		}
		out = append(out, stageEntry{text: part, meeting: m[1], seq: seq})
	}
	return out
}

// readStages finds the agenda items of the entries of r's 前置议题 cell:
// each of a meeting of the decision's unit, listed once, and not the item
// that decided (deciding, nil when none).
func readStages(r record, entries []stageEntry, items itemIndex, unit int64,
	deciding *int64) []int64 {
	if len(entries) > agenda.MaxStages {
		r.fail("stages", fmt.Sprintf("lists %d agenda items: list at most %d, one per "+
			"meeting of an earlier stage", len(entries), agenda.MaxStages))
		return nil
	}
	var out []int64
	seen := map[int64]string{}
	for _, e := range entries {
		byseq, known := items.items[e.meeting]
		if !known || byseq == nil {
			r.fail("stages", fmt.Sprintf("「%s」: %s is no meeting with an agenda: import "+
				"the meetings first (liuhen import meetings) or correct the code", e.text,
				e.meeting))
			continue
		}
		id, ok := byseq[e.seq]
		switch first, twice := seen[id]; {
		case !ok:
			r.fail("stages", fmt.Sprintf("「%s」: meeting %s has no agenda item %d: write "+
				"the number of one of its items", e.text, e.meeting, e.seq))
		case twice && e.text == first:
			r.fail("stages", fmt.Sprintf("「%s」 is listed twice: list each item once", e.text))
		case twice:
			r.fail("stages", fmt.Sprintf("「%s」 names the item 「%s」 names already: list "+
				"each item once", e.text, first))
		case deciding != nil && id == *deciding:
			r.fail("stages", fmt.Sprintf("「%s」 is the agenda item that decided (%s and %s): "+
				"list only the items of the earlier stages", e.text, r.t.titles["meeting"],
				r.t.titles["item"]))
		case unit != 0 && items.units[e.meeting] != unit:
			r.fail("stages", fmt.Sprintf("「%s」 is an item of meeting %s of unit %s, not of "+
				"the deciding unit %s: list the items of the unit's own meetings", e.text,
				e.meeting, items.unitCodes[e.meeting], fold(r.value("unit"))))
		default:
			seen[id] = e.text
			out = append(out, id)
		}
	}
	return out
}

// writeStages replaces the earlier-stage items of the decisions the file
// holds on sheets with the 前置议题 column: an empty cell clears them; a
// decision of a sheet without the column keeps its own. It returns the ids
// of the file's decisions.
func writeStages(ctx context.Context, j *job, tables []*table, rows []decisionRow) (
	map[decisionKey]int64, error) {
	units := make([]int64, len(rows))
	refs := make([]string, len(rows))
	for i, d := range rows {
		units[i], refs[i] = d.unit, d.reference
	}
	ids, err := decisionIDs(ctx, j, units, refs)
	if err != nil || !hasField(tables, "stages") {
		return ids, err
	}
	u := upsert{table: "decision_stages", key: []string{"decision_id", "agenda_item_id"},
		cols: []string{"decision_id", "agenda_item_id"}, types: []string{"bigint", "bigint"}}
	var values [][]any
	scope := make([]int64, 0, len(rows))
	for _, d := range rows {
		if !d.hasStages {
			continue
		}
		id := ids[decisionKey{d.unit, d.reference}]
		scope = append(scope, id)
		for _, item := range d.stages {
			values = append(values, []any{id, item})
		}
	}
	c, stage, err := u.run(ctx, j, values)
	if err != nil {
		return nil, err
	}
	if c.Removed, err = u.prune(ctx, j, stage, "decision_id", scope); err != nil {
		return nil, err
	}
	j.counted(c)
	return ids, nil
}

// refuseDecidingStages fails each row whose decision, as written, lists
// the agenda item that decided it as an earlier stage. readStages catches
// it within a row that gives both; this catches a row that gives one of
// them, against the other as the database holds it.
func refuseDecidingStages(ctx context.Context, j *job, rows []decisionRow,
	ids map[decisionKey]int64) error {
	at := make(map[int64]record, len(rows))
	scope := make([]int64, 0, len(rows))
	for _, d := range rows {
		// A row that gives neither the deciding item nor the stages
		// changes neither.
		if d.rec.has("meeting") || d.hasStages {
			id := ids[decisionKey{d.unit, d.reference}]
			at[id] = d.rec
			scope = append(scope, id)
		}
	}
	if len(scope) == 0 {
		return nil
	}
	found, err := agenda.FindStageBreaks(ctx, j.tx, agenda.StageScope{Decisions: scope})
	if err != nil {
		return err
	}
	for _, b := range found {
		r, ok := at[b.DecisionID]
		if !b.Deciding || !ok {
			continue
		}
		item := fmt.Sprintf("%s#%d", b.MeetingCode, b.Seq)
		if b.MeetingCode == "" {
			item = fmt.Sprintf("item %d of meeting %d (a meeting without a code)", b.Seq,
				b.MeetingID)
		}
		if r.has("stages") {
			r.fail("stages", fmt.Sprintf("%s is the agenda item that decided decision %s, "+
				"as the database holds it: list only the items of the earlier stages, or "+
				"give the deciding item in columns 会议编码 and 议题序号", item, b.Reference))
		} else {
			r.fail("meeting", fmt.Sprintf("%s is an earlier stage of decision %s, as the "+
				"database holds its 前置议题: a decision's deciding item is none of its "+
				"earlier stages; link another item, or give column 前置议题 without this "+
				"one", item, b.Reference))
		}
	}
	return nil
}

type decisionKey struct {
	unit      int64
	reference string
}

// decisionIDs returns the ids of the decisions of units[i] and refs[i].
func decisionIDs(ctx context.Context, j *job, units []int64, refs []string) (
	map[decisionKey]int64, error) {
	rows, err := j.tx.Query(ctx, `SELECT d.org_unit_id, d.reference, d.id FROM decisions d
		JOIN unnest($1::bigint[], $2::text[]) AS x(unit, ref)
			ON d.org_unit_id = x.unit AND d.reference = x.ref`, units, refs)
	if err != nil {
		return nil, fmt.Errorf("read decision ids: %w", err)
	}
	defer rows.Close()
	ids := map[decisionKey]int64{}
	for rows.Next() {
		var k decisionKey
		var id int64
		if err := rows.Scan(&k.unit, &k.reference, &id); err != nil {
			return nil, fmt.Errorf("read decision ids: %w", err)
		}
		ids[k] = id
	}
	return ids, rows.Err()
}
