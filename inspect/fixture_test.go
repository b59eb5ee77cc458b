package inspect_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/testenv"
)

// county is a small county for the search tests, written with SQL so that
// it depends on nothing but the schema:
//
//	清源县 QY
//	├── 青山镇 QY-QS: 党委会 (2026-03-02), 政府常务会议 (2026-01-15)
//	│   └── 杨家村 QY-QS-YJ: 村两委会议 (2025-11-20)
//	└── 石门镇 QY-SM: 党委会 (2026-02-10)
//
// Items are named by meeting and seq: QS1.1 is the first item of 青山镇's
// party committee meeting. Decision D1 (QS1.1) passes the verifier; D2
// (QSG.1, decided by the wrong body) and D3 (YJ.1, no recording) do not.
type county struct {
	pool     *pgxpool.Pool
	units    map[string]int64
	items    map[string]int64
	meetings map[string]int64
	decision map[string]int64
	// recording is the finished recording of QS1, which holds index
	// points of QS1.1 and QS1.2.
	recording int64
	segments  []string // object keys of its segments
	matters   int
}

// segmentBytes is the content of the fixture's segment object key: 1000
// bytes, as its row says.
func segmentBytes(key string) []byte {
	return []byte(strings.Repeat(key, 1000/len(key)+1)[:1000])
}

func newCounty(t testing.TB) *county {
	t.Helper()
	c := &county{pool: testenv.Database(t), units: map[string]int64{},
		items: map[string]int64{}, meetings: map[string]int64{}, decision: map[string]int64{}}
	c.units["QY"] = c.id(t, `INSERT INTO org_units (code, name, level)
		VALUES ('QY', '清源县', 'county') RETURNING id`)
	c.unit(t, "QY-QS", "青山镇", "township", "QY")
	c.unit(t, "QY-QS-YJ", "杨家村", "village", "QY-QS")
	c.unit(t, "QY-SM", "石门镇", "township", "QY")

	qsPC := c.body(t, "QY-QS", "党委会", "party_committee")
	qsGov := c.body(t, "QY-QS", "政府常务会议", "government_executive")
	yj := c.body(t, "QY-QS-YJ", "村两委会议", "village_two_committees")
	smPC := c.body(t, "QY-SM", "党委会", "party_committee")

	road := c.matter(t, "QY-QS", "村级道路建设项目", "decision", "major_project", "party_committee")
	cadre := c.matter(t, "QY-QS", "干部任免", "decision", "cadre", "party_committee")
	assets := c.matter(t, "QY-QS-YJ", "集体资产处置", "implementation", "large_funds",
		"village_two_committees")
	ppp := c.matter(t, "QY-SM", "PPP项目合作", "other", "none", "party_committee")

	c.meeting(t, "QS1", qsPC, "青山镇2026年第3次党委会", "2026-03-02T09:00:00+08:00")
	c.meeting(t, "QSG", qsGov, "青山镇2026年第1次政府常务会议", "2026-01-15T14:30:00+08:00")
	c.meeting(t, "YJ", yj, "杨家村2025年第5次村两委会议", "2025-11-20T09:00:00+08:00")
	c.meeting(t, "SM1", smPC, "石门镇2026年第2次党委会", "2026-02-10T09:00:00+08:00")

	c.item(t, "QS1.1", "关于村道路硬化工程资金安排的议题", &road)
	c.item(t, "QS1.2", "关于干部任免的议题", &cadre)
	c.item(t, "QSG.1", "关于敬老院改造的议题", nil)
	c.item(t, "YJ.1", "关于集体林地流转的议题", &assets)
	c.item(t, "SM1.1", "Bridge repair under the PPP contract", &ppp)
	c.item(t, "SM1.2", "关于桥梁加固工程的议题", &ppp)

	c.decide(t, "D1", "QY-QS", road, "村道路硬化工程资金安排的决定", "QS1.1", 2*time.Hour)
	c.decide(t, "D2", "QY-QS", cadre, "Road lighting upgrade of the nursing home", "QSG.1",
		time.Hour)
	c.decide(t, "D3", "QY-QS-YJ", assets, "集体林地流转的决定", "YJ.1", time.Hour)
	c.record(t)
	return c
}

func (c *county) id(t testing.TB, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := c.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("fixture %q: %v", sql, err)
	}
	return id
}

func (c *county) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := c.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("fixture %q: %v", sql, err)
	}
}

