package agenda

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sample holds the ids of the demo data that LoadSample writes: 青山镇
// (Qingshan township) of 青河县 with its procedure list, two meetings and
// decisions that exercise every rule of the verifier.
type Sample struct {
	CountyID              int64
	TownshipID            int64
	PartyCommitteeID      int64 // body of kind party_committee
	GovernmentExecutiveID int64 // body of kind government_executive
	// MeetingID is 党委会 2026年第12次, planned for today at 09:00 China
	// Standard Time: the meeting the demo records. AgendaItemIDs are its
	// three items in order; decisions are linked to the first two only, so
	// a demo that marks those two while recording leaves them passing.
	MeetingID     int64
	AgendaItemIDs []int64
	// EarlierMeetingID is a government executive meeting ten days ago that
	// was never recorded.
	EarlierMeetingID     int64
	EarlierAgendaItemIDs []int64
	Matters              map[string]int64 // matter ids by code (QS-01 …)
	Decisions            []SampleDecision
}

// SampleDecision is a decision of the sample and what the verifier should
// find about it.
type SampleDecision struct {
	ID        int64
	Reference string
	// WantFinding is the finding expected once the demo has recorded
	// MeetingID and marked each of its items: "" when the decision passes.
	// A decision linked to EarlierMeetingID also lacks a recording; its
	// WantFinding names the fault it was made to show.
	WantFinding string
}

// The time zone of the sample's dates: China Standard Time.
var sampleZone = time.FixedZone("CST", 8*60*60)

// sampleLock serializes concurrent LoadSample calls (pg_advisory_xact_lock).
const sampleLock = 0x6c697568656e // "liuhen"

type sampleMatter struct {
	code, name string
	category   Category
	kind       BodyKind // "" when no meeting is needed
	threshold  int64    // yuan; 0 when every decision needs the meeting
	legalBasis string
}

// sampleMatters is a township procedure list modelled on published
// township lists of matters for collective decision (三重一大).
var sampleMatters = []sampleMatter{
	{"QS-01", "编制镇年度计划和五年以上发展规划", CategoryDecision, BodyPartyCommittee, 0,
		"镇“三重一大”事项集体决策制度第二条"},
	{"QS-02", "推荐、任免镇管干部", CategoryDecision, BodyPartyCommittee, 0,
		"镇“三重一大”事项集体决策制度第三条"},
	{"QS-03", "使用大额资金（单笔5万元及以上）", CategoryDecision, BodyPartyCommittee, 50000,
		"镇大额资金管理办法：单笔5万元及以上须集体研究"},
	{"QS-04", "安排重大建设项目（财政投入100万元及以上）", CategoryDecision,
		BodyPartyCommittee, 1000000, "镇重大行政决策事项目录"},
	{"QS-05", "以镇政府名义出台重要政策文件", CategoryDecision, BodyGovernmentExecutive, 0,
		"镇重大行政决策程序规定：合法性审查后集体讨论"},
	{"QS-06", "签订合同（金额1万元及以上）", CategoryDecision, BodyGovernmentExecutive, 10000,
		"镇合同管理办法"},
	{"QS-07", "处置镇属国有资产（价值100万元及以上）", CategoryDecision,
		BodyGovernmentExecutive, 1000000, "镇国有资产管理办法"},
	{"QS-08", "镇村道路维修养护工程", CategoryDecision, BodyGovernmentExecutive, 0,
		"镇重大行政决策事项目录"},
	{"QS-09", "落实上级部署的专项工作", CategoryImplementation, "", 0, ""},
	{"QS-10", "日常办公用品和小额采购", CategoryExecution, "", 0, ""},
}

type sampleItem struct {
	title  string
	matter string
}

var sampleAgenda = []sampleItem{
	{"关于镇敬老院改造资金安排的议题", "QS-03"},
	{"关于青山镇污水管网建设项目的议题", "QS-04"},
	{"关于推荐镇农业综合服务中心主任人选的议题", "QS-02"},
}

