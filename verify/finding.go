package verify

// Finding codes. They are stable: reports, scripts and alert rules match on
// them, so never rename one.
const (
	// CodeNoMeeting: the matter needs a meeting and the decision is linked
	// to no agenda item.
	CodeNoMeeting = "NO_MEETING"
	// CodeWrongBody: the linked meeting was held by a body of another kind
	// than the matter requires, or by a body of another org unit.
	CodeWrongBody = "WRONG_BODY"
	// CodeDecidedBeforeMeeting: decided_at lies before the meeting's start
	// (started_at, else planned_start).
	CodeDecidedBeforeMeeting = "DECIDED_BEFORE_MEETING"
	// CodeNoRecording: the meeting has no recording in state 'finished'.
	CodeNoRecording = "NO_RECORDING"
	// CodeRecordingInterrupted: a recording of the meeting ended
	// 'interrupted'. Reported even when another recording finished, since
	// the interruption means a stretch of the meeting is not on record.
	CodeRecordingInterrupted = "RECORDING_INTERRUPTED"
	// CodeItemNotCovered: the agenda item has no index point, or one of its
	// index points is not covered by the segments of its recording.
	CodeItemNotCovered = "ITEM_NOT_COVERED"
	// CodeRecordingTampered: a segment's object is missing, has another
	// size or (with Options.Rehash) other bytes than recorded, or a track's
	// segment numbers have holes.
	CodeRecordingTampered = "RECORDING_TAMPERED"
)

// allCodes is the order rules run in and findings of one decision are
// listed in.
var allCodes = []string{
	CodeNoMeeting, CodeWrongBody, CodeDecidedBeforeMeeting, CodeNoRecording,
	CodeRecordingInterrupted, CodeItemNotCovered, CodeRecordingTampered,
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

// codeRank orders findings of one decision as allCodes does.
func codeRank(code string) int {
	for i, c := range allCodes {
		if c == code {
			return i
		}
	}
	return len(allCodes)
}
