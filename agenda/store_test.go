package agenda_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

func TestCreateOrgUnit(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	village, err := w.store.CreateOrgUnit(ctx, agenda.OrgUnitInput{
		Code: "v1", Name: "一村", Level: agenda.LevelVillage, ParentID: &w.unit.ID})
	must(t, err)
	got, err := w.store.GetOrgUnit(ctx, village.ID)
	must(t, err)
	if got.Name != "一村" || got.ParentID == nil || *got.ParentID != w.unit.ID {
		t.Errorf("got %+v, want village 一村 under unit %d", got, w.unit.ID)
	}

	tests := []struct {
		name   string
		in     agenda.OrgUnitInput
		fields []string
	}{
		{"empty", agenda.OrgUnitInput{}, []string{"code", "name", "level"}},
		{"bad code and level", agenda.OrgUnitInput{Code: "a b", Name: "x", Level: "city"},
			[]string{"code", "level"}},
		{"padded name", agenda.OrgUnitInput{Code: "x", Name: " x", Level: agenda.LevelCounty},
			[]string{"name"}},
		{"NUL in name", agenda.OrgUnitInput{Code: "x", Name: "a\x00b", Level: agenda.LevelCounty},
			[]string{"name"}},
		{"negative parent", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelVillage, ParentID: new(int64(-1))}, []string{"parent_id"}},
		{"unknown parent", agenda.OrgUnitInput{Code: "x", Name: "x",
			Level: agenda.LevelVillage, ParentID: new(int64(999999))}, []string{"parent_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.store.CreateOrgUnit(ctx, tt.in)
			wantFields(t, err, tt.fields...)
		})
	}
	t.Run("duplicate code", func(t *testing.T) {
		_, err := w.store.CreateOrgUnit(ctx, agenda.OrgUnitInput{
			Code: "v1", Name: "二村", Level: agenda.LevelVillage})
		var ce *agenda.ConflictError
		if !errors.As(err, &ce) || ce.Field != "code" || !errors.Is(err, agenda.ErrConflict) {
			t.Errorf("got %v, want a conflict on code", err)
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		_, err := w.store.GetOrgUnit(ctx, 999999)
		wantIs(t, err, agenda.ErrNotFound)
	})
}

func TestCreateBodyAndMatterRefuse(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	t.Run("body fields", func(t *testing.T) {
		_, err := w.store.CreateBody(ctx, agenda.BodyInput{Code: "-x", Kind: "board"})
		wantFields(t, err, "org_unit_id", "code", "name", "kind")
	})
	t.Run("body unknown unit", func(t *testing.T) {
		_, err := w.store.CreateBody(ctx, agenda.BodyInput{OrgUnitID: 999999, Code: "b",
			Name: "b", Kind: agenda.BodyPartyGroup})
		wantFields(t, err, "org_unit_id")
	})
	t.Run("body duplicate", func(t *testing.T) {
		_, err := w.store.CreateBody(ctx, agenda.BodyInput{OrgUnitID: w.unit.ID, Code: "t1-pc",
			Name: "b", Kind: agenda.BodyPartyGroup})
		wantIs(t, err, agenda.ErrConflict)
	})
	t.Run("matter fields", func(t *testing.T) {
		kind := agenda.BodyKind("chief")
		_, err := w.store.CreateMatter(ctx, agenda.MatterInput{OrgUnitID: w.unit.ID,
			Code: "M", Name: "m", Category: "major", RequiredBodyKind: &kind,
			AmountThreshold: new(agenda.Amount(-1))})
		wantFields(t, err, "category", "required_body_kind", "amount_threshold")
	})
	t.Run("threshold without body", func(t *testing.T) {
		_, err := w.store.CreateMatter(ctx, agenda.MatterInput{OrgUnitID: w.unit.ID,
			Code: "M", Name: "m", Category: agenda.CategoryOther,
			AmountThreshold: new(agenda.Yuan(1))})
		wantFields(t, err, "amount_threshold")
	})
	t.Run("matter round trip", func(t *testing.T) {
		got, err := w.store.GetMatter(ctx, w.matter.ID)
		must(t, err)
		if got.AmountThreshold == nil || *got.AmountThreshold != agenda.Yuan(50000) ||
			!got.MustRecord || *got.RequiredBodyKind != agenda.BodyPartyCommittee {
			t.Errorf("got %+v, want threshold 50000, must record, party committee", got)
		}
	})
}