var sampleEarlierAgenda = []sampleItem{
	{"关于镇村道路修复工程施工合同的议题", "QS-06"},
	{"关于镇文化站设备购置资金的议题", "QS-03"},
	{"关于青山大道路面修复工程的议题", "QS-08"},
}

type sampleDecision struct {
	reference, title, matter string
	amount                   int64 // yuan; 0 for none
	item                     int   // 1-based item of the recorded meeting, -n of the earlier one
	decided                  time.Duration
	finding                  string
}

// sampleDecisions; decided is the offset from the recorded meeting's
// planned start. Decisions of the recorded meeting are dated the next
// morning, so that recording the meeting on its planned day leaves them
// passing.
var sampleDecisions = []sampleDecision{
	{"青山党〔2026〕31号", "镇敬老院改造资金8万元", "QS-03", 80000, 1, 24 * time.Hour, ""},
	{"青山党〔2026〕32号", "青山镇污水管网建设项目立项", "QS-04", 0, 2, 24 * time.Hour, ""},
	{"青山党〔2026〕33号", "污水管网建设项目资金120万元", "QS-04", 1200000, 2, 24 * time.Hour, ""},
	{"青山政〔2026〕18号", "镇村道路修复工程施工合同", "QS-06", 30000, -1, -8 * 24 * time.Hour,
		"NO_RECORDING"},
	{"青山财〔2026〕7号", "镇政府办公楼维修经费15万元", "QS-03", 150000, 0, -3 * 24 * time.Hour,
		"NO_MEETING"},
	{"青山政〔2026〕19号", "镇文化站设备购置资金6万元", "QS-03", 60000, -2, -8 * 24 * time.Hour,
		"WRONG_BODY"},
	{"青山党〔2026〕30号", "镇敬老院改造追加资金6万元", "QS-03", 60000, 1, -17 * time.Hour,
		"DECIDED_BEFORE_MEETING"},
	{"青山财〔2026〕8号", "镇党群服务中心桌椅购置8000元", "QS-03", 8000, 0, -48 * time.Hour, ""},
	{"青山财〔2026〕9号", "第二季度办公用品采购", "QS-10", 3000, 0, -5 * 24 * time.Hour, ""},
}

// LoadSample writes the demo data, planning its first meeting for today. It
// is idempotent: records are found by their code (org units, bodies,
// matters), their title (meetings), their seq (agenda items) or their
// reference (decisions), and left as they are when they exist.
func LoadSample(ctx context.Context, store *Store) (Sample, error) {
	return loadSample(ctx, store, time.Now())
}

