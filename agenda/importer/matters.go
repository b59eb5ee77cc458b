package importer

import (
	"context"
	"fmt"

	"github.com/liuhen/liuhen/agenda"
)

var mattersLayout = layout{
	{key: "unit", required: true, names: []string{"单位编码", "单位", "单位名称", "所属单位",
		"unit", "unit code"}},
	{key: "code", required: true, names: []string{"事项编码", "事项代码", "事项编号", "编码",
		"code", "matter code"}},
	{key: "name", required: true, names: []string{"事项名称", "事项", "决策事项", "事项内容",
		"名称", "name", "matter"}},
	{key: "category", required: true, names: []string{"类别", "事项类别", "分类", "事项分类",
		"四分法类别", "category"}},
	{key: "major", names: []string{"三重一大", "三重一大类别", "三重一大类型", "三重一大事项类别",
		"三重一大分类", "major class", "major"}},
	{key: "bodies", names: []string{"决策主体", "决策机构", "决策会议", "决策程序", "审议主体",
		"议事机构", "决策层级", "上会要求", "bodies", "body kinds", "required bodies", "decided by"}},
	{key: "threshold", names: []string{"金额标准", "限额", "金额标准/限额", "金额限额", "金额起点",
		"限额标准", "金额", "起点金额", "threshold", "amount threshold"}},
	{key: "basis", names: []string{"金额口径", "计算口径", "口径", "金额计算方式", "计算方式",
		"amount basis", "basis"}},
	{key: "window", names: []string{"累计天数", "累计期限", "累计期限(天)", "拆分期限",
		"split window days", "split window", "window days"}},
	{key: "quorum", names: []string{"到会要求", "法定人数", "到会人数", "出席要求", "到会人数要求",
		"quorum", "quorum rule"}},
	{key: "vote", names: []string{"表决规则", "表决", "通过规则", "表决要求", "vote rule",
		"vote"}},
	{key: "last", names: []string{"末位表态", "主要负责人末位表态", "末位发言",
		"leader speaks last", "speaks last"}},
	{key: "recusal", names: []string{"回避", "回避要求", "须回避", "回避制度", "recusal",
		"recusal applies"}},
	{key: "record", names: []string{"全程录像", "录像", "全程录音录像", "录音录像", "须录像",
		"must record", "record", "recorded"}},
	{key: "legal", names: []string{"依据", "法律依据", "政策依据", "制度依据", "决策依据", "文件依据",
		"legal basis", "law"}},
}

type matterRow struct {
	code                      string
	unit                      int64
	name, category, major     string
	kinds                     []string
	kind                      *string // the deciding kind, the last of kinds
	threshold                 *agenda.Amount
	basis, quorum, vote       string
	window                    int
	last, recusal, mustRecord bool
	legal                     string
}

func importMatters(ctx context.Context, j *job, tables []*table) error {
	recs := j.records(tables)
	units, err := loadUnits(ctx, j)
	if err != nil {
		return err
	}
	rows := make([]matterRow, 0, len(recs))
	first := firstRows{}
	for i, r := range recs {
		j.reading(i, len(recs))
		m := readMatter(r, units)
		if m.code != "" && !first.seen(r, "code", m.code, "matter") {
			rows = append(rows, m)
		}
	}
	if !j.p.empty() {
		return nil
	}
	if err := refuseMovingUsedMatters(ctx, j, rows, first); err != nil || !j.p.empty() {
		return err
	}
	u := upsert{table: "matters", key: []string{"code"},
		cols: []string{"code", "org_unit_id", "name", "category", "required_body_kind",
			"required_body_kinds", "amount_threshold", "must_record", "legal_basis",
			"major_class", "amount_basis", "split_window_days", "quorum_rule", "vote_rule",
			"leader_speaks_last", "recusal_applies"},
		types: []string{"text", "bigint", "text", "text", "text", "text[]", "numeric(18,2)",
			"boolean", "text", "text", "text", "integer", "text", "text", "boolean", "boolean"},
		update: updatable(tables, []string{"org_unit_id", "name", "category"},
			field{"bodies", []string{"required_body_kind", "required_body_kinds"}},
			field{"threshold", []string{"amount_threshold"}},
			field{"record", []string{"must_record"}}, field{"legal", []string{"legal_basis"}},
			field{"major", []string{"major_class"}}, field{"basis", []string{"amount_basis"}},
			field{"window", []string{"split_window_days"}},
			field{"quorum", []string{"quorum_rule"}}, field{"vote", []string{"vote_rule"}},
			field{"last", []string{"leader_speaks_last"}},
			field{"recusal", []string{"recusal_applies"}})}
	values := make([][]any, len(rows))
	for i, m := range rows {
		values[i] = []any{m.code, m.unit, m.name, m.category, m.kind, m.kinds,
			numeric(m.threshold), m.mustRecord, m.legal, m.major, m.basis, m.window, m.quorum,
			m.vote, m.last, m.recusal}
	}
	c, _, err := u.run(ctx, j, values)
	if err != nil {
		return err
	}
	j.counted(c)
	return nil
}

