package agenda

import (
	"context"
	"net/http"
)

// listOf serves a paged listing whose filter filter reads from the query.
func listOf[F, T any](a *API, filter func(*params) F,
	fetch func(context.Context, F, Page) (List[T], error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := newParams(r)
		f, p := filter(q), q.page()
		if rerr := q.done(); rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		l, err := fetch(r.Context(), f, p)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, l)
	}
}

// createOf serves the creation of a record from a JSON input; location is
// the new record's path with a %d for its id.
func createOf[In any, T any](a *API, store func(context.Context, In) (T, error),
	id func(T) int64, location string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if _, ok := a.decode(w, r, &in); !ok {
			return
		}
		v, err := store(r.Context(), in)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		created(w, r, v, location, id(v))
	}
}

// getOf serves one record by the id in the path.
func getOf[T any](a *API, fetch func(context.Context, int64) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, rerr := pathID(r)
		if rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		v, err := fetch(r.Context(), id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// The ids of new records, for their Location.
func (u OrgUnit) id() int64     { return u.ID }
func (b Body) id() int64        { return b.ID }
func (m Matter) id() int64      { return m.ID }
func (m Meeting) id() int64     { return m.ID }
func (it AgendaItem) id() int64 { return it.ID }
func (d Decision) id() int64    { return d.ID }

func orgUnitFilter(q *params) OrgUnitFilter {
	return OrgUnitFilter{ParentID: q.id("parent_id"), Level: enumParam(q, "level", Levels)}
}

func bodyFilter(q *params) BodyFilter {
	return BodyFilter{OrgUnitID: q.id("org_unit_id"), Kind: enumParam(q, "kind", BodyKinds)}
}

func matterFilter(q *params) MatterFilter {
	return MatterFilter{OrgUnitID: q.id("org_unit_id"),
		Category: enumParam(q, "category", Categories)}
}

func decisionFilter(q *params) DecisionFilter {
	return DecisionFilter{
		OrgUnitID:   q.id("org_unit_id"),
		MatterID:    q.id("matter_id"),
		MeetingID:   q.id("meeting_id"),
		DecidedFrom: q.time("decided_from"),
		DecidedTo:   q.time("decided_to"),
	}
}

// linkRequest is the body of PATCH /decisions/{id}.
type linkRequest struct {
	AgendaItemID *int64 `json:"agenda_item_id"`
}

func (in linkRequest) check() error {
	var fe fieldErrors
	fe.checkOptionalID("agenda_item_id", in.AgendaItemID)
	return fe.err()
}

// linkDecision links a decision to an agenda item, or unlinks it with
// {"agenda_item_id": null}.
func (a *API) linkDecision(w http.ResponseWriter, r *http.Request) {
	id, rerr := pathID(r)
	if rerr != nil {
		writeRequestError(w, rerr)
		return
	}
	var in linkRequest
	present, ok := a.decode(w, r, &in)
	if !ok {
		return
	}
	if !present["agenda_item_id"] {
		var fe fieldErrors
		fe.add("agenda_item_id", "is required: an agenda item id, or null to unlink")
		a.fail(w, r, fe.err())
		return
	}
	d, err := a.store.LinkDecision(r.Context(), id, in.AgendaItemID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
