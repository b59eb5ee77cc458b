package importer

import (
	"context"
	"fmt"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

var decisionsLayout = layout{
	{key: "unit", required: true, names: []string{"单位编码", "单位", "单位名称", "决策单位",
		"unit", "unit code"}},
	{key: "matter", required: true, names: []string{"事项编码", "清单事项编码", "对应事项",
		"清单事项", "事项", "matter code", "matter"}},
	{key: "title", required: true, names: []string{"标题", "决策名称", "决策内容", "决策事项",
		"决定事项", "事由", "名称", "title", "decision"}},
	{key: "amount", names: []string{"金额", "决策金额", "涉及金额", "资金金额", "合同金额",
		"amount"}},
	{key: "payee", names: []string{"收款人", "收款单位", "收款方", "供应商", "中标单位",
		"承包单位", "payee"}},
	{key: "project", names: []string{"项目", "项目名称", "所属项目", "project"}},
	{key: "decided", required: true, names: []string{"决策时间", "决策日期", "决定时间",
		"决定日期", "decided at", "decided", "decision date"}},
	{key: "registered", names: []string{"登记时间", "登记日期", "录入时间", "填报时间",
		"registered at", "registered"}},
	{key: "contract", names: []string{"合同签订时间", "签订时间", "签约时间", "合同日期",
		"contract at", "contract date"}},
	{key: "paid", names: []string{"支付时间", "付款时间", "拨付时间", "paid at", "payment date"}},
	{key: "reference", required: true, names: []string{"文号", "决策文号", "文件编号", "纪要编号",
		"会议纪要文号", "编号", "reference", "reference number", "ref"}},
	{key: "meeting", names: []string{"会议编码", "会议编号", "meeting code", "meeting"}},
	{key: "item", names: []string{"议题序号", "议题顺序", "议题编号", "item order", "item no",
		"item"}},
	{key: "stages", names: []string{"前置议题", "前置程序议题", "前置程序", "前期研究议题",
		"earlier stages", "stage items", "stages"}},
}

type decisionRow struct {
	rec                        record
	unit, matter               int64
	reference, title           string
	amount                     *agenda.Amount
	payee, project             string
	decided                    time.Time
	registered, contract, paid *time.Time
	item                       *int64
	stages                     []int64 // agenda items of the earlier stages
	hasStages                  bool    // the row's sheet has the column of stages
}

func importDecisions(ctx context.Context, j *job, tables []*table) error {
	recs := j.records(tables)
	units, err := loadUnits(ctx, j)
	if err != nil {
		return err
	}
	// TODO(stage-units): the matters and the stage items' meetings are read
	// without a lock, so a PATCH moving one of them to another unit while
	// this file is written is not refused by either (imports only exclude
	// each other); locking the rows the file names FOR SHARE, as the API's
	// decision writes do (agenda.checkDecision), would close it.
	matters, err := loadMatters(ctx, j)
	if err != nil {
		return err
	}
	stages := make([][]stageEntry, len(recs))
	for i, r := range recs {
		stages[i] = r.stageEntries()
	}
	items, err := itemsByMeetingCode(ctx, j, recs, stages)
	if err != nil {
		return err
	}
	rows := make([]decisionRow, 0, len(recs))
	first := firstRows{}
	for i, r := range recs {
		j.reading(i, len(recs))
		d, ok := readDecision(r, stages[i], units, matters, items)
		key := fmt.Sprintf("reference %s of unit %s", d.reference, fold(r.value("unit")))
		if ok && !first.seen(r, "reference", key, "decision") {
			rows = append(rows, d)
		}
	}
	if !j.p.empty() {
		return nil
	}
	if err := writeDecisions(ctx, j, tables, rows); err != nil {
		return err
	}
	ids, err := writeStages(ctx, j, tables, rows)
	if err != nil {
		return err
	}
	return refuseDecidingStages(ctx, j, rows, ids)
}

// itemIndex holds the agenda items of the meetings a file names, by
// meeting code and seq, and each meeting's org unit (its body's).
type itemIndex struct {
	items     map[string]map[int]int64 // nil for a meeting code no meeting has
	units     map[string]int64
	unitCodes map[string]string
}

// itemsByMeetingCode loads the agenda items of the meetings the file
// names, in the meeting column or in the earlier stages (stages[i] of
// recs[i]).
func itemsByMeetingCode(ctx context.Context, j *job, recs []record, stages [][]stageEntry) (
	itemIndex, error) {
	idx := itemIndex{items: map[string]map[int]int64{}, units: map[string]int64{},
		unitCodes: map[string]string{}}
	var codes []string
	add := func(c string) {
		if _, ok := idx.items[c]; c != "" && !ok {
			idx.items[c] = nil
			codes = append(codes, c)
		}
	}
	for i, r := range recs {
		add(fold(r.raw("meeting")))
		for _, e := range stages[i] {
			add(e.meeting)
		}
	}
	rows, err := j.tx.Query(ctx, `SELECT m.code, ai.seq, ai.id, b.org_unit_id, u.code
		FROM agenda_items ai
		JOIN meetings m ON m.id = ai.meeting_id
		JOIN meeting_bodies b ON b.id = m.body_id
		JOIN org_units u ON u.id = b.org_unit_id
		WHERE m.code = ANY($1)`, codes)
	if err != nil {
		return idx, fmt.Errorf("load agenda items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, unitCode string
		var seq int
		var id, unit int64
		if err := rows.Scan(&code, &seq, &id, &unit, &unitCode); err != nil {
			return idx, fmt.Errorf("load agenda items: %w", err)
		}
		if idx.items[code] == nil {
			idx.items[code] = map[int]int64{}
		}
		idx.items[code][seq] = id
		idx.units[code], idx.unitCodes[code] = unit, unitCode
	}
	return idx, rows.Err()
}

func readDecision(r record, stages []stageEntry, units unitIndex, matters map[string]matterRef,
	items itemIndex) (decisionRow, bool) {
	d := decisionRow{rec: r, reference: r.text("reference", true, maxName),
		title: r.text("title", true, maxName), amount: r.amount("amount"),
		payee: r.text("payee", false, maxName), project: r.text("project", false, maxName)}
	var unitOK bool
	d.unit, unitOK = units.resolve(r, "unit")
	if code := r.code("matter", true); code != "" {
		m, found := matters[code]
		switch {
		case !found:
			r.fail("matter", fmt.Sprintf("「%s」 is no matter of the procedure list: import "+
				"the matters first (liuhen import matters) or correct the code", code))
		case unitOK && m.unit != d.unit:
			r.fail("matter", fmt.Sprintf("「%s」 is on the procedure list of unit %s, not of "+
				"the deciding unit %s: write a matter of the unit's own list, or correct "+
				"the unit", code, m.unitCode, fold(r.value("unit"))))
		default:
			d.matter = m.id
		}
	}
	if w := r.when("decided", true); w != nil {
		d.decided = w.t
	}
	d.registered, d.contract, d.paid = r.moment("registered"), r.moment("contract"),
		r.moment("paid")
	d.item = readItemLink(r, items.items)
	d.stages = readStages(r, stages, items, d.unit, d.item)
	d.hasStages = r.t.has("stages")
	return d, unitOK && d.reference != ""
}

// readItemLink finds the agenda item a decision names by meeting code and
// item number; both or neither must be given.
func readItemLink(r record, items map[string]map[int]int64) *int64 {
	code := r.code("meeting", false)
	seq := r.count("item")
	switch {
	case code == "" && seq == nil:
		return nil // none given, or a bad one already reported
	case code == "":
		r.fail("meeting", "is empty, but an item number is given: write the code of the "+
			"meeting whose agenda item decided this, or empty the item number")
		return nil
	case seq == nil:
		if r.raw("item") == "" {
			r.fail("item", fmt.Sprintf("is empty, but meeting %s is given: write the number "+
				"of its agenda item (1, 2, …)", code))
		}
		return nil
	}
	byseq, known := items[code]
	if !known || byseq == nil {
		r.fail("meeting", fmt.Sprintf("「%s」 is no meeting with an agenda: import the "+
			"meetings first (liuhen import meetings) or correct the code", code))
		return nil
	}
	id, ok := byseq[*seq]
	if !ok {
		r.fail("item", fmt.Sprintf("meeting %s has no agenda item %d: write the number of "+
			"one of its items", code, *seq))
		return nil
	}
	return &id
}

// moment reads an optional date or date-time.
func (r record) moment(key string) *time.Time {
	if w := r.when(key, false); w != nil {
		return &w.t
	}
	return nil
}

func writeDecisions(ctx context.Context, j *job, tables []*table, rows []decisionRow) error {
	u := upsert{table: "decisions", key: []string{"org_unit_id", "reference"},
		where: "reference <> ''",
		cols: []string{"org_unit_id", "reference", "matter_id", "title", "amount", "payee",
			"project", "decided_at", "registered_at", "contract_at", "paid_at", "agenda_item_id"},
		types: []string{"bigint", "text", "bigint", "text", "numeric(18,2)", "text", "text",
			"timestamptz", "timestamptz", "timestamptz", "timestamptz", "bigint"},
		update: updatable(tables, []string{"matter_id", "title", "decided_at"},
			field{"amount", []string{"amount"}}, field{"payee", []string{"payee"}},
			field{"project", []string{"project"}},
			field{"registered", []string{"registered_at"}},
			field{"contract", []string{"contract_at"}}, field{"paid", []string{"paid_at"}},
			field{"meeting", []string{"agenda_item_id"}})}
	values := make([][]any, len(rows))
	for i, d := range rows {
		values[i] = []any{d.unit, d.reference, d.matter, d.title, numeric(d.amount), d.payee,
			d.project, d.decided, d.registered, d.contract, d.paid, d.item}
	}
	c, _, err := u.run(ctx, j, values)
	if err != nil {
		return err
	}
	j.counted(c)
	return nil
}
