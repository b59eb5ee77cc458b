package importer

import (
	"context"
	"fmt"
	"time"
)

// meetingsLayout is one row per agenda item. The meeting's columns repeat
// on each of its rows, or are merged over them, or are left empty below
// the first (as a CSV saved from merged cells has them).
var meetingsLayout = layout{
	{key: "code", required: true, names: []string{"会议编码", "会议编号", "会议代码",
		"meeting code", "meeting"}},
	{key: "body", required: true, names: []string{"会议主体编码", "会议主体", "主体编码",
		"会议机构", "body code", "body"}},
	{key: "title", required: true, names: []string{"会议名称", "会议标题", "会议题目",
		"meeting title", "title"}},
	{key: "start", required: true, names: []string{"会议时间", "召开时间", "开始时间",
		"计划开始时间", "会议日期", "召开日期", "planned start", "start", "date"}},
	{key: "end", names: []string{"结束时间", "计划结束时间", "会议结束时间", "planned end",
		"end"}},
	{key: "mode", names: []string{"会议形式", "形式", "召开方式", "方式", "mode"}},
	{key: "chair", names: []string{"主持人", "会议主持人", "chair"}},
	{key: "present", names: []string{"出席人员", "出席", "参会人员", "到会人员", "实到人员",
		"present", "attendees"}},
	{key: "absent", names: []string{"缺席人员", "缺席", "请假人员", "未到人员", "absent"}},
	{key: "seq", names: []string{"议题序号", "议题顺序", "议题编号", "议题号", "item order",
		"item no", "item number", "seq", "order"}},
	{key: "item", required: true, names: []string{"议题", "议题名称", "议题标题", "议题内容",
		"审议事项", "item title", "item", "agenda item"}},
	{key: "matter", names: []string{"事项编码", "对应事项", "清单事项", "事项", "matter code",
		"matter"}},
	{key: "presenter", names: []string{"汇报人", "汇报单位", "汇报部门", "提出人", "提议人",
		"presenter"}},
	{key: "outcome", names: []string{"表决结果", "审议结果", "结果", "outcome", "result"}},
	{key: "for", names: []string{"赞成", "赞成票", "赞成票数", "同意票", "同意票数",
		"votes for", "for"}},
	{key: "against", names: []string{"反对", "反对票", "反对票数", "votes against", "against"}},
	{key: "abstain", names: []string{"弃权", "弃权票", "弃权票数", "votes abstain", "abstain"}},
	{key: "recused", names: []string{"回避人员", "回避", "recused", "recusals"}},
}

// meetingFields are the columns of the meeting rather than the item.
var meetingFields = []string{"code", "body", "title", "start", "end", "mode", "chair",
	"present", "absent"}

type meetingRow struct {
	code          string
	src           map[string]record // the row each meeting field was read from
	body, unit    int64
	title, mode   string
	start         time.Time
	end           *time.Time
	chair         *int64
	present, away []attendee
	items         []itemRow
}

type itemRow struct {
	rec              record
	seq              int
	title, presenter string
	matter           *int64
	outcome          *string
	votes            [3]*int // for, against, abstain
	recused          []attendee
}

// meetingRefs are what a meetings file refers to.
type meetingRefs struct {
	bodies  map[string][2]int64 // code → body id, unit id
	named   map[string][]string // body name → codes
	matters map[string]matterRef
	members memberIndex
}

func importMeetings(ctx context.Context, j *job, tables []*table) error {
	recs := j.records(tables)
	carryDown(recs, meetingFields)
	refs, err := loadMeetingRefs(ctx, j)
	if err != nil {
		return err
	}
	meetings, order := groupMeetings(recs)
	for i, code := range order {
		j.reading(i, len(order))
		readMeeting(meetings[code], refs)
	}
	if !j.p.empty() {
		return nil
	}
	list := make([]*meetingRow, len(order))
	for i, code := range order {
		list[i] = meetings[code]
	}
	return writeMeetings(ctx, j, tables, list)
}

func loadMeetingRefs(ctx context.Context, j *job) (meetingRefs, error) {
	refs := meetingRefs{bodies: map[string][2]int64{}, named: map[string][]string{}}
	rows, err := j.tx.Query(ctx, `SELECT code, id, org_unit_id, name FROM meeting_bodies`)
	if err != nil {
		return refs, fmt.Errorf("load bodies: %w", err)
	}
	for rows.Next() {
		var code, name string
		var id, unit int64
		if err := rows.Scan(&code, &id, &unit, &name); err != nil {
			rows.Close()
			return refs, fmt.Errorf("load bodies: %w", err)
		}
		refs.bodies[code] = [2]int64{id, unit}
		refs.named[name] = append(refs.named[name], code)
	}
	rows.Close()
	if refs.matters, err = loadMatters(ctx, j); err != nil {
		return refs, err
	}
	refs.members, err = loadMembers(ctx, j)
	return refs, err
}

// matterRef is a matter of the procedure lists and its unit.
type matterRef struct {
	id, unit int64
	unitCode string
}

