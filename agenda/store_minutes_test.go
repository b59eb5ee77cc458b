package agenda_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/liuhen/liuhen/agenda"
)

// members adds n members of the world's unit.
func (w *world) members(t testing.TB, n int) []agenda.Member {
	t.Helper()
	out := make([]agenda.Member, n)
	for i := range out {
		m, err := w.store.CreateMember(context.Background(), agenda.MemberInput{
			OrgUnitID: w.unit.ID, Code: "m" + string(rune('a'+i)), Name: "委员"})
		must(t, err)
		out[i] = m
	}
	return out
}

func TestAttendance(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	ms := w.members(t, 3)
	got, err := s.SetAttendance(ctx, w.meeting.ID, []agenda.AttendanceInput{
		{MemberID: ms[2].ID, Status: agenda.Absent, AbsenceReason: "出差"},
		{MemberID: ms[0].ID, Status: agenda.Present},
	})
	must(t, err)
	want := []agenda.Attendance{
		{MeetingID: w.meeting.ID, MemberID: ms[0].ID, Status: agenda.Present},
		{MeetingID: w.meeting.ID, MemberID: ms[2].ID, Status: agenda.Absent,
			AbsenceReason: "出差"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, err = s.SetAttendance(ctx, w.meeting.ID, []agenda.AttendanceInput{
		{MemberID: ms[1].ID, Status: agenda.Present}})
	must(t, err)
	if len(got) != 1 || got[0].MemberID != ms[1].ID {
		t.Errorf("got %+v, want the new list only", got)
	}

	tests := []struct {
		name   string
		items  []agenda.AttendanceInput
		fields []string
	}{
		{"bad entries", []agenda.AttendanceInput{
			{MemberID: ms[0].ID, Status: "late"},
			{Status: agenda.Present, AbsenceReason: "病假"},
		}, []string{"items[0].status", "items[1].member_id", "items[1].absence_reason"}},
		{"a member twice", []agenda.AttendanceInput{
			{MemberID: ms[0].ID, Status: agenda.Present},
			{MemberID: ms[0].ID, Status: agenda.Absent},
		}, []string{"items[1].member_id"}},
		{"unknown members", []agenda.AttendanceInput{
			{MemberID: 999999, Status: agenda.Present},
			{MemberID: ms[0].ID, Status: agenda.Present},
			{MemberID: 999998, Status: agenda.Absent},
		}, []string{"items[0].member_id", "items[2].member_id"}},
		{"too many", make([]agenda.AttendanceInput, 501), []string{"items"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SetAttendance(ctx, w.meeting.ID, tt.items)
			wantFields(t, err, tt.fields...)
		})
	}
	t.Run("a refused list changes nothing", func(t *testing.T) {
		got, err := s.Attendance(ctx, w.meeting.ID)
		must(t, err)
		if len(got) != 1 || got[0].MemberID != ms[1].ID {
			t.Errorf("got %+v, want member %d only", got, ms[1].ID)
		}
	})
	t.Run("cleared", func(t *testing.T) {
		got, err := s.SetAttendance(ctx, w.meeting.ID, nil)
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Errorf("got %#v, want an empty list", got)
		}
	})
	t.Run("unknown meeting", func(t *testing.T) {
		_, err := s.SetAttendance(ctx, 999999, nil)
		wantIs(t, err, agenda.ErrNotFound)
		_, err = s.Attendance(ctx, 999999)
		wantIs(t, err, agenda.ErrNotFound)
	})
}

func TestRecusalsAndStatements(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	ms := w.members(t, 3)
	rec, err := s.SetRecusals(ctx, w.item.ID, []agenda.RecusalInput{
		{MemberID: ms[1].ID, Reason: "亲属承接工程", TookPart: true}})
	must(t, err)
	want := []agenda.Recusal{{AgendaItemID: w.item.ID, MemberID: ms[1].ID,
		Reason: "亲属承接工程", TookPart: true}}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("got %+v, want %+v", rec, want)
	}
	_, err = s.SetRecusals(ctx, w.item.ID, []agenda.RecusalInput{
		{MemberID: ms[1].ID}, {MemberID: ms[1].ID, Reason: " x"}})
	wantFields(t, err, "items[1].member_id", "items[1].reason")

	st, err := s.SetStatements(ctx, w.item.ID, []agenda.StatementInput{
		{MemberID: ms[0].ID, Position: agenda.PositionFor},
		{MemberID: ms[2].ID},
		{MemberID: ms[0].ID, Position: agenda.PositionAgainst},
	})
	must(t, err)
	wantSt := []agenda.Statement{
		{AgendaItemID: w.item.ID, Seq: 1, MemberID: ms[0].ID, Position: agenda.PositionFor},
		{AgendaItemID: w.item.ID, Seq: 2, MemberID: ms[2].ID},
		{AgendaItemID: w.item.ID, Seq: 3, MemberID: ms[0].ID,
			Position: agenda.PositionAgainst},
	}
	if !reflect.DeepEqual(st, wantSt) {
		t.Errorf("got %+v, want %+v", st, wantSt)
	}
	got, err := s.Statements(ctx, w.item.ID)
	must(t, err)
	if !reflect.DeepEqual(got, wantSt) {
		t.Errorf("read back %+v, want %+v", got, wantSt)
	}
	_, err = s.SetStatements(ctx, w.item.ID, []agenda.StatementInput{
		{MemberID: 999999, Position: "yes"}})
	wantFields(t, err, "items[0].position")
	_, err = s.SetStatements(ctx, w.item.ID, []agenda.StatementInput{{MemberID: 999999}})
	wantFields(t, err, "items[0].member_id")
	_, err = s.Recusals(ctx, 999999)
	wantIs(t, err, agenda.ErrNotFound)
	_, err = s.SetStatements(ctx, 999999, nil)
	wantIs(t, err, agenda.ErrNotFound)
}