func TestListPaging(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, code := range []string{"a", "b", "c", "d"} {
		_, err := w.store.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: code, Name: code,
			Level: agenda.LevelVillage, ParentID: &w.unit.ID})
		must(t, err)
	}
	parent := w.unit.ID
	f := agenda.OrgUnitFilter{ParentID: &parent}
	var codes []string
	offset, pages := 0, 0
	for {
		l, err := w.store.ListOrgUnits(ctx, f, agenda.Page{Limit: 3, Offset: offset})
		must(t, err)
		for _, u := range l.Items {
			codes = append(codes, u.Code)
		}
		pages++
		if l.NextOffset == 0 {
			break
		}
		offset = l.NextOffset
	}
	if got, want := len(codes), 4; got != want || pages != 2 {
		t.Errorf("got %v in %d pages, want %d units in 2 pages", codes, pages, want)
	}
	level := agenda.LevelTownship
	l, err := w.store.ListOrgUnits(ctx, agenda.OrgUnitFilter{Level: &level}, agenda.Page{})
	must(t, err)
	if len(l.Items) != 1 || l.Items[0].ID != w.unit.ID {
		t.Errorf("got %+v, want only the township", l.Items)
	}
	_, err = w.store.ListOrgUnits(ctx, f, agenda.Page{Limit: agenda.MaxLimit + 1, Offset: -1})
	wantFields(t, err, "limit", "offset")
}

