package county

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// table numbers the tables Generate writes, in an order in which every row
// refers only to rows of earlier tables or of the same batch's earlier
// tables.
type table int

const (
	tUnits table = iota
	tMembers
	tBodies
	tSeats
	tMatters
	tMeetings
	tAttendance
	tItems
	tRecusals
	tStatements
	tRecordings
	tTracks
	tSegments
	tIndexPoints
	tDecisions
	tStages
	numTables
)

type tableSpec struct {
	name    string
	serial  bool // the first column is a bigserial id
	columns []string
	// The rows Generate wrote are those whose scope column is at least the
	// first id it took from table scopeOf: its own id, or its parent's.
	scope   string
	scopeOf table
}

// tables says, per table, its name, whether its id is serial (a leading
// "id" column) and the columns Generate writes.
var tables = withScopes([numTables]tableSpec{
	tUnits:   spec("org_units", "id code name level parent_id"),
	tMembers: spec("members", "id org_unit_id code name title"),
	tBodies:  spec("meeting_bodies", "id org_unit_id code name kind"),
	tSeats:   spec("body_members", "id body_id member_id role served_from served_to"),
	tMatters: spec("matters", "id org_unit_id code name category required_body_kind "+
		"amount_threshold must_record legal_basis major_class required_body_kinds "+
		"amount_basis split_window_days quorum_rule vote_rule leader_speaks_last "+
		"recusal_applies"),
	tMeetings: spec("meetings", "id body_id title planned_start started_at ended_at "+
		"code planned_end mode chair_member_id minutes_written_at"),
	tAttendance: spec("meeting_attendance", "meeting_id member_id status absence_reason"),
	tItems: spec("agenda_items", "id meeting_id seq title matter_id presenter outcome "+
		"votes_for votes_against votes_abstain"),
	tRecusals:   spec("recusals", "agenda_item_id member_id reason took_part"),
	tStatements: spec("statements", "agenda_item_id seq member_id position"),
	tRecordings: spec("recordings", "id meeting_id state started_at ended_at"),
	tTracks: spec("tracks", "id recording_id session_id audio_codec video_codec state "+
		"started_at ended_at end_reason segments_written"),
	tSegments: spec("segments", "id track_id seq object_key sha256 size_bytes "+
		"media_start_ms media_end_ms wall_start wall_end stored_at"),
	tIndexPoints: spec("index_points", "id agenda_item_id recording_id start_ms end_ms"),
	tDecisions: spec("decisions", "id org_unit_id matter_id title amount decided_at "+
		"agenda_item_id reference payee project registered_at contract_at paid_at"),
	tStages: spec("decision_stages", "decision_id agenda_item_id"),
})

func spec(name, columns string) tableSpec {
	c := strings.Fields(columns)
	return tableSpec{name: name, serial: c[0] == "id", columns: c}
}

// withScopes scopes each serial table by its own id, and the others by the
// meeting or agenda item their rows belong to.
func withScopes(specs [numTables]tableSpec) [numTables]tableSpec {
	for t := range specs {
		specs[t].scope, specs[t].scopeOf = "id", table(t)
	}
	specs[tAttendance].scope, specs[tAttendance].scopeOf = "meeting_id", tMeetings
	specs[tRecusals].scope, specs[tRecusals].scopeOf = "agenda_item_id", tItems
	specs[tStatements].scope, specs[tStatements].scopeOf = "agenda_item_id", tItems
	specs[tStages].scope, specs[tStages].scopeOf = "decision_id", tDecisions
	return specs
}

// A batch holds rows for every table, written together.
type batch struct {
	phase     string // what Progress reports once the batch is written
	rows      [numTables][][]any
	n         int // rows in all tables
	decisions int
}

func (b *batch) add(t table, row ...any) {
	b.rows[t] = append(b.rows[t], row)
	b.n++
	if t == tDecisions {
		b.decisions++
	}
}

// write copies the batch's rows into their tables with COPY.
func (b *batch) write(ctx context.Context, tx pgx.Tx) error {
	for t := range numTables {
		rows := b.rows[t]
		if len(rows) == 0 {
			continue
		}
		spec := tables[t]
		n, err := tx.CopyFrom(ctx, pgx.Identifier{spec.name}, spec.columns, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy %s: %w", spec.name, err)
		}
		if int(n) != len(rows) {
			return fmt.Errorf("copy %s: wrote %d of %d rows", spec.name, n, len(rows))
		}
	}
	return nil
}

// ids hands out the ids of serial tables. Generate locks the tables it
// writes, so nobody else takes ids from their sequences meanwhile; it
// takes the first id with nextval and moves the sequence past the last
// one with setval at the end.
type ids struct {
	first, next [numTables]int64
}

func (a *ids) take(t table) int64 {
	id := a.next[t]
	a.next[t]++
	return id
}

// taken is how many ids of table t were handed out.
func (a *ids) taken(t table) int { return int(a.next[t] - a.first[t]) }

// lockTables takes an EXCLUSIVE lock on every table Generate writes:
// readers go on, writers wait until Generate's transaction ends.
func lockTables(ctx context.Context, tx pgx.Tx) error {
	names := make([]string, 0, numTables)
	for _, s := range tables {
		names = append(names, s.name)
	}
	_, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN EXCLUSIVE MODE")
	if err != nil {
		return fmt.Errorf("lock tables: %w", err)
	}
	return nil
}

// startIDs reads where each serial table's sequence stands.
func startIDs(ctx context.Context, tx pgx.Tx) (*ids, error) {
	a := &ids{}
	for t, s := range tables {
		if !s.serial {
			continue
		}
		err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id'))`, s.name).
			Scan(&a.first[t])
		if err != nil {
			return nil, fmt.Errorf("read id sequence of %s: %w", s.name, err)
		}
		a.next[t] = a.first[t]
	}
	return a, nil
}

// finishIDs moves each sequence past the last id handed out.
func finishIDs(ctx context.Context, tx pgx.Tx, a *ids) error {
	for t, s := range tables {
		if !s.serial || a.taken(table(t)) == 0 {
			continue
		}
		_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`,
			s.name, a.next[t]-1)
		if err != nil {
			return fmt.Errorf("advance id sequence of %s: %w", s.name, err)
		}
	}
	return nil
}

// analyze refreshes the planner's statistics of the tables written, so
// that queries right after Generate (a verify run) are planned for their
// new size rather than for empty tables. ANALYZE counts the rows of its own
// transaction.
func analyze(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "ANALYZE "+strings.Join(tableNames(), ", ")); err != nil {
		return fmt.Errorf("analyze tables: %w", err)
	}
	return nil
}

// yuan turns an amount in fen into a numeric(18, 2) value.
func yuan(fen int64) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(fen), Exp: -2, Valid: true}
}
