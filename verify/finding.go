package verify

// Finding codes. They are stable: reports, scripts and alert rules match on
// them, so never rename one.
const (
	// CodeNoMeeting: the matter needs a meeting and the decision is linked
	// to no agenda item.
	CodeNoMeeting = "NO_MEETING"
	// CodeSplitSpending: several decisions for one project or payee, each
	// under the threshold, together at or over it within the matter's
	// window, none decided at a meeting of the required body (化整为零).
	CodeSplitSpending = "SPLIT_SPENDING"
	// CodeWrongBody: the linked meeting was held by a body of another kind
	// than the matter requires, or by a body of another org unit, or was a
	// paper passed round for signature (传签) instead of a meeting.
	CodeWrongBody = "WRONG_BODY"
	// CodeStageSkipped: the matter must be taken up by other bodies before
	// the deciding one (required_body_kinds), and an earlier stage has no
	// linked agenda item at a meeting of that kind of the decision's unit
	// held before the deciding meeting, or two stages were taken up out of
	// order.
	CodeStageSkipped = "STAGE_SKIPPED"
	// CodeNoQuorum: fewer of the members who should attend were present
	// than the matter's quorum rule asks, or the attendance was not kept.
	CodeNoQuorum = "NO_QUORUM"
	// CodeVoteShort: the votes for fall short of the matter's vote rule.
	CodeVoteShort = "VOTE_SHORT"
	// CodeRecusalMissed: a member who had to leave the room for the item
	// took part in it.
	CodeRecusalMissed = "RECUSAL_MISSED"
	// CodeLeaderNotLast: the body's leader did not state a view last.
	CodeLeaderNotLast = "LEADER_NOT_LAST"
	// CodeDecidedBeforeMeeting: decided_at, contract_at or paid_at lies
	// before the meeting's start (started_at, else planned_start).
	CodeDecidedBeforeMeeting = "DECIDED_BEFORE_MEETING"
	// CodeBackdated: the decision was registered, or the meeting's minutes
	// written, long after the fact (Options.BackdateDays).
	CodeBackdated = "BACKDATED"
	// CodeNoRecording: the meeting has no recording in state 'finished', or
	// its recordings cover less than half of the meeting.
	CodeNoRecording = "NO_RECORDING"
	// CodeRecordingInterrupted: a recording of the meeting ended
	// 'interrupted', or lost media for longer than a few seconds. Reported
	// even when another recording finished, since a stretch of the meeting
	// is then not on record.
	CodeRecordingInterrupted = "RECORDING_INTERRUPTED"
	// CodeItemNotCovered: the agenda item has no index point, or one of its
	// index points is not covered by the segments of its recording, or falls
	// in a gap of its media.
	CodeItemNotCovered = "ITEM_NOT_COVERED"
	// CodeRecordingTampered: a segment's object is missing, has another
	// size or (with Options.Rehash) other bytes than recorded, or a track's
	// segment numbers have holes.
	CodeRecordingTampered = "RECORDING_TAMPERED"
)

// allCodes is the order rules run in and findings of one decision are
// listed in: whether there was a meeting at all, then how it was held, then
// the dates, then the recording.
var allCodes = []string{
	CodeNoMeeting, CodeSplitSpending, CodeWrongBody, CodeStageSkipped, CodeNoQuorum,
	CodeVoteShort, CodeRecusalMissed, CodeLeaderNotLast, CodeDecidedBeforeMeeting, CodeBackdated,
	CodeNoRecording, CodeRecordingInterrupted, CodeItemNotCovered, CodeRecordingTampered,
}

// Codes returns every finding code, in the order reports list them.
func Codes() []string {
	return append([]string(nil), allCodes...)
}

// Severities of a finding.
const (
	SeverityHigh   = "high"   // the procedure was not followed or the evidence is broken
	SeverityMedium = "medium" // the evidence is weaker than it should be
	SeverityLow    = "low"    // probably a data-entry slip; worth a look
)

// A Finding is one thing wrong with one decision, with the evidence it
// points at. The pointer fields are nil when they do not apply.
type Finding struct {
	Code          string `json:"code"`
	Severity      string `json:"severity"`
	DecisionID    int64  `json:"decision_id"`
	DecisionTitle string `json:"decision_title"`
	MatterCode    string `json:"matter_code"`
	UnitCode      string `json:"unit_code"`
	MeetingID     *int64 `json:"meeting_id,omitempty"`
	AgendaItemID  *int64 `json:"agenda_item_id,omitempty"`
	RecordingID   *int64 `json:"recording_id,omitempty"`
	ObjectKey     string `json:"object_key,omitempty"`
	// Message says, in English, what is wrong and what evidence is missing.
	Message string `json:"message"`
	// MessageZH says the same in Chinese.
	MessageZH string `json:"message_zh"`
}
