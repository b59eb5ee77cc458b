package inspect

import "time"

// CountLimit bounds how many matches a search counts: Result.Total is
// exact up to it and says "at least CountLimit" past it.
const CountLimit = 1000

// How a result matched its query's text.
const (
	MatchContains = "contains" // the text is in the item's title, matter, meeting or decisions
	MatchSimilar  = "similar"  // nothing contains it; these are the most similar items
	MatchAll      = "all"      // the query had no text
)

// Recording states of a result, beside those of a recording.
const (
	RecordingNone       = "none"        // the meeting has no recording
	RecordingNotIndexed = "not_indexed" // recorded, but the item has no index point
)

// Result is one page of a search.
type Result struct {
	Query Query `json:"query"`
	// Total counts the matches, exactly when TotalExact, else at least
	// that many (up to CountLimit are counted; similar items only as far
	// as the page goes).
	Total      int    `json:"total"`
	TotalExact bool   `json:"total_exact"`
	Match      string `json:"match"`
	Items      []Item `json:"items"`
	// Findings says what has_findings was answered from (when the query
	// has it): the states counted and the sweep the findings are as of.
	Findings *FindingsBasis `json:"findings,omitempty"`
}

// Item is an agenda item found by a search, with what an inspector needs
// to judge whether to watch it.
type Item struct {
	AgendaItem ItemRef    `json:"agenda_item"`
	Meeting    MeetingRef `json:"meeting"`
	Body       BodyRef    `json:"body"`
	Unit       UnitRef    `json:"unit"`
	Matter     *MatterRef `json:"matter"`
	// HeldAt is when the meeting started, or was planned to when it never
	// started; results are sorted by it, newest first.
	HeldAt    time.Time     `json:"held_at"`
	Decisions []DecisionRef `json:"decisions"`
	// RecordingState is the state of the recording of the item's first
	// index point, or RecordingNotIndexed, or RecordingNone.
	RecordingState string         `json:"recording_state"`
	Recordings     []RecordingRef `json:"recordings"`
	IndexPoints    []IndexPoint   `json:"index_points"`
	// Matched names the texts that contain the query: title, matter,
	// meeting, decision.
	Matched []string `json:"matched"`
	// Similarity is pg_trgm's word_similarity of the query to the item's
	// text, for a MatchSimilar result.
	Similarity float64 `json:"similarity,omitempty"`
	// WatchURL is the page that plays the item's stretch of the recording.
	WatchURL string `json:"watch_url"`
	// NotYetChecked says that one of the item's decisions is: its findings
	// are as the last sweep left them, before that decision changed.
	NotYetChecked bool `json:"not_yet_checked,omitempty"`
}

// ItemRef is an agenda item.
type ItemRef struct {
	ID    int64  `json:"id"`
	Seq   int    `json:"seq"`
	Title string `json:"title"`
}

// MeetingRef is a meeting.
type MeetingRef struct {
	ID           int64      `json:"id"`
	Title        string     `json:"title"`
	PlannedStart time.Time  `json:"planned_start"`
	StartedAt    *time.Time `json:"started_at"`
	EndedAt      *time.Time `json:"ended_at"`
}

// BodyRef is a meeting body.
type BodyRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// UnitRef is an org unit.
type UnitRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// MatterRef is a matter of the procedure list.
type MatterRef struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	MajorClass string `json:"major_class"`
}

// DecisionRef is a decision linked to an agenda item.
type DecisionRef struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	DecidedAt time.Time `json:"decided_at"`
	Reference string    `json:"reference"`
	// ChangedAt is when the decision was last written: registered, linked
	// or edited.
	ChangedAt time.Time `json:"changed_at"`
	// NotYetChecked, in a search with has_findings, says that the decision
	// changed after the last sweep began (Result.Findings.AsOf): no sweep
	// has judged it as it is, and its findings, or their absence, are
	// those of before.
	NotYetChecked bool `json:"not_yet_checked,omitempty"`
}

// RecordingRef is a recording of a meeting. ViewingCopy is the state of
// its viewing copy, empty when none was queued.
type RecordingRef struct {
	ID          int64      `json:"id"`
	State       string     `json:"state"`
	StartedAt   time.Time  `json:"started_at"`
	EndedAt     *time.Time `json:"ended_at"`
	ViewingCopy string     `json:"viewing_copy"`
}

// IndexPoint is a stretch of a recording in which the item was discussed,
// in milliseconds of the recording's timeline. EndMs is nil while open.
type IndexPoint struct {
	RecordingID int64  `json:"recording_id"`
	StartMs     int64  `json:"start_ms"`
	EndMs       *int64 `json:"end_ms"`
}