func readMatter(r record, units unitIndex) matterRow {
	m := matterRow{code: r.code("code", true), name: r.text("name", true, maxName),
		category: r.choose("category", categoryChoice, ""),
		major:    r.choose("major", majorChoice, "none"),
		basis:    r.choose("basis", basisChoice, "single"),
		quorum:   r.choose("quorum", ruleChoice, "more_than_half"),
		vote:     r.choose("vote", ruleChoice, "more_than_half"),
		last:     r.boolean("last", false), recusal: r.boolean("recusal", false),
		mustRecord: r.boolean("record", true), legal: r.text("legal", false, maxLongText),
		threshold: r.amount("threshold"), window: 90, kinds: []string{}}
	m.unit, _ = units.resolve(r, "unit")
	if r.value("category") == "" {
		r.fail("category", "is empty: write 决策类, 落实类, 执行类 or 其他类")
	}
	kinds, errs := parseBodyKinds(r.value("bodies"))
	for _, err := range errs {
		r.fail("bodies", err.Error())
	}
	for _, k := range kinds {
		m.kinds = append(m.kinds, string(k))
	}
	if len(kinds) > 0 {
		last := m.kinds[len(m.kinds)-1]
		m.kind = &last
	}
	if m.threshold != nil && len(kinds) == 0 && len(errs) == 0 {
		r.fail("threshold", "a threshold says when a meeting must decide, but no 决策主体 "+
			"is given: name the body, or empty the threshold")
	}
	if w := r.count("window"); w != nil {
		if *w < 1 || *w > 3660 {
			r.fail("window", fmt.Sprintf("%d days: write a number of days from 1 to 3660", *w))
		} else {
			m.window = *w
		}
	}
	return m
}

// refuseMovingUsedMatters fails each row that gives a matter another unit
// than the one it has while decisions of that unit use it: matter codes are
// unique across units, so the row would take the matter from under those
// decisions, which would then be checked against another unit's procedure
// list. at holds the record of each row by matter code.
func refuseMovingUsedMatters(ctx context.Context, j *job, rows []matterRow,
	at firstRows) error {
	codes := make([]string, 0, len(rows))
	units := make([]int64, 0, len(rows))
	for _, m := range rows {
		codes = append(codes, m.code)
		units = append(units, m.unit)
	}
	q, err := j.tx.Query(ctx, `
		SELECT r.code, u.code, count(*)
		FROM unnest($1::text[], $2::bigint[]) AS r(code, unit)
		JOIN matters m ON m.code = r.code AND m.org_unit_id <> r.unit
		JOIN org_units u ON u.id = m.org_unit_id
		JOIN decisions d ON d.matter_id = m.id AND d.org_unit_id = m.org_unit_id
		GROUP BY r.code, u.code
		ORDER BY r.code`, codes, units)
	if err != nil {
		return fmt.Errorf("check matters' units: %w", err)
	}
	defer q.Close()
	for q.Next() {
		var code, unit string
		var n int
		if err := q.Scan(&code, &unit, &n); err != nil {
			return fmt.Errorf("check matters' units: %w", err)
		}
		at[code].fail("unit", fmt.Sprintf("matter %s belongs to unit %s, whose %d "+
			"decisions are checked against it; give this matter a code of its own, or "+
			"the unit %s", code, unit, n, unit))
	}
	if err := q.Err(); err != nil {
		return fmt.Errorf("check matters' units: %w", err)
	}
	return nil
}