// loadMatters returns every matter by code.
func loadMatters(ctx context.Context, j *job) (map[string]matterRef, error) {
	rows, err := j.tx.Query(ctx, `SELECT m.code, m.id, m.org_unit_id, u.code
		FROM matters m JOIN org_units u ON u.id = m.org_unit_id`)
	if err != nil {
		return nil, fmt.Errorf("load matters: %w", err)
	}
	defer rows.Close()
	matters := map[string]matterRef{}
	for rows.Next() {
		var code string
		var m matterRef
		if err := rows.Scan(&code, &m.id, &m.unit, &m.unitCode); err != nil {
			return nil, fmt.Errorf("load matters: %w", err)
		}
		matters[code] = m
	}
	return matters, rows.Err()
}

// groupMeetings gathers the rows of each meeting code, checking that the
// meeting's fields agree on every row that fills them.
func groupMeetings(recs []record) (map[string]*meetingRow, []string) {
	meetings := map[string]*meetingRow{}
	var order []string
	for _, r := range recs {
		code := r.code("code", true)
		if code == "" {
			continue
		}
		m, ok := meetings[code]
		if !ok {
			m = &meetingRow{code: code, src: map[string]record{}}
			meetings[code] = m
			order = append(order, code)
		}
		for _, key := range meetingFields[1:] {
			v := r.raw(key)
			first, ok := m.src[key]
			switch {
			case v == "":
			case !ok:
				m.src[key] = r
			case first.raw(key) != v:
				r.fail(key, fmt.Sprintf("meeting %s has 「%s」 here but 「%s」 on %s: write "+
					"the meeting alike on each of its rows", code, v, first.raw(key),
					where(first, r)))
			}
		}
		m.items = append(m.items, itemRow{rec: r})
	}
	for _, m := range meetings {
		for _, key := range meetingFields[1:] {
			if _, ok := m.src[key]; !ok {
				m.src[key] = m.items[0].rec
			}
		}
	}
	return meetings, order
}

func readMeeting(m *meetingRow, refs meetingRefs) {
	m.body, m.unit = refs.body(m.src["body"])
	m.title = m.src["title"].text("title", true, maxName)
	m.mode = m.src["mode"].choose("mode", modeChoice, "meeting")
	start := m.src["start"].when("start", true)
	end := m.src["end"].when("end", false)
	if start != nil {
		m.start = start.t
	}
	if end != nil {
		m.end = &end.t
		if start != nil && end.t.Before(start.t) {
			m.src["end"].fail("end", fmt.Sprintf("%s is before the meeting's start (%s): "+
				"the end comes after the start", end.t.Format("2006-01-02 15:04"),
				start.t.Format("2006-01-02 15:04")))
		}
	}
	if m.body != 0 {
		readPeople(m, refs.members)
	}
	seqs := firstRows{}
	for i := range m.items {
		readItem(&m.items[i], i+1, m, refs)
		if it := m.items[i]; it.seq > 0 {
			seqs.seen(it.rec, "seq", fmt.Sprintf("item %d of meeting %s", it.seq, m.code),
				"agenda item")
		}
	}
}

func readPeople(m *meetingRow, idx memberIndex) {
	if chair := m.src["chair"]; chair.value("chair") != "" {
		if id, err := idx.find(chair.value("chair"), m.body, m.unit); err != nil {
			chair.fail("chair", err.Error())
		} else {
			m.chair = &id
		}
	}
	m.present = idx.people(m.src["present"], "present", m.body, m.unit)
	m.away = idx.people(m.src["absent"], "absent", m.body, m.unit)
	here := map[int64]bool{}
	for _, a := range m.present {
		here[a.member] = true
	}
	for _, a := range m.away {
		if here[a.member] {
			m.src["absent"].fail("absent", "names a member who is also among those present: "+
				"list each member once, as present or as absent")
		}
	}
}

func readItem(it *itemRow, position int, m *meetingRow, refs meetingRefs) {
	r := it.rec
	it.seq = position
	if r.has("seq") {
		it.seq = 0
		if n := r.count("seq"); n != nil && *n < 1 {
			r.fail("seq", "must be 1 or more: the first item of a meeting is 1")
		} else if n != nil {
			it.seq = *n
		} else if r.value("seq") == "" {
			r.fail("seq", "is empty: number the meeting's items 1, 2, 3 …")
		}
	}
	it.title = r.text("item", true, maxName)
	it.presenter = r.text("presenter", false, maxName)
	if code := r.code("matter", false); code != "" {
		if m, ok := refs.matters[code]; ok {
			it.matter = &m.id
		} else {
			r.fail("matter", fmt.Sprintf("「%s」 is no matter of the procedure list: import "+
				"the matters first (liuhen import matters) or correct the code", code))
		}
	}
	if o := r.choose("outcome", outcomeChoice, ""); o != "" {
		it.outcome = &o
	}
	for i, key := range []string{"for", "against", "abstain"} {
		it.votes[i] = r.count(key)
	}
	if m.body != 0 {
		it.recused = refs.members.people(r, "recused", m.body, m.unit)
	}
}

// body finds the body a row names by code or, failing that, by name.
func (refs meetingRefs) body(r record) (int64, int64) {
	raw := r.value("body")
	if raw == "" {
		r.fail("body", "is empty: write the code of the body that held the meeting")
		return 0, 0
	}
	code := fold(raw)
	if named := refs.named[raw]; len(named) == 1 {
		code = named[0]
	}
	if ref, ok := refs.bodies[code]; ok {
		return ref[0], ref[1]
	}
	r.fail("body", fmt.Sprintf("「%s」 is no meeting body's code or name: import the "+
		"bodies first (liuhen import bodies) or correct the code", raw))
	return 0, 0
}
