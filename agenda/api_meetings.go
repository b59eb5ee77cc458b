package agenda

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/liuhen/liuhen/internal/httpjson"
)

// listMeetings lists meetings; a publish token sees only its own meeting.
func (a *API) listMeetings(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	filter := func(q *params) MeetingFilter {
		f := MeetingFilter{
			BodyID:      q.id("body_id"),
			OrgUnitID:   q.id("org_unit_id"),
			PlannedFrom: q.time("planned_from"),
			PlannedTo:   q.time("planned_to"),
			Code:        q.text("code"),
			Mode:        enumParam(q, "mode", MeetingModes),
		}
		if !p.ReadsEverything() {
			f.ID = &p.MeetingID
		}
		return f
	}
	listOf(a, filter, a.store.ListMeetings)(w, r)
}

// findAgendaItems lists agenda items across meetings; a publish token sees
// only its own meeting's, and asking for another meeting's is 403.
func (a *API) findAgendaItems(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if id, err := strconv.ParseInt(r.URL.Query().Get("meeting_id"), 10, 64); err == nil &&
		!canRead(w, r, id) {
		return
	}
	filter := func(q *params) AgendaItemFilter {
		f := AgendaItemFilter{
			MeetingID:   q.id("meeting_id"),
			MatterID:    q.id("matter_id"),
			OrgUnitID:   q.id("org_unit_id"),
			PlannedFrom: q.time("planned_from"),
			PlannedTo:   q.time("planned_to"),
			Outcome:     enumParam(q, "outcome", Outcomes),
		}
		if !p.ReadsEverything() {
			f.MeetingID = &p.MeetingID
		}
		return f
	}
	listOf(a, filter, a.store.FindAgendaItems)(w, r)
}

func (a *API) createMeeting(w http.ResponseWriter, r *http.Request) {
	createOf(a, a.store.CreateMeeting, Meeting.id, "/meetings/%d")(w, r)
}

// getMeeting answers a meeting with its body, agenda and recordings.
func (a *API) getMeeting(w http.ResponseWriter, r *http.Request) {
	id, rerr := pathID(r)
	if rerr != nil {
		writeRequestError(w, rerr)
		return
	}
	if !canRead(w, r, id) {
		return
	}
	d, err := a.store.GetMeetingDetail(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, d)
}

func (a *API) listAgendaItems(w http.ResponseWriter, r *http.Request) {
	id, rerr := pathID(r)
	if rerr != nil {
		writeRequestError(w, rerr)
		return
	}
	if rerr := newParams(r).done(); rerr != nil {
		writeRequestError(w, rerr) // the agenda of one meeting is short: no paging
		return
	}
	if !canRead(w, r, id) {
		return
	}
	items, err := a.store.ListAgendaItems(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, List[AgendaItem]{Items: items})
}

