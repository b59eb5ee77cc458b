package agenda

// MajorClass places a matter among the "three majors and one large"
// (三重一大) that a party committee must decide collectively.
type MajorClass string

// The classes of a matter.
const (
	MajorDecision MajorClass = "major_decision" // 重大决策
	MajorCadre    MajorClass = "cadre"          // 重要干部任免
	MajorProject  MajorClass = "major_project"  // 重大项目安排
	MajorFunds    MajorClass = "large_funds"    // 大额资金使用
	MajorNone     MajorClass = "none"
)

// MajorClasses lists every valid MajorClass.
var MajorClasses = []MajorClass{MajorDecision, MajorCadre, MajorProject, MajorFunds, MajorNone}

// Valid reports whether c is one of MajorClasses.
func (c MajorClass) Valid() bool { return oneOf(c, MajorClasses) }

// AmountBasis says what is held against a matter's amount threshold: each
// decision alone, or the sum of one project's or one payee's decisions
// within the matter's split window, which catches a large expense split
// into small ones (化整为零).
type AmountBasis string

// The bases of an amount threshold.
const (
	BasisSingle  AmountBasis = "single"
	BasisProject AmountBasis = "project"
	BasisPayee   AmountBasis = "payee"
)

// AmountBases lists every valid AmountBasis.
var AmountBases = []AmountBasis{BasisSingle, BasisProject, BasisPayee}

// Valid reports whether b is one of AmountBases.
func (b AmountBasis) Valid() bool { return oneOf(b, AmountBases) }

// Majority is the share of members a quorum or a vote needs.
type Majority string

// The majorities a procedure list names.
const (
	MoreThanHalf Majority = "more_than_half" // 过半数
	TwoThirds    Majority = "two_thirds"     // 三分之二以上
)

// Majorities lists every valid Majority.
var Majorities = []Majority{MoreThanHalf, TwoThirds}

// Valid reports whether m is one of Majorities.
func (m Majority) Valid() bool { return oneOf(m, Majorities) }

// MeetingMode says whether a body met, or passed a decision round for
// signature (传签), which is no meeting whatever the body.
type MeetingMode string

// The modes of a meeting.
const (
	ModeMeeting     MeetingMode = "meeting"
	ModeCirculation MeetingMode = "circulation"
)

// MeetingModes lists every valid MeetingMode.
var MeetingModes = []MeetingMode{ModeMeeting, ModeCirculation}

// Valid reports whether m is one of MeetingModes.
func (m MeetingMode) Valid() bool { return oneOf(m, MeetingModes) }

// Outcome is what a meeting did with an agenda item.
type Outcome string

// The outcomes of an agenda item.
const (
	OutcomeApproved Outcome = "approved"
	OutcomeRejected Outcome = "rejected"
	OutcomeDeferred Outcome = "deferred"
)

// Outcomes lists every valid Outcome.
var Outcomes = []Outcome{OutcomeApproved, OutcomeRejected, OutcomeDeferred}

// Valid reports whether o is one of Outcomes.
func (o Outcome) Valid() bool { return oneOf(o, Outcomes) }

// SeatRole is a member's place on a body. The leader states a view last
// where the procedure list asks it (末位表态).
type SeatRole string

// The roles of a seat.
const (
	RoleLeader SeatRole = "leader"
	RoleDeputy SeatRole = "deputy"
	RoleMember SeatRole = "member"
)

// SeatRoles lists every valid SeatRole.
var SeatRoles = []SeatRole{RoleLeader, RoleDeputy, RoleMember}

// Valid reports whether r is one of SeatRoles.
func (r SeatRole) Valid() bool { return oneOf(r, SeatRoles) }

// Presence is whether a member attended a meeting.
type Presence string

// The presences of a member.
const (
	Present Presence = "present"
	Absent  Presence = "absent"
)

// Presences lists every valid Presence.
var Presences = []Presence{Present, Absent}

// Valid reports whether p is one of Presences.
func (p Presence) Valid() bool { return oneOf(p, Presences) }

// Position is the view a member stated on an agenda item; "" when the
// minutes keep the order of statements but not the views.
type Position string

// The positions of a statement.
const (
	PositionUnknown Position = ""
	PositionFor     Position = "for"
	PositionAgainst Position = "against"
	PositionAbstain Position = "abstain"
)

// Positions lists every valid Position.
var Positions = []Position{PositionUnknown, PositionFor, PositionAgainst, PositionAbstain}

// Valid reports whether p is one of Positions.
func (p Position) Valid() bool { return oneOf(p, Positions) }
