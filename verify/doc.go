// Package verify checks registered decisions against the procedure list and
// the recorded evidence, and reports what it finds as table, JSON or CSV.
//
// A decision needs a meeting when its matter names a required body kind
// and either has no amount threshold or the decision's amount is at or
// over it; a decision without a registered amount under a matter with a
// threshold needs one too, since nothing shows it stayed below. Decisions
// that need no meeting pass without further checks.
//
// For a decision that needs a meeting, each rule is one set-based query
// over the decisions in scope (Options.Unit with its sub-units, and the
// period [From, To) of decided_at), read in one database snapshot:
//
//   - NO_MEETING (high): no linked agenda item. The other rules need that
//     link, so they stay quiet.
//   - WRONG_BODY (high): the item's meeting was held by a body of another
//     kind than the matter requires, or by a body of another org unit than
//     the decision's.
//   - DECIDED_BEFORE_MEETING: decided_at before the meeting's started_at
//     (high) or, when it never started, its planned_start (medium); low when
//     decided_at is 00:00 on the meeting's day, which is how a decision
//     registered with a date only looks.
//   - NO_RECORDING (high): the meeting has no recording in state finished.
//   - RECORDING_INTERRUPTED (medium): one finding per interrupted recording
//     of the meeting, even when another recording finished: a stretch of the
//     meeting is then not on record. Whether the item itself is on record is
//     ITEM_NOT_COVERED's question, and a meeting with nothing finished is
//     NO_RECORDING's.
//   - ITEM_NOT_COVERED (high): the item has no index point, or one of its
//     index points lies in a recording of another meeting, in a recording
//     without segments, or outside the union of its recording's segment
//     media ranges (segments less than a second apart count as joined; an
//     open index point needs only its start covered). Quiet when the meeting
//     has no recording at all: NO_RECORDING says it.
//   - RECORDING_TAMPERED (high): for every recording of the meeting that is
//     no longer being recorded, a hole in a track's segment numbers (which
//     must run 0, 1, 2, …), or a segment whose object is missing, has
//     another size, or, with Options.Rehash, other bytes than its SHA-256.
//     Objects are checked through an ObjectChecker, a few at a time.
//
// When the matter has must_record false, NO_RECORDING, RECORDING_INTERRUPTED
// and ITEM_NOT_COVERED do not apply; RECORDING_TAMPERED still does, as a
// recording that exists is evidence and must be intact.
//
// Handler serves the same report over HTTP.
package verify
