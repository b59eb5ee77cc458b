package verify

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// fixture inserts rows with plain SQL into a test database and keeps the
// segment objects in a fake store.
type fixture struct {
	tb    testing.TB
	pool  *pgxpool.Pool
	store *fakeStore
	n     atomic.Int64 // makes codes and keys unique
}

func newFixture(tb testing.TB, pool *pgxpool.Pool) *fixture {
	tb.Helper()
	return &fixture{tb: tb, pool: pool, store: newFakeStore()}
}

// id runs an INSERT … RETURNING id.
func (f *fixture) id(sql string, args ...any) int64 {
	f.tb.Helper()
	var id int64
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		f.tb.Fatalf("fixture %q: %v", strings.Fields(sql)[2], err)
	}
	return id
}

// exec runs a statement that changes a fixture.
func (f *fixture) exec(sql string, args ...any) {
	f.tb.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		f.tb.Fatalf("fixture %q: %v", sql, err)
	}
}

func (f *fixture) unique(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, f.n.Add(1))
}

func (f *fixture) unit(code, level string, parent *int64) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO org_units (code, name, level, parent_id)
		VALUES ($1, $1 || ' 镇', $2, $3) RETURNING id`, code, level, parent)
}

func (f *fixture) body(unit int64, kind string) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO meeting_bodies (org_unit_id, code, name, kind)
		VALUES ($1, $2, '党委', $3) RETURNING id`, unit, f.unique("BODY"), kind)
}

// matter adds a matter; kind "" needs no meeting, threshold "" means none.
func (f *fixture) matter(unit int64, kind, threshold string, mustRecord bool) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO matters (org_unit_id, code, name, category,
		required_body_kind, required_body_kinds, amount_threshold, must_record)
		VALUES ($1, $2, '道路维修', 'decision', NULLIF($3, ''),
			CASE WHEN $3 = '' THEN '{}' ELSE ARRAY[$3] END, NULLIF($4, '')::numeric, $5)
		RETURNING id`, unit, f.unique("M"), kind, threshold, mustRecord)
}

func (f *fixture) meeting(body int64, planned time.Time, started *time.Time) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO meetings (body_id, title, planned_start, started_at)
		VALUES ($1, '第三次党委会', $2, $3) RETURNING id`, body, planned, started)
}

func (f *fixture) item(meeting int64, seq int) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO agenda_items (meeting_id, seq, title)
		VALUES ($1, $2, '道路维修方案') RETURNING id`, meeting, seq)
}

// decision adds a decision; amount "" is NULL.
func (f *fixture) decision(unit, matter int64, amount string, decided time.Time,
	item *int64) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO decisions (org_unit_id, matter_id, title, amount,
		decided_at, agenda_item_id)
		VALUES ($1, $2, '村道维修工程', NULLIF($3, '')::numeric, $4, $5) RETURNING id`,
		unit, matter, amount, decided, item)
}

func (f *fixture) recording(meeting int64, state string, started time.Time) int64 {
	f.tb.Helper()
	var ended *time.Time
	if state != "recording" {
		e := started.Add(2 * time.Hour)
		ended = &e
	}
	return f.id(`INSERT INTO recordings (meeting_id, state, started_at, ended_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, meeting, state, started, ended)
}

func (f *fixture) track(rec int64, state string, started time.Time) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO tracks (recording_id, session_id, state, started_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, rec, f.unique("session"), state, started)
}

// segment stores a segment's bytes in the fake store and its row in the
// database, and returns the object key.
func (f *fixture) segment(track int64, seq int, startMS, endMS int64,
	wall time.Time) string {
	f.tb.Helper()
	key := f.unique("rec/segment") + ".webm"
	data := []byte(strings.Repeat(key, 10))
	sum := sha256.Sum256(data)
	f.store.put(key, data)
	f.id(`INSERT INTO segments (track_id, seq, object_key, sha256, size_bytes,
		media_start_ms, media_end_ms, wall_start, wall_end)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		track, seq, key, sum[:], len(data), startMS, endMS,
		wall.Add(time.Duration(startMS)*time.Millisecond),
		wall.Add(time.Duration(endMS)*time.Millisecond))
	return key
}

