// Package inspect serves what inspectors (纪检监察, auditors) need: a search
// of agenda items by the text of their titles, matters, meetings and
// decisions, with filters; the data of the watch page, which plays the
// stretch of a recording an item was discussed in; inspector tokens, which
// read everything and change nothing; and the audit log of every search,
// watch, view and export.
//
// It reads the agenda tables with SQL and keeps its own: search_items,
// inspector_tokens and audit_log (migration 00010 of package agenda).
//
// # Search
//
// search_items holds one row per agenda item, kept by statement triggers on
// the agenda tables: the item's text (title, matter name, meeting title and
// decision titles, one a line), its meeting's time, and an array of integer
// keys with one GIN index: a key per pair of adjacent characters of the
// text (a 31-bit hash), -id of the item's unit and of every unit above it,
// and a key per body kind, matter category and 三重一大 class. A query's
// filters, and a two-character text, become keys the row must contain, so
// that one index scan answers them together, and a filter by unit includes
// the units below it without a recursive query.
//
// Text matches by substring, ignoring case: doc is kept in lower case and
// matched with LIKE, which costs less than ILIKE on Chinese text. Chinese
// has no spaces, so 道路 must find 村道路硬化工程: a text of three
// characters or more is looked up in the trigram index of pg_trgm; one of
// two characters has no trigram of its own and is looked up by its bigram
// key instead, the LIKE only rechecking it. When nothing contains a text
// of three characters or more, the items most similar to it (pg_trgm's
// word_similarity, at least 0.5) are listed instead, marked so.
//
// Each search runs two queries at once: the page, planned for its own
// parameters (a common word walks the time index, a rare one scans the
// text index; sequential scans are kept off, since the planner takes a
// LIKE on Chinese text for almost free), and the count. The count looks
// rows up by the text's bigram keys, which cost little to check, rechecks
// the LIKE on those only, and stops at CountLimit: past it the count says
// "at least", since counting every match of a common word would cost more
// than finding the page.
//
// # Findings
//
// The has_findings filter reads the findings table that the sweeps of
// verify/alert keep (`liuhen serve` sweeps at start and every
// LIUHEN_ALERT_SWEEP): an item has findings when one of its decisions has
// a finding that is open or acknowledged (FindingStates); resolved ones,
// by the verifier or by hand, do not count. It is a semi-join on the
// decisions' agenda items and a partial index of the findings that still
// stand, so it costs milliseconds at any size, and the result says which
// sweep it is as of (FindingsBasis): changes committed after that sweep
// began are judged by the next one, and a decision written since (its
// decisions.updated_at, kept by triggers on its row and its earlier
// stages) is marked NotYetChecked, with
// its item. Before any sweep has completed the
// filter is refused with ErrNotSwept (503) rather than answered "no
// findings". The watch page runs the verifier itself, every rule, over the
// decisions of its meeting alone (verify.Options.Meeting).
package inspect
