// Package county generates a realistic sample county for demos, tests and
// benchmarks: its org units, meeting bodies, members and their seats, the
// procedure list of every unit, a year of meetings with agenda items,
// attendance, votes, recusals and statements, the recordings catalogue,
// and the decisions registered over the year, with a chosen share of each
// kind of violation planted among them. It writes with SQL and COPY only.
//
// # What it writes
//
// A county (县委常委会, 县政府常务会议) with departments (党组), townships
// (党委会, 政府常务会议, 人大主席团, 党政联席会议) and villages (村两委会议,
// 村民代表会议), each with its offices filled: a leader per body, some
// holders replaced during the year, so that seats (served_from, served_to)
// change. Procedure lists follow published township lists: 35 matters per
// township, 12 per department, village and county, sorted four ways
// (决策/落实/执行/其他), 三重一大 classes with thresholds (5万元 for large
// funds, 100万元 for projects and assets, 3000元 and 3万元 in villages),
// amounts summed per payee or project for some, and 四议两公开 in villages:
// two committees first, then the villagers' representatives decide.
//
// Decisions are dealt to units by weight. About half of those of a matter
// with a threshold stay under it; the rest, and all of matters without one,
// go to their deciding body's meetings, one to three per agenda item and
// three to nine items per meeting, with an earlier-step item at a meeting of
// the first body, a day or more before, for each matter of two steps; the
// deciding item's decisions are linked to it (decision_stages). A clean
// meeting is recorded
// (one finished recording, one track, contiguous segments), every item has
// an index point inside it, two thirds of the seated members attend and
// vote for, the leader speaks last, a recused member leaves, decisions are
// dated after their item and registered within five days, and minutes are
// written within three days.
//
// The segments' objects are not uploaded: their SHA-256 is made up and
// their size follows a bitrate. A verifier that checks the evidence store
// (RECORDING_TAMPERED) would report every one of them missing, so
// benchmarks and tests run the SQL rules only.
//
// # Planted violations
//
// Options.Shares gives each kind's share of the decisions; Result.Planted
// counts the decisions planted, per kind, and Result.Decisions lists them.
// Each planted decision carries one fault, and nothing else is wrong with
// it, except that a circulation has no recording (see Result.Expected):
//
//   - NO_MEETING: a decision that needs a meeting, linked to no item.
//   - WRONG_BODY: linked to an item of a body of another kind (variant
//     kind: the government for the party committee and back), of the
//     joint party-government meeting for a party-committee matter (joint),
//     of the first body only of a two-step matter (skip), or decided by
//     circulation for signature (传签), a meetings row of mode
//     'circulation' of the right body, with no attendance, votes,
//     statements or recording. Rules about quorum, votes and statements
//     should skip circulations, which are no meetings.
//   - STAGE_SKIPPED: an item deciding a matter of two steps (a village's
//     two committees, then its representatives; a township's government,
//     then its presidium) whose decisions are linked to no earlier-step
//     item, none having been held (missing), or to one held a day or more
//     after the deciding meeting (late). Counties and departments have no
//     such matter: a block dealt to one goes to the next unit that has.
//   - DECIDED_BEFORE_MEETING: decided 3 hours to 10 days before its
//     meeting started; its contract or payment, if any, may come before
//     the meeting too.
//   - NO_QUORUM: its meeting had no more than half of the seated members
//     present; the minutes keep no vote count.
//   - VOTE_SHORT: its item was approved with no more than half of those
//     who voted for it.
//   - NO_RECORDING: its meeting has no recording.
//   - RECORDING_INTERRUPTED: its meeting's first recording ended
//     interrupted after a few minutes; a second one recorded every item.
//   - ITEM_NOT_COVERED: its item has no index point (variant no-index), or
//     the recording paused for two to four minutes during the item (never
//     more than half of it), so that no segment covers that stretch of its
//     index point (paused).
//   - SPLIT_SPENDING: two to five payments of one matter whose amounts are
//     summed, to one payee (and project), within 80 days, each under the
//     threshold and together over it, none at a meeting. Every other
//     decision of a unit has a payee and project of its own.
//   - BACKDATED: registered 40 to 120 days after it was decided
//     (registered), or its meeting's minutes were written 40 to 120 days
//     after the meeting (minutes). Clean lags stay under five days.
//   - RECUSAL_MISSED: a member the item's recusal row names took part.
//   - LEADER_NOT_LAST: the body's leader spoke first on the item.
//
// Faults of a meeting or an item are planted on meetings or items whose
// every decision is counted, so the counts are exact. Quorum and votes are
// counted against the members seated on the meeting's day: clean meetings
// pass the two-thirds rules whether they count seated or present members,
// and planted ones fail the more-than-half rules either way.
//
// # Size and safety
//
// Generate locks the tables it writes against other writers, hands out
// their ids itself, and copies rows in batches of about 100,000 on one
// goroutine while the next batch is made on another, all in one
// transaction: it writes the whole county or nothing. It refuses a county
// code the database already holds. The same options and seed give the
// same rows in a database whose sequences start at the same values.
//
// Checking foreign keys row by row is most of the cost of the copy. A role
// that may set session_replication_role (a superuser, as `make services`
// makes) lets Generate switch PostgreSQL's row triggers off for its own
// transaction and check every foreign key of the rows it wrote with one
// query per key before it commits (Result.KeysCheckedAtEnd); any other
// role gets the row triggers, the same rows, and a slower run.
package county
