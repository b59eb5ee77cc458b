package agenda

import (
	"context"
	"errors"
	"net/http"

	"github.com/liuhen/liuhen/internal/httpjson"
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
		httpjson.Write(w, http.StatusOK, l)
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
		httpjson.Write(w, http.StatusOK, v)
	}
}

// patcher is an input whose fields depend on each other: before a patch is
// decoded into it, it clears what the fields present will determine.
type patcher interface{ beforePatch(present map[string]bool) }

// patchOf serves a partial update of the record whose id is in the path:
// the fields of the JSON body replace the record's, the others stay, and
// null clears a field that may be empty. Fields of the wrong type or name
// are answered 400 together with every other bad field of the result.
func patchOf[In any, T any](a *API,
	store func(context.Context, int64, Patch[In]) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, rerr := pathID(r)
		if rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		fields, dups, rerr := readObject(w, r)
		if rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		var unreadable *requestError
		v, err := store(r.Context(), id, func(in *In) error {
			if p, ok := any(in).(patcher); ok {
				p.beforePatch(presentFields(fields))
			}
			fe := append(dups, decodeFields(fields, in)...)
			if len(fe) > 0 {
				unreadable = fieldsError(mergeChecks(fe, in))
				return unreadable
			}
			return nil
		})
		switch {
		case unreadable != nil && errors.Is(err, unreadable):
			writeRequestError(w, unreadable)
		case err != nil:
			a.fail(w, r, err)
		default:
			httpjson.Write(w, http.StatusOK, v)
		}
	}
}

// The ids of new records, for their Location.
func (u OrgUnit) id() int64     { return u.ID }
func (b Body) id() int64        { return b.ID }
func (m Matter) id() int64      { return m.ID }
func (m Meeting) id() int64     { return m.ID }
func (it AgendaItem) id() int64 { return it.ID }
func (d Decision) id() int64    { return d.ID }
func (m Member) id() int64      { return m.ID }
func (s BodySeat) id() int64    { return s.ID }

func orgUnitFilter(q *params) OrgUnitFilter {
	return OrgUnitFilter{ParentID: q.id("parent_id"), Level: enumParam(q, "level", Levels),
		Code: q.text("code")}
}

func bodyFilter(q *params) BodyFilter {
	return BodyFilter{OrgUnitID: q.id("org_unit_id"), Kind: enumParam(q, "kind", BodyKinds),
		Code: q.text("code")}
}

func memberFilter(q *params) MemberFilter {
	return MemberFilter{OrgUnitID: q.id("org_unit_id"), BodyID: q.id("body_id"),
		Code: q.text("code")}
}

func seatFilter(q *params) BodySeatFilter {
	return BodySeatFilter{BodyID: q.id("body_id"), MemberID: q.id("member_id"),
		OrgUnitID: q.id("org_unit_id"), On: q.date("on")}
}

func matterFilter(q *params) MatterFilter {
	return MatterFilter{OrgUnitID: q.id("org_unit_id"),
		Category: enumParam(q, "category", Categories), Code: q.text("code"),
		MajorClass: enumParam(q, "major_class", MajorClasses),
		BodyKind:   enumParam(q, "required_body_kind", BodyKinds)}
}

func decisionFilter(q *params) DecisionFilter {
	return DecisionFilter{
		OrgUnitID:    q.id("org_unit_id"),
		MatterID:     q.id("matter_id"),
		MeetingID:    q.id("meeting_id"),
		AgendaItemID: q.id("agenda_item_id"),
		Payee:        q.text("payee"),
		Project:      q.text("project"),
		DecidedFrom:  q.time("decided_from"),
		DecidedTo:    q.time("decided_to"),
	}
}
