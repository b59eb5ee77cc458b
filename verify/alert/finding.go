package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/liuhen/liuhen/verify"
)

// States of a finding.
const (
	StateOpen         = "open"
	StateAcknowledged = "acknowledged"
	StateResolved     = "resolved"
)

// States lists every state, in the order a finding goes through them.
func States() []string { return []string{StateOpen, StateAcknowledged, StateResolved} }

// Kinds of event.
const (
	EventOpened       = "opened"
	EventReopened     = "reopened"
	EventEscalated    = "escalated"
	EventDeescalated  = "deescalated"
	EventAcknowledged = "acknowledged"
	EventResolved     = "resolved"
)

// ActorVerifier is the actor of the events a sweep records.
const ActorVerifier = "verifier"

// ReasonGone is the reason of a finding the sweep resolves by itself.
const ReasonGone = "no longer found"

// Delivery states.
const (
	DeliveryQueued    = "queued"
	DeliveryDelivered = "delivered"
	DeliveryGivenUp   = "given_up"
)

// severityRank orders severities; an unknown one ranks below low.
func severityRank(s string) int {
	switch s {
	case verify.SeverityLow:
		return 1
	case verify.SeverityMedium:
		return 2
	case verify.SeverityHigh:
		return 3
	}
	return 0
}

// Severities lists the severities from the lowest.
func Severities() []string {
	return []string{verify.SeverityLow, verify.SeverityMedium, verify.SeverityHigh}
}

// Fingerprint names a verifier finding across sweeps: the SHA-256, in hex,
// of its code, decision and the evidence it points at. Messages and
// severity are left out, so a finding whose wording changes stays the same
// finding.
func Fingerprint(f verify.Finding) string {
	h := sha256.New()
	for _, part := range []string{"v1", f.Code, strconv.FormatInt(f.DecisionID, 10),
		optID(f.MeetingID), optID(f.AgendaItemID), optID(f.RecordingID), f.ObjectKey} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func optID(id *int64) string {
	if id == nil {
		return "-"
	}
	return strconv.FormatInt(*id, 10)
}

// A Finding is a kept finding as the API shows it.
type Finding struct {
	ID             int64     `json:"id"`
	Fingerprint    string    `json:"fingerprint"`
	Code           string    `json:"code"`
	Severity       string    `json:"severity"`
	State          string    `json:"state"`
	StateActor     string    `json:"state_actor"`
	StateReason    string    `json:"state_reason"`
	StateChangedAt time.Time `json:"state_changed_at"`
	DecisionID     int64     `json:"decision_id"`
	DecisionTitle  string    `json:"decision_title"`
	MatterCode     string    `json:"matter_code"`
	UnitCode       string    `json:"unit_code"`
	MeetingID      *int64    `json:"meeting_id"`
	AgendaItemID   *int64    `json:"agenda_item_id"`
	RecordingID    *int64    `json:"recording_id"`
	ObjectKey      string    `json:"object_key"`
	Message        string    `json:"message"`
	MessageZH      string    `json:"message_zh"`
	FirstSeen      time.Time `json:"first_seen"`
	LastSeen       time.Time `json:"last_seen"`
	OpenedAt       time.Time `json:"opened_at"`
	// Deliveries counts the finding's warnings by delivery state; left
	// out of a Warning.
	Deliveries *DeliveryCounts `json:"deliveries,omitempty"`
}

// DeliveryCounts counts warnings by state.
type DeliveryCounts struct {
	Queued    int `json:"queued"`
	Delivered int `json:"delivered"`
	GivenUp   int `json:"given_up"`
}

// An Event is one change of a finding's state or severity.
type Event struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	FromState *string `json:"from_state"`
	ToState   string  `json:"to_state"`
	// Actor is ActorVerifier, or the person who made the change.
	Actor string `json:"actor"`
	// Via is the credential a person's change was made with (ViaAdminToken);
	// "" for the verifier's.
	Via    string    `json:"via"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// A Delivery is the warning of one event to one webhook.
type Delivery struct {
	ID         int64      `json:"id"`
	EventID    int64      `json:"event_id"`
	Webhook    string     `json:"webhook"` // without user info or query: see redactURL
	State      string     `json:"state"`
	Attempts   int        `json:"attempts"`
	LastStatus *int       `json:"last_status"`
	LastError  string     `json:"last_error"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Log        []Attempt  `json:"attempt_log"`
}

// An Attempt is one POST of a delivery.
type Attempt struct {
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"started_at"`
	DurationMs int64     `json:"duration_ms"`
	StatusCode *int      `json:"status_code"`
	Error      string    `json:"error"`
}

// Detail is a finding with its events and deliveries, oldest first.
type Detail struct {
	Finding
	Events      []Event    `json:"events"`
	DeliveryLog []Delivery `json:"delivery_log"`
}