func loadSample(ctx context.Context, store *Store, now time.Time) (Sample, error) {
	var s Sample
	err := pgx.BeginFunc(ctx, store.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sampleLock); err != nil {
			return err
		}
		steps := []func(context.Context, pgx.Tx, *Sample, time.Time) error{
			sampleUnits, sampleBodies, sampleProcedureList, sampleMeetings, sampleDecisionRows,
		}
		for _, step := range steps {
			if err := step(ctx, tx, &s, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Sample{}, fmt.Errorf("load sample: %w", err)
	}
	return s, nil
}

// upsertOrgUnit and upsertBody insert a row unless its code exists, and
// return the id.
const upsertOrgUnit = `
	WITH ins AS (INSERT INTO org_units (code, name, level, parent_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING RETURNING id)
	SELECT id FROM ins UNION ALL SELECT id FROM org_units WHERE code = $1`

const upsertBody = `
	WITH ins AS (INSERT INTO meeting_bodies (org_unit_id, code, name, kind)
		VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING RETURNING id)
	SELECT id FROM ins UNION ALL SELECT id FROM meeting_bodies WHERE code = $2`

func sampleUnits(ctx context.Context, tx pgx.Tx, s *Sample, _ time.Time) error {
	err := tx.QueryRow(ctx, upsertOrgUnit, "qinghe", "青河县", LevelCounty, nil).Scan(&s.CountyID)
	if err != nil {
		return fmt.Errorf("add county: %w", err)
	}
	err = tx.QueryRow(ctx, upsertOrgUnit, "qingshan", "青山镇", LevelTownship, s.CountyID).
		Scan(&s.TownshipID)
	if err != nil {
		return fmt.Errorf("add township: %w", err)
	}
	return nil
}

func sampleBodies(ctx context.Context, tx pgx.Tx, s *Sample, _ time.Time) error {
	err := tx.QueryRow(ctx, upsertBody, s.TownshipID, "qingshan-party-committee",
		"中共青山镇委员会", BodyPartyCommittee).Scan(&s.PartyCommitteeID)
	if err != nil {
		return fmt.Errorf("add party committee: %w", err)
	}
	err = tx.QueryRow(ctx, upsertBody, s.TownshipID, "qingshan-government-executive",
		"青山镇人民政府常务会议", BodyGovernmentExecutive).Scan(&s.GovernmentExecutiveID)
	if err != nil {
		return fmt.Errorf("add government executive meeting: %w", err)
	}
	return nil
}

func sampleProcedureList(ctx context.Context, tx pgx.Tx, s *Sample, _ time.Time) error {
	n := len(sampleMatters)
	codes, names, cats, bases := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n)
	kinds, thresholds, record := make([]*string, n), make([]*int64, n), make([]bool, n)
	for i, m := range sampleMatters {
		codes[i], names[i], cats[i], bases[i] = m.code, m.name, string(m.category), m.legalBasis
		if m.kind != "" {
			kinds[i] = new(string(m.kind))
		}
		if m.threshold > 0 {
			thresholds[i] = new(int64(Yuan(m.threshold)))
		}
		record[i] = m.kind != ""
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO matters (org_unit_id, code, name, category, required_body_kind,
			amount_threshold, must_record, legal_basis)
		SELECT $1, u.code, u.name, u.category, u.kind, u.fen / 100.0, u.record, u.basis
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
			$7::boolean[], $8::text[]) AS u(code, name, category, kind, fen, record, basis)
		ON CONFLICT (code) DO NOTHING`,
		s.TownshipID, codes, names, cats, kinds, thresholds, record, bases)
	if err != nil {
		return fmt.Errorf("add procedure list: %w", err)
	}
	s.Matters, err = idsByKey(ctx, tx, `SELECT code, id FROM matters WHERE code = ANY($1)`, codes)
	if err != nil {
		return fmt.Errorf("find procedure list: %w", err)
	}
	return nil
}

// sampleStart is 09:00 CST on the day of now: the recorded meeting's
// planned start.
func sampleStart(now time.Time) time.Time {
	y, m, d := now.In(sampleZone).Date()
	return time.Date(y, m, d, 9, 0, 0, 0, sampleZone)
}

func sampleMeetings(ctx context.Context, tx pgx.Tx, s *Sample, now time.Time) error {
	start := sampleStart(now)
	var err error
	s.MeetingID, s.AgendaItemIDs, err = sampleMeeting(ctx, tx, s, s.PartyCommitteeID,
		"党委会 2026年第12次", start, sampleAgenda)
	if err != nil {
		return err
	}
	s.EarlierMeetingID, s.EarlierAgendaItemIDs, err = sampleMeeting(ctx, tx, s,
		s.GovernmentExecutiveID, "镇政府常务会议 2026年第5次",
		start.Add(-10*24*time.Hour+6*time.Hour), sampleEarlierAgenda)
	return err
}

// sampleMeeting finds the body's meeting of that title or plans it, then
// adds the items its agenda lacks.
func sampleMeeting(ctx context.Context, tx pgx.Tx, s *Sample, bodyID int64, title string,
	planned time.Time, agenda []sampleItem) (int64, []int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		WITH found AS (SELECT id FROM meetings WHERE body_id = $1 AND title = $2
			ORDER BY id LIMIT 1),
		ins AS (INSERT INTO meetings (body_id, title, planned_start)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id)
		SELECT id FROM found UNION ALL SELECT id FROM ins`, bodyID, title, planned).Scan(&id)
	if err != nil {
		return 0, nil, fmt.Errorf("add meeting %s: %w", title, err)
	}
	seqs, titles, matters := make([]int32, len(agenda)), make([]string, len(agenda)),
		make([]int64, len(agenda))
	for i, it := range agenda {
		seqs[i], titles[i], matters[i] = int32(i+1), it.title, s.Matters[it.matter]
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO agenda_items (meeting_id, seq, title, matter_id)
		SELECT $1, u.seq, u.title, u.matter FROM unnest($2::int[], $3::text[], $4::bigint[])
			AS u(seq, title, matter)
		ON CONFLICT (meeting_id, seq) DO NOTHING`, id, seqs, titles, matters)
	if err != nil {
		return 0, nil, fmt.Errorf("add agenda of %s: %w", title, err)
	}
	rows, err := tx.Query(ctx, `SELECT id FROM agenda_items
		WHERE meeting_id = $1 AND seq = ANY($2) ORDER BY seq`, id, seqs)
	if err != nil {
		return 0, nil, fmt.Errorf("find agenda of %s: %w", title, err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, nil, fmt.Errorf("find agenda of %s: %w", title, err)
	}
	return id, items, nil
}

func sampleDecisionRows(ctx context.Context, tx pgx.Tx, s *Sample, now time.Time) error {
	start := sampleStart(now)
	n := len(sampleDecisions)
	refs, titles, matters := make([]string, n), make([]string, n), make([]int64, n)
	amounts, items, decided := make([]*int64, n), make([]*int64, n), make([]time.Time, n)
	for i, d := range sampleDecisions {
		refs[i], titles[i], matters[i] = d.reference, d.title, s.Matters[d.matter]
		decided[i] = start.Add(d.decided)
		if d.amount > 0 {
			amounts[i] = new(int64(Yuan(d.amount)))
		}
		switch {
		case d.item > 0:
			items[i] = &s.AgendaItemIDs[d.item-1]
		case d.item < 0:
			items[i] = &s.EarlierAgendaItemIDs[-d.item-1]
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO decisions (org_unit_id, matter_id, title, amount, decided_at,
			agenda_item_id, reference)
		SELECT $1, u.matter, u.title, u.fen / 100.0, u.decided, u.item, u.ref
		FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[],
			$7::bigint[]) AS u(ref, title, matter, fen, decided, item)
		WHERE NOT EXISTS (SELECT 1 FROM decisions d
			WHERE d.org_unit_id = $1 AND d.reference = u.ref)`,
		s.TownshipID, refs, titles, matters, amounts, decided, items)
	if err != nil {
		return fmt.Errorf("add decisions: %w", err)
	}
	ids, err := idsByKey(ctx, tx, `SELECT reference, min(id) FROM decisions
		WHERE org_unit_id = $2 AND reference = ANY($1) GROUP BY reference`, refs, s.TownshipID)
	if err != nil {
		return fmt.Errorf("find decisions: %w", err)
	}
	for _, d := range sampleDecisions {
		s.Decisions = append(s.Decisions, SampleDecision{
			ID: ids[d.reference], Reference: d.reference, WantFinding: d.finding})
	}
	return nil
}

// idsByKey runs a query of (key, id) rows over keys and maps them.
func idsByKey(ctx context.Context, tx pgx.Tx, sql string, keys []string, args ...any) (
	map[string]int64, error) {
	rows, err := tx.Query(ctx, sql, append([]any{keys}, args...)...)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	var key string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&key, &id}, func() error {
		ids[key] = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ids) != len(keys) {
		return nil, fmt.Errorf("found %d of %d records", len(ids), len(keys))
	}
	return ids, nil
}
