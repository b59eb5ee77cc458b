package agenda_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

// wantConflict checks that err is a *ConflictError on field.
func wantConflict(t testing.TB, err error, field string) {
	t.Helper()
	var ce *agenda.ConflictError
	if !errors.As(err, &ce) || ce.Field != field || !errors.Is(err, agenda.ErrConflict) {
		t.Fatalf("got %v, want a conflict on %s", err, field)
	}
	if ce.Reason == "" {
		t.Errorf("got conflict on %s without a reason", field)
	}
}

// set returns a patch that changes the input with f.
func set[In any](f func(*In)) agenda.Patch[In] {
	return func(in *In) error {
		f(in)
		return nil
	}
}

func TestOrgUnitHierarchy(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	county, err := s.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: "c1", Name: "县",
		Level: agenda.LevelCounty})
	must(t, err)
	town, err := s.UpdateOrgUnit(ctx, w.unit.ID, set(func(in *agenda.OrgUnitInput) {
		in.ParentID = &county.ID
	}))
	must(t, err)
	if town.ParentID == nil || *town.ParentID != county.ID || town.Code != w.unit.Code {
		t.Fatalf("got %+v, want the township under county %d, code kept", town, county.ID)
	}
	village, err := s.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: "v1", Name: "村",
		Level: agenda.LevelVillage, ParentID: &town.ID})
	must(t, err)
	dept, err := s.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: "d1", Name: "局",
		Level: agenda.LevelDepartment, ParentID: &county.ID})
	must(t, err)

	tests := []struct {
		name   string
		in     agenda.OrgUnitInput
		fields []string
	}{
		{"village under a county", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelVillage, ParentID: &county.ID}, []string{"parent_id"}},
		{"village under a department", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelVillage, ParentID: &dept.ID}, []string{"parent_id"}},
		{"township under a township", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelTownship, ParentID: &town.ID}, []string{"parent_id"}},
		{"county with a parent", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelCounty, ParentID: &county.ID}, []string{"parent_id"}},
		{"department under a village", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelDepartment, ParentID: &village.ID}, []string{"parent_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateOrgUnit(ctx, tt.in)
			wantFields(t, err, tt.fields...)
		})
	}
	t.Run("a level its sub-units do not fit", func(t *testing.T) {
		_, err := s.UpdateOrgUnit(ctx, town.ID, set(func(in *agenda.OrgUnitInput) {
			in.Level = agenda.LevelDepartment
		}))
		wantFields(t, err, "level")
	})
	t.Run("its own parent", func(t *testing.T) {
		_, err := s.UpdateOrgUnit(ctx, village.ID, set(func(in *agenda.OrgUnitInput) {
			in.ParentID = &village.ID
		}))
		wantFields(t, err, "parent_id")
	})
	t.Run("a failed update changes nothing", func(t *testing.T) {
		got, err := s.GetOrgUnit(ctx, town.ID)
		must(t, err)
		if !reflect.DeepEqual(got, town) {
			t.Errorf("got %+v, want %+v", got, town)
		}
	})
	t.Run("unknown unit", func(t *testing.T) {
		_, err := s.UpdateOrgUnit(ctx, 999999, nil)
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("taken code", func(t *testing.T) {
		_, err := s.UpdateOrgUnit(ctx, village.ID, set(func(in *agenda.OrgUnitInput) {
			in.Code = "d1"
		}))
		wantConflict(t, err, "code")
	})
	t.Run("by code", func(t *testing.T) {
		code := "v1"
		l, err := s.ListOrgUnits(ctx, agenda.OrgUnitFilter{Code: &code}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != village.ID {
			t.Errorf("got %+v, want village %d", l.Items, village.ID)
		}
	})
}

func TestMembersAndSeats(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	m, err := s.CreateMember(ctx, agenda.MemberInput{OrgUnitID: w.unit.ID, Code: "m-1",
		Name: "张三", Title: "党委书记"})
	must(t, err)
	got, err := s.GetMember(ctx, m.ID)
	must(t, err)
	if got != m || m.Title != "党委书记" {
		t.Errorf("got %+v, want %+v", got, m)
	}
	m, err = s.UpdateMember(ctx, m.ID, set(func(in *agenda.MemberInput) { in.Title = "镇长" }))
	must(t, err)
	if m.Title != "镇长" || m.Name != "张三" {
		t.Errorf("got %+v, want title 镇长 and the name kept", m)
	}
	other, err := s.CreateMember(ctx, agenda.MemberInput{OrgUnitID: w.unit.ID, Code: "m-2",
		Name: "李四"})
	must(t, err)

	t.Run("member refuses", func(t *testing.T) {
		_, err := s.CreateMember(ctx, agenda.MemberInput{Code: "a b", Title: " x"})
		wantFields(t, err, "org_unit_id", "code", "name", "title")
		_, err = s.CreateMember(ctx, agenda.MemberInput{OrgUnitID: 999999, Code: "x",
			Name: "x"})
		wantFields(t, err, "org_unit_id")
		_, err = s.CreateMember(ctx, agenda.MemberInput{OrgUnitID: w.unit.ID, Code: "m-1",
			Name: "x"})
		wantConflict(t, err, "code")
		_, err = s.UpdateMember(ctx, 999999, nil)
		wantIs(t, err, agenda.ErrNotFound)
	})

	from := agenda.NewDate(2025, time.January, 1)
	seat, err := s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
		MemberID: m.ID, Role: agenda.RoleLeader, ServedFrom: from})
	must(t, err)
	if seat.Role != agenda.RoleLeader || seat.ServedTo != nil || seat.ServedFrom != from {
		t.Errorf("got %+v, want an open leader's seat from %s", seat, from)
	}
	to := agenda.NewDate(2025, time.June, 30)
	plain, err := s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
		MemberID: other.ID, ServedFrom: from, ServedTo: &to})
	must(t, err)
	if plain.Role != agenda.RoleMember {
		t.Errorf("got role %q, want member by default", plain.Role)
	}

	t.Run("seat refuses", func(t *testing.T) {
		before := agenda.NewDate(2024, time.December, 31)
		_, err := s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: other.ID, Role: "chair", ServedFrom: from, ServedTo: &before})
		wantFields(t, err, "role", "served_to")
		_, err = s.CreateBodySeat(ctx, agenda.BodySeatInput{})
		wantFields(t, err, "body_id", "member_id", "served_from")
		_, err = s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: 999999,
			MemberID: 999998, ServedFrom: from})
		wantFields(t, err, "body_id", "member_id")
		_, err = s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: 999998, ServedFrom: from})
		wantFields(t, err, "member_id")
		_, err = s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: m.ID, ServedFrom: agenda.NewDate(1800, time.January, 1)})
		wantFields(t, err, "served_from")
	})
	t.Run("overlaps", func(t *testing.T) {
		_, err := s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: other.ID, ServedFrom: to})
		wantConflict(t, err, "served_from")
		_, err = s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: other.ID, Role: agenda.RoleLeader,
			ServedFrom: agenda.NewDate(2025, time.July, 1)})
		wantConflict(t, err, "role")
		_, err = s.UpdateBodySeat(ctx, plain.ID, set(func(in *agenda.BodySeatInput) {
			in.Role = agenda.RoleLeader
		}))
		wantConflict(t, err, "role")
	})
	t.Run("a later seat", func(t *testing.T) {
		later, err := s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: other.ID, Role: agenda.RoleDeputy,
			ServedFrom: agenda.NewDate(2025, time.July, 1)})
		must(t, err)
		later, err = s.UpdateBodySeat(ctx, later.ID, set(func(in *agenda.BodySeatInput) {
			in.ServedTo = new(agenda.NewDate(2026, time.December, 31))
		}))
		must(t, err)
		if later.ServedTo == nil || later.ServedTo.String() != "2026-12-31" ||
			later.Role != agenda.RoleDeputy {
			t.Errorf("got %+v, want a deputy's seat to 2026-12-31", later)
		}
	})
	t.Run("listings", func(t *testing.T) {
		on := agenda.NewDate(2025, time.March, 1)
		l, err := s.ListBodySeats(ctx, agenda.BodySeatFilter{BodyID: &w.body.ID, On: &on,
			OrgUnitID: &w.unit.ID}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 2 {
			t.Errorf("got %+v, want the two seats held on %s", l.Items, on)
		}
		l, err = s.ListBodySeats(ctx, agenda.BodySeatFilter{MemberID: &other.ID},
			agenda.Page{Limit: 1})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != plain.ID || l.NextOffset != 1 {
			t.Errorf("got %+v, want seat %d and a next page", l, plain.ID)
		}
		code := "m-2"
		ml, err := s.ListMembers(ctx, agenda.MemberFilter{OrgUnitID: &w.unit.ID,
			BodyID: &w.body.ID, Code: &code}, agenda.Page{})
		must(t, err)
		if len(ml.Items) != 1 || ml.Items[0].ID != other.ID {
			t.Errorf("got %+v, want member %d", ml.Items, other.ID)
		}
	})
}

