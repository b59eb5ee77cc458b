// Package agenda keeps the procedure list, the members who sit on meeting
// bodies, meetings with their agendas and what their minutes record
// (attendance, recusals, statements, votes), decisions and the catalogue
// of recordings in PostgreSQL, and serves them as JSON.
package agenda

import (
	"strings"
	"time"
)

// Level is the place of an org unit in the county hierarchy.
type Level string

// The levels an org unit can have.
const (
	LevelCounty     Level = "county"
	LevelTownship   Level = "township"
	LevelDepartment Level = "department"
	LevelVillage    Level = "village"
)

// Levels lists every valid Level.
var Levels = []Level{LevelCounty, LevelTownship, LevelDepartment, LevelVillage}

// Valid reports whether l is one of Levels.
func (l Level) Valid() bool { return oneOf(l, Levels) }

// BodyKind is the kind of a meeting body. The procedure list names the kind
// that must decide a matter, never a particular body.
type BodyKind string

// The kinds of meeting body.
const (
	BodyPartyCongress            BodyKind = "party_congress"             // 党代会
	BodyPartyCommittee           BodyKind = "party_committee"            // 党委会
	BodyPartyStandingCommittee   BodyKind = "party_standing_committee"   // 县委常委会
	BodyPeoplesCongress          BodyKind = "peoples_congress"           // 人代会
	BodyPeoplesCongressPresidium BodyKind = "peoples_congress_presidium" // 人大主席团
	BodyGovernmentExecutive      BodyKind = "government_executive"       // 政府常务会议
	BodyPartyGroup               BodyKind = "party_group"                // 党组会
	BodyVillageTwoCommittees     BodyKind = "village_two_committees"     // 村两委会议
	BodyVillagerRepresentatives  BodyKind = "villager_representatives"   // 村民代表会议
	BodyJointPartyGovernment     BodyKind = "joint_party_government"     // 党政联席会议
)

// BodyKinds lists every valid BodyKind.
var BodyKinds = []BodyKind{
	BodyPartyCongress, BodyPartyCommittee, BodyPartyStandingCommittee, BodyPeoplesCongress,
	BodyPeoplesCongressPresidium, BodyGovernmentExecutive, BodyPartyGroup,
	BodyVillageTwoCommittees, BodyVillagerRepresentatives, BodyJointPartyGovernment,
}

// Valid reports whether k is one of BodyKinds.
func (k BodyKind) Valid() bool { return oneOf(k, BodyKinds) }

// Category sorts matters the four ways township work is sorted (四分法).
type Category string

// The categories of a matter.
const (
	CategoryDecision       Category = "decision"       // 决策类
	CategoryImplementation Category = "implementation" // 落实类
	CategoryExecution      Category = "execution"      // 执行类
	CategoryOther          Category = "other"          // 其他类
)

// Categories lists every valid Category.
var Categories = []Category{
	CategoryDecision, CategoryImplementation, CategoryExecution, CategoryOther,
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return oneOf(c, Categories) }

// The states of a recording and of a track.
const (
	StateRecording   = "recording"
	StateFinished    = "finished"
	StateInterrupted = "interrupted"
)

// OrgUnit is a county, township, department or village.
type OrgUnit struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Level     Level     `json:"level"`
	ParentID  *int64    `json:"parent_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Body is a meeting body of one org unit, such as a township's party
// committee.
type Body struct {
	ID        int64     `json:"id"`
	OrgUnitID int64     `json:"org_unit_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Kind      BodyKind  `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
}

