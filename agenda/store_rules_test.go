package agenda_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

func TestMatterRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	two, reps := agenda.BodyVillageTwoCommittees, agenda.BodyVillagerRepresentatives
	village := agenda.MatterInput{OrgUnitID: w.unit.ID, Code: "V-1", Name: "村级工程",
		Category: agenda.CategoryDecision, RequiredBodyKinds: []agenda.BodyKind{two, reps},
		AmountThreshold: new(agenda.Yuan(100000)), AmountBasis: agenda.BasisProject,
		SplitWindowDays: 30, QuorumRule: agenda.TwoThirds, LeaderSpeaksLast: true,
		MajorClass: agenda.MajorProject, RecusalApplies: true}
	m, err := s.CreateMatter(ctx, village)
	must(t, err)
	if m.RequiredBodyKind == nil || *m.RequiredBodyKind != reps ||
		!reflect.DeepEqual(m.RequiredBodyKinds, []agenda.BodyKind{two, reps}) {
		t.Errorf("got kind %v and kinds %v, want %s last of both", m.RequiredBodyKind,
			m.RequiredBodyKinds, reps)
	}
	if m.AmountBasis != agenda.BasisProject || m.SplitWindowDays != 30 ||
		m.QuorumRule != agenda.TwoThirds || m.VoteRule != agenda.MoreThanHalf ||
		!m.LeaderSpeaksLast || !m.RecusalApplies || m.MajorClass != agenda.MajorProject ||
		!m.MustRecord {
		t.Errorf("got %+v, want the rules as given and the defaults for the rest", m)
	}
	t.Run("defaults and one kind", func(t *testing.T) {
		if got := w.matter; !reflect.DeepEqual(got.RequiredBodyKinds,
			[]agenda.BodyKind{agenda.BodyPartyCommittee}) || got.MajorClass != agenda.MajorNone ||
			got.AmountBasis != agenda.BasisSingle || got.SplitWindowDays != 90 {
			t.Errorf("got %+v, want kinds [party_committee] and the defaults", got)
		}
	})
	t.Run("a kind alone makes the list", func(t *testing.T) {
		got, err := s.UpdateMatter(ctx, m.ID, func(in *agenda.MatterInput) error {
			in.RequiredBodyKind, in.RequiredBodyKinds = &two, nil
			return nil
		})
		must(t, err)
		if !reflect.DeepEqual(got.RequiredBodyKinds, []agenda.BodyKind{two}) ||
			got.SplitWindowDays != 30 || got.Name != "村级工程" {
			t.Errorf("got %+v, want kinds [%s] and the other fields kept", got, two)
		}
	})
	t.Run("no meeting", func(t *testing.T) {
		got, err := s.UpdateMatter(ctx, m.ID, set(func(in *agenda.MatterInput) {
			in.RequiredBodyKind, in.RequiredBodyKinds, in.AmountThreshold = nil, nil, nil
		}))
		must(t, err)
		if got.RequiredBodyKind != nil || len(got.RequiredBodyKinds) != 0 {
			t.Errorf("got %+v, want no kinds", got)
		}
	})

	chief := agenda.BodyKind("chief")
	tests := []struct {
		name   string
		change func(*agenda.MatterInput)
		fields []string
	}{
		{"kind not the last of the list", func(in *agenda.MatterInput) {
			in.RequiredBodyKind = &two
		}, []string{"required_body_kind"}},
		{"unknown kind in the list", func(in *agenda.MatterInput) {
			in.RequiredBodyKinds = []agenda.BodyKind{two, chief}
		}, []string{"required_body_kinds"}},
		{"a kind twice", func(in *agenda.MatterInput) {
			in.RequiredBodyKinds = []agenda.BodyKind{reps, reps}
		}, []string{"required_body_kinds"}},
		{"bad rules", func(in *agenda.MatterInput) {
			in.MajorClass, in.AmountBasis, in.QuorumRule, in.VoteRule = "big", "sum", "most",
				"all"
			in.SplitWindowDays = -1
		}, []string{"major_class", "amount_basis", "quorum_rule", "vote_rule",
			"split_window_days"}},
		{"threshold without kinds", func(in *agenda.MatterInput) {
			in.RequiredBodyKinds = nil
		}, []string{"amount_threshold"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := village
			in.Code = "V-2"
			tt.change(&in)
			_, err := s.CreateMatter(ctx, in)
			wantFields(t, err, tt.fields...)
		})
	}
	t.Run("filters", func(t *testing.T) {
		class, kind := agenda.MajorProject, agenda.BodyPartyCommittee
		l, err := s.ListMatters(ctx, agenda.MatterFilter{MajorClass: &class}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != m.ID {
			t.Errorf("got %+v, want matter %d", l.Items, m.ID)
		}
		l, err = s.ListMatters(ctx, agenda.MatterFilter{BodyKind: &kind, Code: &w.matter.Code},
			agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != w.matter.ID {
			t.Errorf("got %+v, want matter %d", l.Items, w.matter.ID)
		}
	})
}

func TestMeetingFields(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	chair, err := s.CreateMember(ctx, agenda.MemberInput{OrgUnitID: w.unit.ID, Code: "c",
		Name: "主持人"})
	must(t, err)
	in := agenda.MeetingInput{BodyID: w.body.ID, Title: "传签", Code: "PC-2026-03",
		Mode: agenda.ModeCirculation, PlannedStart: at(0), PlannedEnd: new(at(90)),
		ChairMemberID: &chair.ID, MinutesWrittenAt: new(at(24 * 60))}
	m, err := s.CreateMeeting(ctx, in)
	must(t, err)
	if m.Code != in.Code || m.Mode != agenda.ModeCirculation || !m.PlannedEnd.Equal(at(90)) ||
		*m.ChairMemberID != chair.ID || !m.MinutesWrittenAt.Equal(at(24*60)) {
		t.Errorf("got %+v, want the fields of %+v", m, in)
	}
	if w.meeting.Mode != agenda.ModeMeeting || w.meeting.Code != "" {
		t.Errorf("got %+v, want mode meeting and no code by default", w.meeting)
	}
	m, err = s.UpdateMeeting(ctx, m.ID, set(func(in *agenda.MeetingInput) {
		in.StartedAt, in.EndedAt, in.Code = new(at(5)), new(at(80)), ""
	}))
	must(t, err)
	if !m.StartedAt.Equal(at(5)) || !m.EndedAt.Equal(at(80)) || m.Code != "" ||
		m.Title != "传签" {
		t.Errorf("got %+v, want it held from +5 to +80 min, without a code", m)
	}

	tests := []struct {
		name   string
		change func(*agenda.MeetingInput)
		fields []string
	}{
		{"planned end before start", func(in *agenda.MeetingInput) {
			in.PlannedEnd = new(at(-1))
		}, []string{"planned_end"}},
		{"ended before started", func(in *agenda.MeetingInput) {
			in.StartedAt, in.EndedAt = new(at(10)), new(at(9))
		}, []string{"ended_at"}},
		{"ended without a start", func(in *agenda.MeetingInput) {
			in.EndedAt = new(at(9))
		}, []string{"ended_at"}},
		{"bad code, mode and chair", func(in *agenda.MeetingInput) {
			in.Code, in.Mode, in.ChairMemberID = "a b", "video", new(int64(0))
		}, []string{"code", "mode", "chair_member_id"}},
		{"unknown body and chair", func(in *agenda.MeetingInput) {
			in.BodyID, in.ChairMemberID = 999999, new(int64(999998))
		}, []string{"body_id", "chair_member_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := agenda.MeetingInput{BodyID: w.body.ID, Title: "x", PlannedStart: at(0)}
			tt.change(&in)
			_, err := s.CreateMeeting(ctx, in)
			wantFields(t, err, tt.fields...)
		})
	}
	t.Run("years in China Standard Time", func(t *testing.T) {
		// The first minute of 1949 in China is 1948 in UTC, and the server's
		// zone may be either: once accepted, it stays so when read back for
		// an edit of another field.
		first := time.Date(agenda.FirstYear, time.January, 1, 0, 0, 0, 0, agenda.MeetingZone)
		early, err := s.CreateMeeting(ctx, agenda.MeetingInput{BodyID: w.body.ID,
			Title: "建国初", PlannedStart: first})
		must(t, err)
		_, err = s.UpdateMeeting(ctx, early.ID, set(func(in *agenda.MeetingInput) {
			in.Title = "建国初（改）"
		}))
		must(t, err)
		// 20:00 on the last day in UTC-8 is the next year in China.
		late := time.Date(agenda.LastYear, time.December, 31, 20, 0, 0, 0,
			time.FixedZone("", -8*60*60))
		_, err = s.UpdateMeeting(ctx, early.ID, set(func(in *agenda.MeetingInput) {
			in.PlannedEnd = &late
		}))
		wantFields(t, err, "planned_end")
		_, err = s.CreateMeeting(ctx, agenda.MeetingInput{BodyID: w.body.ID, Title: "x",
			PlannedStart: first.Add(-time.Minute).UTC()})
		wantFields(t, err, "planned_start")
	})
	t.Run("taken code", func(t *testing.T) {
		_, err := s.UpdateMeeting(ctx, m.ID, set(func(in *agenda.MeetingInput) {
			in.Code = "PC-1"
		}))
		must(t, err)
		_, err = s.UpdateMeeting(ctx, w.meeting.ID, set(func(in *agenda.MeetingInput) {
			in.Code = "PC-1"
		}))
		wantConflict(t, err, "code")
	})
	t.Run("filters", func(t *testing.T) {
		code, mode := "PC-1", agenda.ModeCirculation
		l, err := s.ListMeetings(ctx, agenda.MeetingFilter{Code: &code, Mode: &mode},
			agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != m.ID {
			t.Errorf("got %+v, want meeting %d", l.Items, m.ID)
		}
		d, err := s.GetMeetingDetail(ctx, m.ID)
		must(t, err)
		if !reflect.DeepEqual(d.Meeting, l.Items[0]) || d.Code != "PC-1" {
			t.Errorf("got detail %+v, want meeting %+v", d.Meeting, m)
		}
	})
}

func TestAgendaItemFields(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	approved := agenda.OutcomeApproved
	it, err := s.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: w.meeting.ID,
		Title: "议题二", Presenter: "财政所", Outcome: &approved, VotesFor: new(5),
		VotesAgainst: new(1), VotesAbstain: new(0)})
	must(t, err)
	if it.Seq != 2 || it.Presenter != "财政所" || *it.Outcome != approved ||
		*it.VotesFor != 5 || *it.VotesAgainst != 1 || *it.VotesAbstain != 0 {
		t.Errorf("got %+v, want item 2 with its presenter, outcome and votes", it)
	}
	it, err = s.UpdateAgendaItem(ctx, it.ID, set(func(in *agenda.AgendaItemInput) {
		in.Seq, in.Outcome, in.VotesFor = 3, nil, nil
	}))
	must(t, err)
	if it.Seq != 3 || it.Outcome != nil || it.VotesFor != nil || *it.VotesAgainst != 1 {
		t.Errorf("got %+v, want seq 3, outcome and votes for cleared, the rest kept", it)
	}

	t.Run("refuses", func(t *testing.T) {
		bad := agenda.Outcome("passed")
		_, err := s.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: w.meeting.ID,
			Title: "x", Outcome: &bad, VotesFor: new(-1), VotesAbstain: new(1 << 30)})
		wantFields(t, err, "outcome", "votes_for", "votes_abstain")
		_, err = s.UpdateAgendaItem(ctx, it.ID, set(func(in *agenda.AgendaItemInput) {
			in.Seq = 1
		}))
		wantConflict(t, err, "seq")
		_, err = s.UpdateAgendaItem(ctx, it.ID, set(func(in *agenda.AgendaItemInput) {
			in.Seq, in.MatterID = 0, new(int64(999999))
		}))
		wantFields(t, err, "seq", "matter_id")
		_, err = s.UpdateAgendaItem(ctx, it.ID, set(func(in *agenda.AgendaItemInput) {
			in.MatterID = new(int64(999999))
		}))
		wantFields(t, err, "matter_id")
		_, err = s.UpdateAgendaItem(ctx, 999999, nil)
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("across meetings", func(t *testing.T) {
		other := w.newMeeting(t, "第2次")
		_, err := s.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: other.ID,
			Title: "x", MatterID: &w.matter.ID, Outcome: &approved})
		must(t, err)
		l, err := s.FindAgendaItems(ctx, agenda.AgendaItemFilter{MatterID: &w.matter.ID,
			OrgUnitID: &w.unit.ID}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 2 {
			t.Errorf("got %+v, want the items of the matter in both meetings", l.Items)
		}
		from, to := at(-60), at(60)
		l, err = s.FindAgendaItems(ctx, agenda.AgendaItemFilter{MeetingID: &w.meeting.ID,
			Outcome: nil, PlannedFrom: &from, PlannedTo: &to}, agenda.Page{Limit: 1})
		must(t, err)
		if len(l.Items) != 1 || l.NextOffset != 1 || l.Items[0].IndexPoints == nil {
			t.Errorf("got %+v, want one item of the meeting and a next page", l)
		}
		l, err = s.FindAgendaItems(ctx, agenda.AgendaItemFilter{Outcome: &approved},
			agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].MeetingID != other.ID {
			t.Errorf("got %+v, want the approved item of meeting %d", l.Items, other.ID)
		}
	})
}

