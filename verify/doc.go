// Package verify checks registered decisions against the procedure list and
// the recorded evidence, and reports what it finds as table, JSON or CSV.
//
// A decision needs a meeting when its matter names a required body kind
// and either has no amount threshold or the decision's amount is at or
// over it; a decision without a registered amount under a matter with a
// threshold needs one too, since nothing shows it stayed below. Decisions
// that need no meeting are checked only by SPLIT_SPENDING and by the
// registration half of BACKDATED.
//
// Each rule is one set-based query (two for some) over the decisions in
// scope (Options.Unit with its sub-units, the period [From, To) of
// decided_at, and Options.Meeting: the decisions linked to one meeting's
// agenda items), all read in one database snapshot. "The meeting" is the one
// holding the agenda item the decision is linked to; "the meeting's day" is
// the date of its start (else its planned start) in the server's zone, and
// "the members who should attend" are those whose seat on the meeting's
// body (body_members) spans that day.
//
//   - NO_MEETING (high): no linked agenda item. The rules below that look
//     at the meeting need that link, so they stay quiet.
//   - SPLIT_SPENDING (high, 化整为零): for a matter whose amount_basis is
//     project or payee, two or more decisions of one unit and matter for the
//     same project (or payee), each under the threshold, none decided at a
//     meeting of the required body of that unit, taken within
//     split_window_days of the first, that together reach the threshold.
//     Every decision of such a window that lies in scope gets a finding
//     naming all of them; parts outside the period count too.
//   - WRONG_BODY (high): the meeting was held by a body of another kind
//     than the matter requires (said apart for a joint party and government
//     meeting standing in for another kind, and for a body of an earlier
//     stage of required_body_kinds), by a body of another org unit, or in
//     mode circulation: a paper passed round for signature (传签) is no
//     meeting whatever the body.
//   - STAGE_SKIPPED: for a matter whose required_body_kinds names several
//     kinds, and a meeting held by a body of the deciding (last) kind, each
//     earlier kind must have one of the decision's earlier-stage items
//     (decision_stages) at a meeting (not a circulation) of a body of that
//     kind of the decision's unit, held (started, else planned) before the
//     deciding meeting. One finding per earlier kind without such an item
//     (high), naming the linked items that count for no stage and why; its
//     evidence is the deciding item. When the kind's items were all held at
//     or after the deciding meeting, high too, pointing at the first of
//     them; when the kind's items held before it all came before every one
//     of the previous kind's, the stages are out of order (medium). A
//     meeting of another kind is WRONG_BODY's, and this rule stays quiet.
//   - NO_QUORUM: for a meeting in mode meeting whose body has seats on the
//     meeting's day, fewer of those members present than the matter's
//     quorum_rule asks (more than half, or at least two thirds) (high);
//     members present without a seat do not count. When the body has seats
//     but the meeting has no attendance rows at all, quorum cannot be shown:
//     a low finding says the attendance list is missing. When the body's
//     seats are not known, the rule is quiet.
//   - VOTE_SHORT (high): where the item's votes are kept (votes_for not
//     NULL), votes for are not more than half (or under two thirds, per
//     vote_rule) of the members who should attend; when the seats are not
//     known, of the votes cast, which can only be fewer.
//   - RECUSAL_MISSED (high): where the matter's recusal_applies, a member
//     recused from the item who took part (took_part) or whose statement on
//     the item the minutes record. One finding per member.
//   - LEADER_NOT_LAST (medium): where the matter's leader_speaks_last and
//     the item's statements are kept, the last statement is not the body
//     leader's (the seat with role leader on the meeting's day). Quiet when
//     no leader seat is known or the attendance shows the leader absent.
//   - DECIDED_BEFORE_MEETING: decided_at, contract_at or paid_at (one
//     finding each) before the meeting's started_at (high) or, when it never
//     started, its planned_start (medium); low when the time is 00:00 on the
//     meeting's day, which is how a date registered without a time looks.
//   - BACKDATED (medium): registered_at more than Options.BackdateDays
//     (default 30) after decided_at, for any decision in scope; or the
//     meeting's minutes_written_at more than that after the meeting ended
//     (else its planned end, its start or its planned start).
//   - NO_RECORDING: the meeting has no recording in state finished with
//     segments (high); or, for a meeting with a start and an end, the
//     segments of its closed recordings cover, on the wall clock, less than
//     minRecordedShare (half) of that span (medium).
//   - RECORDING_INTERRUPTED (medium): one finding per interrupted recording
//     of the meeting, even when another recording finished; and one per
//     closed recording that lost media (segment_gaps) for longer than
//     gapToleranceMS (3 s) where no other track of it has media, listing
//     each stretch with its kind and segment keys. Whether the item itself
//     is on record is ITEM_NOT_COVERED's question, and a meeting with
//     nothing finished is NO_RECORDING's.
//   - ITEM_NOT_COVERED (high): the item has no index point, or one of its
//     index points lies in a recording of another meeting, in a recording
//     without segments, or outside the union of its recording's segment
//     media ranges (segments less than a second apart count as joined; an
//     open index point needs only its start covered), or its stretch falls
//     in a gap longer than 3 s that no other track covers (the finding says
//     which part and which segments). Quiet when the meeting has no
//     recording at all: NO_RECORDING says it.
//   - RECORDING_TAMPERED (high): for every recording of the meeting that is
//     no longer being recorded, a hole in a track's segment numbers (which
//     must run 0, 1, 2, …), or a segment whose object is missing, has
//     another size, or, with Options.Rehash, other bytes than its SHA-256.
//     Objects are checked through an ObjectChecker, a few at a time, after
//     the snapshot is closed.
//
// When the matter has must_record false, NO_RECORDING, RECORDING_INTERRUPTED
// and ITEM_NOT_COVERED do not apply; RECORDING_TAMPERED still does, as a
// recording that exists is evidence and must be intact.
//
// Options.Progress hears of each rule as it finishes. Handler serves the
// same report over HTTP.
package verify