func TestExpectedAttendees(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	member := func(code string) agenda.Member {
		m, err := s.CreateMember(ctx, agenda.MemberInput{OrgUnitID: w.unit.ID, Code: code,
			Name: code})
		must(t, err)
		return m
	}
	seat := func(m agenda.Member, role agenda.SeatRole, from agenda.Date, to *agenda.Date) {
		_, err := s.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: w.body.ID,
			MemberID: m.ID, Role: role, ServedFrom: from, ServedTo: to})
		must(t, err)
	}
	// The meeting is planned for 2026-03-02 09:00 UTC, 17:00 in China.
	day := agenda.DateOf(w.meeting.PlannedStart, agenda.MeetingZone)
	plain, deputy, leader := member("a"), member("b"), member("c")
	gone, later := member("d"), member("e")
	seat(plain, agenda.RoleMember, agenda.NewDate(2020, 1, 1), nil)
	seat(deputy, agenda.RoleDeputy, day, &day)
	seat(leader, agenda.RoleLeader, agenda.NewDate(2020, 1, 1), nil)
	seat(gone, agenda.RoleMember, agenda.NewDate(2020, 1, 1), new(agenda.NewDate(2026, 3, 1)))
	seat(later, agenda.RoleMember, agenda.NewDate(2026, 3, 3), nil)

	// Planned at 16:30 UTC, the meeting is on 2026-03-03 in China, when
	// only later's seat has begun besides the open ones.
	late, err := s.CreateMeeting(ctx, agenda.MeetingInput{BodyID: w.body.ID, Title: "晚",
		PlannedStart: time.Date(2026, 3, 2, 16, 30, 0, 0, time.UTC)})
	must(t, err)
	got, err := s.ExpectedAttendees(ctx, w.meeting.ID, late.ID, 999999)
	must(t, err)
	wantMembers := func(meeting int64, want ...agenda.Member) {
		t.Helper()
		var ids, wantIDs []int64
		for _, a := range got[meeting] {
			ids = append(ids, a.Member.ID)
			if !a.Seat.Holds(day) && meeting == w.meeting.ID {
				t.Errorf("got seat %+v, which does not hold %s", a.Seat, day)
			}
		}
		for _, m := range want {
			wantIDs = append(wantIDs, m.ID)
		}
		if len(ids) != len(wantIDs) {
			t.Fatalf("meeting %d: got members %v, want %v", meeting, ids, wantIDs)
		}
		for i := range ids {
			if ids[i] != wantIDs[i] {
				t.Errorf("meeting %d: got members %v, want %v", meeting, ids, wantIDs)
			}
		}
	}
	wantMembers(w.meeting.ID, leader, deputy, plain)
	wantMembers(late.ID, leader, plain, later)
	if _, ok := got[999999]; ok {
		t.Error("got attendees of an unknown meeting, want none")
	}
	if a := got[w.meeting.ID][0]; a.Member.Code != "c" || a.Seat.Role != agenda.RoleLeader {
		t.Errorf("got %+v first, want the leader with his seat", a)
	}

	t.Run("the actual start counts", func(t *testing.T) {
		started := time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC)
		_, err := s.UpdateMeeting(ctx, w.meeting.ID, set(func(in *agenda.MeetingInput) {
			in.StartedAt = &started
		}))
		must(t, err)
		list, err := s.MeetingAttendees(ctx, w.meeting.ID)
		must(t, err)
		if len(list) != 3 || list[2].Member.ID != later.ID {
			t.Errorf("got %+v, want leader, plain and later on 2026-03-03", list)
		}
	})
	t.Run("unknown meeting", func(t *testing.T) {
		_, err := s.MeetingAttendees(ctx, 999999)
		wantIs(t, err, agenda.ErrNotFound)
	})
}