func (c *county) unit(t testing.TB, code, name, level, parent string) {
	t.Helper()
	c.units[code] = c.id(t, `INSERT INTO org_units (code, name, level, parent_id)
		VALUES ($1, $2, $3, $4) RETURNING id`, code, name, level, c.units[parent])
}

func (c *county) body(t testing.TB, unit, name, kind string) int64 {
	t.Helper()
	return c.id(t, `INSERT INTO meeting_bodies (org_unit_id, code, name, kind)
		VALUES ($1, $2, $3, $4) RETURNING id`, c.units[unit], unit+"-"+kind, name, kind)
}

func (c *county) matter(t testing.TB, unit, name, category, class, kind string) int64 {
	t.Helper()
	c.matters++
	return c.id(t, `INSERT INTO matters (org_unit_id, code, name, category, major_class,
			required_body_kind, required_body_kinds)
		VALUES ($1, $2, $3, $4, $5, $6, ARRAY[$6]) RETURNING id`,
		c.units[unit], fmt.Sprintf("%s-M%d", unit, c.matters), name, category,
		class, kind)
}

func (c *county) meeting(t testing.TB, key string, body int64, title, at string) {
	t.Helper()
	start, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	c.meetings[key] = c.id(t, `INSERT INTO meetings (body_id, title, planned_start, started_at,
			ended_at)
		VALUES ($1, $2, $3::timestamptz, $3, $3 + interval '20 minutes') RETURNING id`, body,
		title, start)
}

func (c *county) item(t testing.TB, key, title string, matter *int64) {
	t.Helper()
	var meeting string
	var seq int
	if _, err := fmt.Sscanf(key[len(key)-2:], ".%d", &seq); err != nil {
		t.Fatalf("item key %q: %v", key, err)
	}
	meeting = key[:len(key)-2]
	c.items[key] = c.id(t, `INSERT INTO agenda_items (meeting_id, seq, title, matter_id)
		VALUES ($1, $2, $3, $4) RETURNING id`, c.meetings[meeting], seq, title, matter)
}

// decide registers a decision after the meeting of item.
func (c *county) decide(t testing.TB, key, unit string, matter int64, title, item string,
	after time.Duration) {
	t.Helper()
	c.decision[key] = c.id(t, `INSERT INTO decisions (org_unit_id, matter_id, title, decided_at,
			agenda_item_id)
		SELECT $1, $2, $3, m.started_at + $5::bigint * interval '1 microsecond', ai.id
		FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id WHERE ai.id = $4
		RETURNING id`, c.units[unit], matter, title, c.items[item], after.Microseconds())
}

// record gives QS1 a finished recording of two 10-minute segments with an
// index point for each of its items.
func (c *county) record(t testing.TB) {
	t.Helper()
	m := c.meetings["QS1"]
	c.recording = c.id(t, `INSERT INTO recordings (meeting_id, state, started_at, ended_at)
		SELECT id, 'finished', started_at, started_at + interval '20 minutes' FROM meetings
		WHERE id = $1 RETURNING id`, m)
	track := c.id(t, `INSERT INTO tracks (recording_id, session_id, audio_codec, video_codec,
			state, started_at, ended_at, end_reason, segments_written)
		SELECT id, 'fixture-session', 'opus', 'vp8', 'finished', started_at, ended_at,
			'publisher ended', 2
		FROM recordings WHERE id = $1 RETURNING id`, c.recording)
	for seq := range 2 {
		key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.webm", m, c.recording,
			track, seq)
		sum := sha256.Sum256(segmentBytes(key))
		c.segments = append(c.segments, key)
		c.exec(t, `INSERT INTO segments (track_id, seq, object_key, sha256, size_bytes,
				media_start_ms, media_end_ms, wall_start, wall_end)
			SELECT $1, $2, $3, $4, 1000, $2 * 600000, ($2 + 1) * 600000,
				r.started_at + $2 * interval '10 minutes',
				r.started_at + ($2 + 1) * interval '10 minutes'
			FROM recordings r WHERE r.id = $5`, track, seq, key, sum[:], c.recording)
	}
	c.exec(t, `INSERT INTO index_points (agenda_item_id, recording_id, start_ms, end_ms)
		VALUES ($1, $3, 30000, 540000), ($2, $3, 600000, 1150000)`,
		c.items["QS1.1"], c.items["QS1.2"], c.recording)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