func TestUpdateDecision(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.store
	paid := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	in := agenda.DecisionInput{OrgUnitID: w.unit.ID, MatterID: w.matter.ID, Title: "工程款",
		Amount: new(agenda.Yuan(30000)), DecidedAt: at(60), Reference: "文1号",
		Payee: "某建筑公司", Project: "敬老院改造", RegisteredAt: new(at(120)),
		ContractAt: new(at(24 * 60)), PaidAt: &paid}
	d, err := s.CreateDecision(ctx, in)
	must(t, err)
	if d.Payee != in.Payee || d.Project != in.Project || !d.PaidAt.Equal(paid) ||
		!d.RegisteredAt.Equal(at(120)) || !d.ContractAt.Equal(at(24*60)) {
		t.Errorf("got %+v, want the fields of %+v", d, in)
	}
	second, err := s.CreateDecision(ctx, agenda.DecisionInput{OrgUnitID: w.unit.ID,
		MatterID: w.matter.ID, Title: "追加", DecidedAt: at(90), Reference: "文2号",
		Payee: in.Payee})
	must(t, err)
	d, err = s.UpdateDecision(ctx, d.ID, set(func(in *agenda.DecisionInput) {
		in.PaidAt, in.AgendaItemID = nil, &w.item.ID
	}))
	must(t, err)
	if d.PaidAt != nil || *d.AgendaItemID != w.item.ID || d.Payee != in.Payee {
		t.Errorf("got %+v, want paid_at cleared, linked, the rest kept", d)
	}
	t.Run("refuses", func(t *testing.T) {
		_, err := s.UpdateDecision(ctx, second.ID, set(func(in *agenda.DecisionInput) {
			in.Reference = "文1号"
		}))
		wantConflict(t, err, "reference")
		_, err = s.UpdateDecision(ctx, second.ID, set(func(in *agenda.DecisionInput) {
			in.MatterID, in.AgendaItemID, in.Payee = 999999, new(int64(999998)), " x"
		}))
		wantFields(t, err, "payee", "matter_id", "agenda_item_id")
		_, err = s.UpdateDecision(ctx, second.ID, set(func(in *agenda.DecisionInput) {
			in.MatterID, in.AgendaItemID = 999999, new(int64(999998))
		}))
		wantFields(t, err, "matter_id", "agenda_item_id")
	})
	t.Run("filters", func(t *testing.T) {
		l, err := s.ListDecisions(ctx, agenda.DecisionFilter{Payee: &in.Payee}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 2 {
			t.Errorf("got %+v, want both decisions of the payee", l.Items)
		}
		l, err = s.ListDecisions(ctx, agenda.DecisionFilter{Project: &in.Project,
			AgendaItemID: &w.item.ID}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != d.ID {
			t.Errorf("got %+v, want decision %d", l.Items, d.ID)
		}
	})
}