func TestDecisions(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := agenda.DecisionInput{OrgUnitID: w.unit.ID, MatterID: w.matter.ID, Title: "拨款",
		Amount: new(agenda.Amount(8000050)), DecidedAt: at(60), Reference: "文1号"}
	d1, err := w.store.CreateDecision(ctx, in)
	must(t, err)
	if d1.Amount == nil || *d1.Amount != 8000050 || d1.AgendaItemID != nil {
		t.Errorf("got %+v, want amount 80000.50 and no agenda item", d1)
	}
	in.DecidedAt, in.Amount = at(60*24*3), nil
	_, err = w.store.CreateDecision(ctx, in)
	wantIs(t, err, agenda.ErrConflict) // a source's number is registered once per unit
	in.Reference = "文2号"
	_, err = w.store.CreateDecision(ctx, in)
	must(t, err)

	t.Run("link and unlink", func(t *testing.T) {
		d, err := w.store.LinkDecision(ctx, d1.ID, &w.item.ID)
		must(t, err)
		if d.AgendaItemID == nil || *d.AgendaItemID != w.item.ID {
			t.Errorf("got agenda item %v, want %d", d.AgendaItemID, w.item.ID)
		}
		l, err := w.store.ListDecisions(ctx, agenda.DecisionFilter{MeetingID: &w.meeting.ID},
			agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != d1.ID {
			t.Errorf("got %+v, want decision %d of the meeting", l.Items, d1.ID)
		}
		d, err = w.store.LinkDecision(ctx, d1.ID, nil)
		must(t, err)
		if d.AgendaItemID != nil {
			t.Errorf("got agenda item %d, want none", *d.AgendaItemID)
		}
	})
	t.Run("link refuses", func(t *testing.T) {
		_, err := w.store.LinkDecision(ctx, d1.ID, new(int64(999999)))
		wantFields(t, err, "agenda_item_id")
		_, err = w.store.LinkDecision(ctx, 999999, &w.item.ID)
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("date range", func(t *testing.T) {
		from, to := at(0), at(60*24)
		l, err := w.store.ListDecisions(ctx, agenda.DecisionFilter{DecidedFrom: &from,
			DecidedTo: &to, MatterID: &w.matter.ID, OrgUnitID: &w.unit.ID}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != d1.ID {
			t.Errorf("got %+v, want only decision %d", l.Items, d1.ID)
		}
	})
	t.Run("every missing reference", func(t *testing.T) {
		_, err := w.store.CreateDecision(ctx, agenda.DecisionInput{OrgUnitID: 999999,
			MatterID: 999998, Title: "x", DecidedAt: at(0), AgendaItemID: new(int64(999997))})
		wantFields(t, err, "org_unit_id", "matter_id", "agenda_item_id")
	})
	t.Run("bad fields", func(t *testing.T) {
		_, err := w.store.CreateDecision(ctx, agenda.DecisionInput{
			Amount: new(agenda.Amount(-5)), AgendaItemID: new(int64(0))})
		wantFields(t, err, "org_unit_id", "matter_id", "title", "amount", "decided_at",
			"agenda_item_id")
	})
}

func TestMeetingsAndAgenda(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	second, err := w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
		MeetingID: w.meeting.ID, Title: "议题二"})
	must(t, err)
	if second.Seq != 2 {
		t.Errorf("got seq %d, want 2 appended", second.Seq)
	}
	t.Run("taken seq", func(t *testing.T) {
		_, err := w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
			MeetingID: w.meeting.ID, Seq: 2, Title: "x"})
		wantIs(t, err, agenda.ErrConflict)
	})
	t.Run("unknown meeting", func(t *testing.T) {
		_, err := w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
			MeetingID: 999999, Title: "x"})
		wantIs(t, err, agenda.ErrNotFound)
		_, err = w.store.ListAgendaItems(ctx, 999999)
		wantIs(t, err, agenda.ErrNotFound)
		_, err = w.store.GetMeetingDetail(ctx, 999999)
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("bad item", func(t *testing.T) {
		_, err := w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
			MeetingID: w.meeting.ID, Seq: 100000, MatterID: new(int64(-3))})
		wantFields(t, err, "seq", "title", "matter_id")
		_, err = w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
			MeetingID: w.meeting.ID, Title: "x", MatterID: new(int64(999999))})
		wantFields(t, err, "matter_id")
	})
	t.Run("bad meeting", func(t *testing.T) {
		_, err := w.store.CreateMeeting(ctx, agenda.MeetingInput{})
		wantFields(t, err, "body_id", "title", "planned_start")
		_, err = w.store.CreateMeeting(ctx, agenda.MeetingInput{BodyID: 999999, Title: "x",
			PlannedStart: at(0)})
		wantFields(t, err, "body_id")
	})
	t.Run("detail", func(t *testing.T) {
		d, err := w.store.GetMeetingDetail(ctx, w.meeting.ID)
		must(t, err)
		if d.Body.Kind != agenda.BodyPartyCommittee || len(d.AgendaItems) != 2 ||
			len(d.Recordings) != 0 {
			t.Errorf("got %+v, want the party committee, 2 items and no recording", d)
		}
	})
	t.Run("filters", func(t *testing.T) {
		later := w.newMeeting(t, "第2次")
		from := at(-1)
		to := at(1)
		l, err := w.store.ListMeetings(ctx, agenda.MeetingFilter{BodyID: &w.body.ID,
			OrgUnitID: &w.unit.ID, PlannedFrom: &from, PlannedTo: &to}, agenda.Page{Limit: 1})
		must(t, err)
		if len(l.Items) != 1 || l.NextOffset != 1 {
			t.Errorf("got %+v, want one meeting and a next page", l)
		}
		l, err = w.store.ListMeetings(ctx, agenda.MeetingFilter{ID: &later.ID}, agenda.Page{})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != later.ID {
			t.Errorf("got %+v, want meeting %d only", l.Items, later.ID)
		}
		ok, err := w.store.MeetingExists(ctx, later.ID+1000)
		must(t, err)
		if ok {
			t.Error("got true for an unknown meeting, want false")
		}
	})
}

func TestPublishTokens(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	token, err := w.store.CreatePublishToken(ctx, w.meeting.ID, time.Hour)
	must(t, err)
	if len(token) != 43 {
		t.Errorf("got token of %d characters, want 43 (32 bytes base64url)", len(token))
	}
	id, err := w.store.PublishTokenMeeting(ctx, token)
	must(t, err)
	if id != w.meeting.ID {
		t.Errorf("got meeting %d, want %d", id, w.meeting.ID)
	}
	short, err := w.store.CreatePublishToken(ctx, w.meeting.ID, time.Millisecond)
	must(t, err)
	time.Sleep(20 * time.Millisecond)
	tests := []struct {
		name  string
		token string
	}{
		{"expired", short},
		{"unknown", "nope"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.store.PublishTokenMeeting(ctx, tt.token)
			wantIs(t, err, agenda.ErrUnknownToken)
		})
	}
	t.Run("unknown meeting", func(t *testing.T) {
		_, err := w.store.CreatePublishToken(ctx, 999999, time.Hour)
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("zero ttl", func(t *testing.T) {
		_, err := w.store.CreatePublishToken(ctx, w.meeting.ID, 0)
		wantFields(t, err, "ttl")
	})
}