// indexPoint adds an index point; end < 0 leaves it open.
func (f *fixture) indexPoint(item, rec, start, end int64) int64 {
	f.tb.Helper()
	var e *int64
	if end >= 0 {
		e = &end
	}
	return f.id(`INSERT INTO index_points (agenda_item_id, recording_id, start_ms, end_ms)
		VALUES ($1, $2, $3, $4) RETURNING id`, item, rec, start, e)
}

// gap records that segment key lacks kind ("audio" or "video") media
// from start to end ms of its recording's timeline.
func (f *fixture) gap(key, kind string, start, end int64) {
	f.tb.Helper()
	f.exec(`INSERT INTO segment_gaps (segment_id, kind, start_ms, end_ms, lost_packets)
		SELECT id, $2, $3, $4, 10 FROM segments WHERE object_key = $1`, key, kind, start, end)
}

func (f *fixture) member(unit int64) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO members (org_unit_id, code, name) VALUES ($1, $2, '张' || $2)
		RETURNING id`, unit, f.unique("P"))
}

// seat puts member on body with role from the day from (2006-01-02) to the
// day to ("" for still serving).
func (f *fixture) seat(body, member int64, role, from, to string) {
	f.tb.Helper()
	f.exec(`INSERT INTO body_members (body_id, member_id, role, served_from, served_to)
		VALUES ($1, $2, $3, $4::date, NULLIF($5, '')::date)`, body, member, role, from, to)
}

func (f *fixture) attend(meeting, member int64, status string) {
	f.tb.Helper()
	f.exec(`INSERT INTO meeting_attendance (meeting_id, member_id, status)
		VALUES ($1, $2, $3)
		ON CONFLICT (meeting_id, member_id) DO UPDATE SET status = EXCLUDED.status`,
		meeting, member, status)
}

func (f *fixture) statement(item int64, seq int, member int64) {
	f.tb.Helper()
	f.exec(`INSERT INTO statements (agenda_item_id, seq, member_id, position)
		VALUES ($1, $2, $3, 'for')`, item, seq, member)
}

func (f *fixture) recusal(item, member int64, tookPart bool) {
	f.tb.Helper()
	f.exec(`INSERT INTO recusals (agenda_item_id, member_id, reason, took_part)
		VALUES ($1, $2, '近亲属承包该工程', $3)
		ON CONFLICT (agenda_item_id, member_id) DO UPDATE SET took_part = EXCLUDED.took_part`,
		item, member, tookPart)
}

var (
	cst          = time.FixedZone("CST", 8*3600)
	meetingStart = time.Date(2024, 3, 5, 9, 5, 0, 0, cst)
)

// seatsFrom is the day the world's members took their seats.
const seatsFrom = "2024-01-01"

// world is one compliant decision with everything it points at.
type world struct {
	unitCode                                            string
	unit, body, matter, meeting, item, decision, record int64
	track                                               int64
	keys                                                []string
	indexPoint                                          int64
	members                                             []int64 // members[0] leads
}

// compliant builds a township whose one decision passes every rule: a
// party committee matter with a 50,000 threshold, a decision of 80,000
// taken at a started party committee meeting, recorded in full (three
// segments of ten seconds, one with a gap of half a second) with an index
// point inside the recording; then the full model (compliantProcedure).
func (f *fixture) compliant() world {
	f.tb.Helper()
	w := world{unitCode: f.unique("T")}
	w.unit = f.unit(w.unitCode, "township", nil)
	w.body = f.body(w.unit, "party_committee")
	w.matter = f.matter(w.unit, "party_committee", "50000", true)
	started := meetingStart
	w.meeting = f.meeting(w.body, meetingStart.Add(-5*time.Minute), &started)
	w.item = f.item(w.meeting, 1)
	w.decision = f.decision(w.unit, w.matter, "80000", meetingStart.Add(90*time.Minute),
		&w.item)
	w.record = f.recording(w.meeting, "finished", meetingStart)
	w.track = f.track(w.record, "finished", meetingStart)
	for seq := range 3 {
		start := int64(seq) * 10000
		w.keys = append(w.keys, f.segment(w.track, seq, start, start+10000, meetingStart))
	}
	w.indexPoint = f.indexPoint(w.item, w.record, 12000, 18000)
	f.gap(w.keys[1], "audio", 14000, 14500)
	f.compliantProcedure(&w)
	return w
}

// compliantProcedure gives the world's body five members, led by
// members[0], of whom four attend; four vote for the item and none
// against; members 1 to 3 state their views, then the leader; member 4,
// absent, is recused. The matter asks that the leader speaks last and that
// recusals hold. The meeting ends 40 s after it starts (the recording
// covers 30 s), its minutes are written the next day, and the decision is
// registered two days after it was taken, signed one day and paid ten days
// after.
func (f *fixture) compliantProcedure(w *world) {
	f.tb.Helper()
	for i := range 5 {
		m := f.member(w.unit)
		role := "member"
		if i == 0 {
			role = "leader"
		}
		f.seat(w.body, m, role, seatsFrom, "")
		w.members = append(w.members, m)
		status := "present"
		if i == 4 {
			status = "absent"
		}
		f.attend(w.meeting, m, status)
	}
	f.exec(`UPDATE agenda_items SET votes_for = 4, votes_against = 0, votes_abstain = 0,
		outcome = 'approved', matter_id = $2 WHERE id = $1`, w.item, w.matter)
	for i, m := range []int64{w.members[1], w.members[2], w.members[3], w.members[0]} {
		f.statement(w.item, i+1, m)
	}
	f.recusal(w.item, w.members[4], false)
	f.exec(`UPDATE matters SET (leader_speaks_last, recusal_applies) = (true, true)
		WHERE id = $1`, w.matter)
	f.exec(`UPDATE meetings SET ended_at = started_at + interval '40 seconds',
		minutes_written_at = started_at + interval '1 day' WHERE id = $1`, w.meeting)
	f.exec(`UPDATE decisions SET registered_at = decided_at + interval '2 days',
		contract_at = decided_at + interval '1 day', paid_at = decided_at + interval '10 days'
		WHERE id = $1`, w.decision)
}

// fakeStore is an in-memory ObjectChecker.
type fakeStore struct {
	mu       sync.Mutex
	objects  map[string][]byte
	damaged  map[string]bool // keys whose bytes Rehash cannot read back
	fail     error           // returned by every call when set
	stats    atomic.Int64
	rehashes atomic.Int64
}

var _ ObjectChecker = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{objects: map[string][]byte{}, damaged: map[string]bool{}}
}

func (s *fakeStore) put(key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = data
}

func (s *fakeStore) remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, key)
}

func (s *fakeStore) get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	data, ok := s.objects[key]
	if !ok {
		return nil, fmt.Errorf("fake store %q: %w", key, ErrObjectMissing)
	}
	return data, nil
}

func (s *fakeStore) Stat(ctx context.Context, key string) (int64, error) {
	s.stats.Add(1)
	data, err := s.get(ctx, key)
	return int64(len(data)), err
}

func (s *fakeStore) Rehash(ctx context.Context, key string, _ int64) ([32]byte, int64,
	error) {
	s.rehashes.Add(1)
	data, err := s.get(ctx, key)
	s.mu.Lock()
	damaged := s.damaged[key]
	s.mu.Unlock()
	if err == nil && damaged {
		return [32]byte{}, 0, fmt.Errorf("fake store %q: %w: bit rot", key, ErrObjectUnreadable)
	}
	return sha256.Sum256(data), int64(len(data)), err
}

var errStoreDown = errors.New("fake store unreachable")

// codesOf lists the codes of the findings, in report order.
func codesOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}