// Matter is one entry of a unit's procedure list (程序清单).
type Matter struct {
	ID        int64    `json:"id"`
	OrgUnitID int64    `json:"org_unit_id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Category  Category `json:"category"`
	// RequiredBodyKind is nil when the matter needs no meeting.
	RequiredBodyKind *BodyKind `json:"required_body_kind"`
	// AmountThreshold is nil when every decision of the matter needs the
	// meeting; otherwise only decisions of at least this amount do.
	AmountThreshold *Amount    `json:"amount_threshold"`
	MustRecord      bool       `json:"must_record"`
	LegalBasis      string     `json:"legal_basis"`
	MajorClass      MajorClass `json:"major_class"`
	// RequiredBodyKinds lists every kind of body that must take the matter
	// up, in order; the last is RequiredBodyKind, whose meeting decides.
	// Empty when the matter needs no meeting.
	RequiredBodyKinds []BodyKind `json:"required_body_kinds"`
	// AmountBasis says what is held against AmountThreshold; sums of a
	// project or payee count decisions within SplitWindowDays.
	AmountBasis      AmountBasis `json:"amount_basis"`
	SplitWindowDays  int         `json:"split_window_days"`
	QuorumRule       Majority    `json:"quorum_rule"`
	VoteRule         Majority    `json:"vote_rule"`
	LeaderSpeaksLast bool        `json:"leader_speaks_last"`
	RecusalApplies   bool        `json:"recusal_applies"`
	CreatedAt        time.Time   `json:"created_at"`
}

// Meeting is one sitting of a body, or a decision the body passed round
// for signature (Mode circulation).
type Meeting struct {
	ID     int64  `json:"id"`
	BodyID int64  `json:"body_id"`
	Title  string `json:"title"`
	// Code is the office's identifier of the meeting, "" when it has none.
	Code         string      `json:"code"`
	Mode         MeetingMode `json:"mode"`
	PlannedStart time.Time   `json:"planned_start"`
	PlannedEnd   *time.Time  `json:"planned_end"`
	// StartedAt and EndedAt are when the meeting was held: from its
	// recording, or as the minutes give them.
	StartedAt        *time.Time `json:"started_at"`
	EndedAt          *time.Time `json:"ended_at"`
	ChairMemberID    *int64     `json:"chair_member_id"`
	MinutesWrittenAt *time.Time `json:"minutes_written_at"`
	CreatedAt        time.Time  `json:"created_at"`
}

// MeetingDetail is a meeting with its body, agenda and recordings.
type MeetingDetail struct {
	Meeting
	Body        Body         `json:"body"`
	AgendaItems []AgendaItem `json:"agenda_items"`
	Recordings  []Recording  `json:"recordings"`
}

// AgendaItem is one item of a meeting's agenda, usually tied to the matter
// it decides.
type AgendaItem struct {
	ID        int64  `json:"id"`
	MeetingID int64  `json:"meeting_id"`
	Seq       int    `json:"seq"`
	Title     string `json:"title"`
	MatterID  *int64 `json:"matter_id"`
	Presenter string `json:"presenter"`
	// Outcome and the votes are as the minutes give them; nil when not kept.
	Outcome      *Outcome  `json:"outcome"`
	VotesFor     *int      `json:"votes_for"`
	VotesAgainst *int      `json:"votes_against"`
	VotesAbstain *int      `json:"votes_abstain"`
	CreatedAt    time.Time `json:"created_at"`
	// IndexPoints are the stretches of recordings in which the item was
	// discussed, oldest first. Listings by meeting fill them in.
	IndexPoints []IndexPoint `json:"index_points"`
}

// Decision is a registered decision of a unit on a matter, linked to the
// agenda item that decided it when there was one, and to the items of the
// earlier stages that took the matter up before.
type Decision struct {
	ID           int64     `json:"id"`
	OrgUnitID    int64     `json:"org_unit_id"`
	MatterID     int64     `json:"matter_id"`
	Title        string    `json:"title"`
	Amount       *Amount   `json:"amount"`
	DecidedAt    time.Time `json:"decided_at"`
	AgendaItemID *int64    `json:"agenda_item_id"`
	// StageItemIDs are the agenda items at which the bodies of the earlier
	// stages of the matter (its RequiredBodyKinds but the last) took it
	// up, in the order their meetings were held; empty when none is
	// linked.
	StageItemIDs []int64 `json:"stage_item_ids"`
	// Reference is the source system's number, unique within the unit
	// when not "".
	Reference string `json:"reference"`
	// Payee and Project group decisions whose amounts are summed where a
	// matter's AmountBasis asks it; "" when not known.
	Payee   string `json:"payee"`
	Project string `json:"project"`
	// RegisteredAt, ContractAt and PaidAt are when the office registered
	// the decision, signed its contract and paid; nil when not known.
	RegisteredAt *time.Time `json:"registered_at"`
	ContractAt   *time.Time `json:"contract_at"`
	PaidAt       *time.Time `json:"paid_at"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Recording is one continuous capture of a meeting. StartedAt is the wall
// clock instant of media time zero.
type Recording struct {
	ID        int64      `json:"id"`
	MeetingID int64      `json:"meeting_id"`
	State     string     `json:"state"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	Tracks    []Track    `json:"tracks"`
}

// Track is one publisher's stream within a recording, with a summary of the
// segments stored so far.
type Track struct {
	ID          int64      `json:"id"`
	RecordingID int64      `json:"recording_id"`
	SessionID   string     `json:"session_id"`
	AudioCodec  string     `json:"audio_codec"`
	VideoCodec  string     `json:"video_codec"`
	State       string     `json:"state"`
	StartedAt   time.Time  `json:"started_at"`
	EndedAt     *time.Time `json:"ended_at"`
	Segments    int        `json:"segments"`
	Bytes       int64      `json:"bytes"`
	// MediaEndMs is where the last stored segment ends on the recording's
	// timeline; 0 when none is stored.
	MediaEndMs int64 `json:"media_end_ms"`
	// LastSegmentSHA256 is the hex SHA-256 of the last stored segment, ""
	// when none is stored.
	LastSegmentSHA256 string     `json:"last_segment_sha256"`
	LastSegmentAt     *time.Time `json:"last_segment_at"`
}

// SegmentRow is the catalogue entry of one stored segment of a track.
type SegmentRow struct {
	Seq        int
	ObjectKey  string
	SHA256     [32]byte
	Size       int64
	MediaStart time.Duration // on the recording's timeline
	MediaEnd   time.Duration
	WallStart  time.Time
	WallEnd    time.Time
	Gaps       []SegmentGap // stretches without the media the publisher sent
}

// SegmentGap is a stretch of a segment's audio or video that is missing.
type SegmentGap struct {
	Video   bool  `json:"video"`
	StartMs int64 `json:"start_ms"` // on the recording's timeline
	EndMs   int64 `json:"end_ms"`
	Lost    int   `json:"lost_packets"` // RTP packets lost; 0 when unknown
}

// IndexPoint ties a stretch of a recording, in milliseconds of its media
// time, to the agenda item discussed in it. EndMs is nil while the item is
// still being discussed.
type IndexPoint struct {
	ID           int64     `json:"id"`
	AgendaItemID int64     `json:"agenda_item_id"`
	RecordingID  int64     `json:"recording_id"`
	StartMs      int64     `json:"start_ms"`
	EndMs        *int64    `json:"end_ms"`
	CreatedAt    time.Time `json:"created_at"`
}

// TrackRef is what capture needs to write a track's segments: its ids and
// the wall-clock instant of the recording's media time zero.
type TrackRef struct {
	RecordingID int64
	TrackID     int64
	MeetingID   int64
	Zero        time.Time // recordings.started_at
}

func oneOf[T ~string](v T, valid []T) bool {
	for _, x := range valid {
		if v == x {
			return true
		}
	}
	return false
}

// joinValues lists valid values for an error message.
func joinValues[T ~string](valid []T) string {
	s := make([]string, len(valid))
	for i, v := range valid {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
