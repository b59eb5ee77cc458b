package agenda

import "time"

// Member is a person who sits on meeting bodies. Code is the office's own
// identifier, such as an employee number.
type Member struct {
	ID        int64     `json:"id"`
	OrgUnitID int64     `json:"org_unit_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
}

// BodySeat is a member's seat on a body for a span of days, both ends
// included. ServedTo is nil while the member still serves.
type BodySeat struct {
	ID         int64    `json:"id"`
	BodyID     int64    `json:"body_id"`
	MemberID   int64    `json:"member_id"`
	Role       SeatRole `json:"role"`
	ServedFrom Date     `json:"served_from"`
	ServedTo   *Date    `json:"served_to"`
}

// Holds reports whether the seat's span holds day d.
func (s BodySeat) Holds(d Date) bool {
	return !d.Before(s.ServedFrom) && (s.ServedTo == nil || !s.ServedTo.Before(d))
}

// ExpectedAttendee is a member who should attend a meeting, with the seat
// that gives the place.
type ExpectedAttendee struct {
	Member Member   `json:"member"`
	Seat   BodySeat `json:"seat"`
}

// Attendance is whether one member attended a meeting, as the minutes give
// it.
type Attendance struct {
	MeetingID     int64    `json:"meeting_id"`
	MemberID      int64    `json:"member_id"`
	Status        Presence `json:"status"`
	AbsenceReason string   `json:"absence_reason"`
}

// Recusal is a member who had to leave the room for an agenda item.
// TookPart is true when the minutes show the member stayed, spoke or
// voted all the same.
type Recusal struct {
	AgendaItemID int64  `json:"agenda_item_id"`
	MemberID     int64  `json:"member_id"`
	Reason       string `json:"reason"`
	TookPart     bool   `json:"took_part"`
}

// Statement is one member's turn to state a view on an agenda item; Seq
// orders the turns from 1.
type Statement struct {
	AgendaItemID int64    `json:"agenda_item_id"`
	Seq          int      `json:"seq"`
	MemberID     int64    `json:"member_id"`
	Position     Position `json:"position"`
}

// MeetingZone is the zone in which a meeting's day is reckoned, for the
// seats that hold it: China Standard Time.
var MeetingZone = time.FixedZone("CST", 8*60*60)
