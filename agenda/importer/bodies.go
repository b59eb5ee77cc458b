package importer

import (
	"context"
	"fmt"
	"time"
)

var bodiesLayout = layout{
	{key: "unit", required: true, names: []string{"单位编码", "单位", "单位名称", "所属单位",
		"unit", "unit code"}},
	{key: "code", required: true, names: []string{"会议主体编码", "主体编码", "议事机构编码",
		"会议机构编码", "body code"}},
	{key: "name", required: true, names: []string{"会议主体名称", "会议主体", "议事机构名称",
		"议事机构", "主体名称", "会议机构", "body name", "body"}},
	{key: "kind", required: true, names: []string{"会议类型", "主体类型", "会议种类", "类型",
		"种类", "kind", "body kind", "type"}},
	{key: "member_code", names: []string{"成员编码", "人员编码", "人员代码", "工号",
		"member code"}},
	{key: "member", names: []string{"姓名", "成员姓名", "成员", "人员", "组成人员",
		"member name", "member", "name"}},
	{key: "title", names: []string{"职务", "职位", "现任职务", "title", "position"}},
	{key: "role", names: []string{"角色", "席位", "身份", "会议角色", "role"}},
	{key: "from", names: []string{"任职起", "任职开始", "任职开始时间", "任职起始时间",
		"任职时间", "任期起", "起始日期", "开始日期", "served from", "from", "since"}},
	{key: "to", names: []string{"任职止", "任职结束", "任职结束时间", "任职终止时间", "任期止",
		"终止日期", "结束日期", "离任时间", "served to", "to", "until"}},
}

type bodyRow struct {
	rec              record
	code, name, kind string
	unit             int64
}

type memberRow struct {
	rec        record
	code, name string
	title      string
	unit       int64
}

type seatRow struct {
	rec    record
	body   string // code
	member string // code
	role   string
	from   time.Time
	to     *time.Time
}

func importBodies(ctx context.Context, j *job, tables []*table) error {
	recs := j.records(tables)
	carryDown(recs, []string{"unit", "code", "name", "kind"})
	units, err := loadUnits(ctx, j)
	if err != nil {
		return err
	}
	bodies := map[string]*bodyRow{}
	members := map[string]*memberRow{}
	var bodyOrder, memberOrder []string
	var seats []seatRow
	seatFirst := firstRows{}
	for i, r := range recs {
		j.reading(i, len(recs))
		b := readBody(r, units)
		if b != nil {
			if prev, ok := bodies[b.code]; ok {
				sameBody(prev, b)
			} else {
				bodies[b.code] = b
				bodyOrder = append(bodyOrder, b.code)
			}
		}
		m := readMember(r, b)
		if m == nil {
			continue
		}
		if prev, ok := members[m.code]; ok {
			sameMember(prev, m)
		} else {
			members[m.code] = m
			memberOrder = append(memberOrder, m.code)
		}
		if s, ok := readSeat(r, b, m); ok {
			key := fmt.Sprintf("%s, member %s, from %s", s.body, s.member,
				s.from.Format(time.DateOnly))
			if !seatFirst.seen(r, "member", "the seat on "+key, "seat") {
				seats = append(seats, s)
			}
		}
	}
	if !j.p.empty() {
		return nil
	}
	return writeBodies(ctx, j, tables, bodies, bodyOrder, members, memberOrder, seats)
}

func readBody(r record, units unitIndex) *bodyRow {
	b := &bodyRow{rec: r, code: r.code("code", true), name: r.text("name", true, maxName)}
	if v := r.value("kind"); v == "" {
		r.fail("kind", "is empty: write the kind of body, such as 党委会 or 政府常务会议")
	} else if k, err := parseBodyKind(v); err != nil {
		r.fail("kind", err.Error())
	} else {
		b.kind = string(k)
	}
	unit, ok := units.resolve(r, "unit")
	b.unit = unit
	if !ok || b.code == "" || b.name == "" || b.kind == "" {
		return nil
	}
	return b
}

// sameBody reports a body written differently on two rows.
func sameBody(prev, b *bodyRow) {
	switch {
	case prev.name != b.name:
		b.rec.fail("name", fmt.Sprintf("body %s is named 「%s」 on %s: write it alike on "+
			"every row", b.code, prev.name, where(prev.rec, b.rec)))
	case prev.kind != b.kind:
		b.rec.fail("kind", fmt.Sprintf("body %s is of another kind on %s: write it alike "+
			"on every row", b.code, where(prev.rec, b.rec)))
	case prev.unit != b.unit:
		b.rec.fail("unit", fmt.Sprintf("body %s belongs to another unit on %s: write it "+
			"alike on every row", b.code, where(prev.rec, b.rec)))
	}
}