func (a *API) createAgendaItem(w http.ResponseWriter, r *http.Request) {
	id, rerr := pathID(r)
	if rerr != nil {
		writeRequestError(w, rerr)
		return
	}
	in := AgendaItemInput{MeetingID: id}
	if _, ok := a.decode(w, r, &in); !ok {
		return
	}
	it, err := a.store.CreateAgendaItem(r.Context(), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	created(w, r, it, "/agenda-items/%d", it.ID)
}

// agendaItem loads the agenda item in the path for a principal that may
// read (write false) or change (write true) its meeting. It answers and
// returns false when it cannot.
func (a *API) agendaItem(w http.ResponseWriter, r *http.Request, write bool) (AgendaItem, bool) {
	id, rerr := pathID(r)
	if rerr != nil {
		writeRequestError(w, rerr)
		return AgendaItem{}, false
	}
	it, err := a.store.GetAgendaItem(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return AgendaItem{}, false
	}
	if write {
		return it, canWrite(w, r, it.MeetingID)
	}
	return it, canRead(w, r, it.MeetingID)
}

func (a *API) getAgendaItem(w http.ResponseWriter, r *http.Request) {
	if it, ok := a.agendaItem(w, r, false); ok {
		httpjson.Write(w, http.StatusOK, it)
	}
}

// markRequest is the body of POST /agenda-items/{id}/marks.
type markRequest struct {
	Action string `json:"action"`
}

func (in markRequest) check() error {
	var fe fieldErrors
	if in.Action != MarkStart && in.Action != MarkEnd {
		fe.add("action", `must be "start" or "end"`)
	}
	return fe.err()
}

// markAgendaItem marks, at the time of the request, the start or end of the
// item's discussion in the meeting's open recording.
func (a *API) markAgendaItem(w http.ResponseWriter, r *http.Request) {
	it, ok := a.agendaItem(w, r, true)
	if !ok {
		return
	}
	var in markRequest
	if _, ok := a.decode(w, r, &in); !ok {
		return
	}
	if err := in.check(); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.store.Mark(r.Context(), it.ID, in.Action, time.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, p)
}

// indexPointRequest is the body of POST /agenda-items/{id}/index-points.
type indexPointRequest struct {
	RecordingID int64  `json:"recording_id"`
	StartMs     *int64 `json:"start_ms"`
	EndMs       *int64 `json:"end_ms"`
}

func (in indexPointRequest) check() error {
	var fe fieldErrors
	fe.checkID("recording_id", in.RecordingID)
	switch {
	case in.StartMs == nil:
		fe.add("start_ms", requiredText)
	case *in.StartMs < 0:
		fe.add("start_ms", "must not be negative")
	case *in.StartMs > MaxOffsetMs:
		fe.add("start_ms", fmt.Sprintf("must be at most %d (48 hours)", MaxOffsetMs))
	case in.EndMs != nil && *in.EndMs < *in.StartMs:
		fe.add("end_ms", "must not be before start_ms")
	case in.EndMs != nil && *in.EndMs > MaxOffsetMs:
		fe.add("end_ms", fmt.Sprintf("must be at most %d (48 hours)", MaxOffsetMs))
	}
	return fe.err()
}

func (a *API) addIndexPoint(w http.ResponseWriter, r *http.Request) {
	it, ok := a.agendaItem(w, r, true)
	if !ok {
		return
	}
	var in indexPointRequest
	if _, ok := a.decode(w, r, &in); !ok {
		return
	}
	if err := in.check(); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.store.AddIndexPoint(r.Context(), it.ID, in.RecordingID, *in.StartMs, in.EndMs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	created(w, r, p, "/agenda-items/%d", it.ID)
}

// tokenRequest is the body of POST /meetings/{id}/publish-tokens.
type tokenRequest struct {
	TTLHours *int `json:"ttl_hours"`
}

// Publish token lifetimes.
const (
	defaultTokenHours = 24
	maxTokenHours     = 24 * 30
)

func (in tokenRequest) check() error {
	var fe fieldErrors
	if in.TTLHours != nil && (*in.TTLHours < 1 || *in.TTLHours > maxTokenHours) {
		fe.add("ttl_hours", fmt.Sprintf("must be from 1 to %d", maxTokenHours))
	}
	return fe.err()
}

// tokenResponse tells a meeting room how to publish.
type tokenResponse struct {
	Token     string `json:"token"`
	MeetingID int64  `json:"meeting_id"`
	WHIPURL   string `json:"whip_url"`
	TTLHours  int    `json:"ttl_hours"`
}

// createPublishToken issues a publish token for the meeting. The body may
// be empty: the token then lasts a day.
func (a *API) createPublishToken(w http.ResponseWriter, r *http.Request) {
	id, rerr := pathID(r)
	if rerr != nil {
		writeRequestError(w, rerr)
		return
	}
	var in tokenRequest
	if r.ContentLength != 0 {
		if _, ok := a.decode(w, r, &in); !ok {
			return
		}
	}
	if err := in.check(); err != nil {
		a.fail(w, r, err)
		return
	}
	hours := defaultTokenHours
	if in.TTLHours != nil {
		hours = *in.TTLHours
	}
	token, err := a.store.CreatePublishToken(r.Context(), id, time.Duration(hours)*time.Hour)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // RFC 6749 §5.1: tokens are not cached
	httpjson.Write(w, http.StatusCreated, tokenResponse{Token: token, MeetingID: id,
		WHIPURL: fmt.Sprintf("/whip/%d", id), TTLHours: hours})
}