// readMember reads the member of a row, nil when the row lists a body
// alone. A member without a code gets one made of the unit and name.
func readMember(r record, b *bodyRow) *memberRow {
	code := r.code("member_code", false)
	name := r.text("member", false, maxName)
	if code == "" && name == "" {
		return nil
	}
	if name == "" {
		r.fail("member", "is empty: write the member's name")
		return nil
	}
	if b == nil {
		return nil
	}
	if code == "" && r.raw("member_code") == "" {
		code = madeUpCode(b.rec.value("unit"), name)
	}
	if code == "" {
		return nil
	}
	return &memberRow{rec: r, code: code, name: name, unit: b.unit,
		title: r.text("title", false, maxName)}
}

// madeUpCode is the code of a member the file gives no code: the unit and
// the name, so that importing the file again finds the member again.
func madeUpCode(unit, name string) string { return fold(unit) + "-" + name }

func sameMember(prev, m *memberRow) {
	if prev.name != m.name {
		m.rec.fail("member", fmt.Sprintf("member %s is named 「%s」 on %s: one code is one "+
			"person", m.code, prev.name, where(prev.rec, m.rec)))
	}
	if prev.title == "" {
		prev.title = m.title
	}
}

func readSeat(r record, b *bodyRow, m *memberRow) (seatRow, bool) {
	s := seatRow{rec: r, body: b.code, member: m.code,
		role: r.choose("role", roleChoice, "member")}
	from := r.day("from", true)
	to := r.day("to", false)
	if from != nil && to != nil && to.Before(*from) {
		r.fail("to", fmt.Sprintf("%s is before the seat began (%s): the end of a seat "+
			"comes after its start", to.Format(time.DateOnly), from.Format(time.DateOnly)))
		return s, false
	}
	if from == nil {
		return s, false
	}
	s.from, s.to = *from, to
	return s, true
}

func writeBodies(ctx context.Context, j *job, tables []*table, bodies map[string]*bodyRow,
	bodyOrder []string, members map[string]*memberRow, memberOrder []string,
	seats []seatRow) error {
	bu := upsert{table: "meeting_bodies", key: []string{"code"},
		cols:   []string{"code", "org_unit_id", "name", "kind"},
		types:  []string{"text", "bigint", "text", "text"},
		update: []string{"org_unit_id", "name", "kind"}}
	values := make([][]any, len(bodyOrder))
	units := make([]int64, len(bodyOrder))
	at := make(map[string]record, len(bodyOrder))
	for i, code := range bodyOrder {
		b := bodies[code]
		values[i] = []any{b.code, b.unit, b.name, b.kind}
		units[i], at[code] = b.unit, b.rec
	}
	mv, err := findMoving(ctx, j, movingBodiesSQL, bodyOrder, units, at)
	if err != nil {
		return err
	}
	c, _, err := bu.run(ctx, j, values)
	if err != nil {
		return err
	}
	j.counted(c)
	if err := refuseBodyMoves(ctx, j, mv); err != nil || !j.p.empty() {
		return err
	}

	mu := upsert{table: "members", key: []string{"code"},
		cols:   []string{"code", "org_unit_id", "name", "title"},
		types:  []string{"text", "bigint", "text", "text"},
		update: updatable(tables, []string{"name"}, field{"title", []string{"title"}})}
	values = make([][]any, len(memberOrder))
	for i, code := range memberOrder {
		m := members[code]
		values[i] = []any{m.code, m.unit, m.name, m.title}
	}
	if c, _, err = mu.run(ctx, j, values); err != nil {
		return err
	}
	j.counted(c)
	return writeSeats(ctx, j, tables, bodyOrder, memberOrder, seats)
}

func writeSeats(ctx context.Context, j *job, tables []*table, bodyCodes, memberCodes []string,
	seats []seatRow) error {
	bodyIDs, err := codeIDs(ctx, j, "meeting_bodies", bodyCodes)
	if err != nil {
		return err
	}
	memberIDs, err := codeIDs(ctx, j, "members", memberCodes)
	if err != nil {
		return err
	}
	su := upsert{table: "body_members", key: []string{"body_id", "member_id", "served_from"},
		cols:  []string{"body_id", "member_id", "served_from", "role", "served_to"},
		types: []string{"bigint", "bigint", "date", "text", "date"},
		update: updatable(tables, nil, field{"role", []string{"role"}},
			field{"to", []string{"served_to"}})}
	values := make([][]any, len(seats))
	for i, s := range seats {
		values[i] = []any{bodyIDs[s.body], memberIDs[s.member], s.from, s.role, s.to}
	}
	c, _, err := su.run(ctx, j, values)
	if err != nil {
		return err
	}
	j.counted(c)
	return nil
}
