package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// A Warning is the JSON body a webhook receives.
type Warning struct {
	// Type is "finding.opened", "finding.reopened" or "finding.escalated"
	// (found again at a higher severity while still open or acknowledged).
	Type string `json:"type"`
	// DeliveryID is the same on every attempt of one warning, so a
	// receiver can drop a repeat.
	DeliveryID int64 `json:"delivery_id"`
	// Finding is the finding as it is when the attempt is made: a person
	// may have acknowledged or resolved it since it opened.
	Finding Finding `json:"finding"`
	Links   Links   `json:"links"`
}

// Links point at the finding and its evidence on the server; empty when
// the server's public URL is not configured or the evidence does not
// apply.
type Links struct {
	Finding     string `json:"finding,omitempty"`
	Page        string `json:"page,omitempty"`
	Decision    string `json:"decision,omitempty"`
	Meeting     string `json:"meeting,omitempty"`
	AgendaItem  string `json:"agenda_item,omitempty"`
	ViewingCopy string `json:"recording_viewing_copy,omitempty"`
}

func links(base string, f Finding) Links {
	if base == "" {
		return Links{}
	}
	api := base + "/api/v1"
	l := Links{
		Finding:  fmt.Sprintf("%s/findings/%d", api, f.ID),
		Page:     base + "/warnings",
		Decision: fmt.Sprintf("%s/decisions/%d", api, f.DecisionID),
	}
	if f.MeetingID != nil {
		l.Meeting = fmt.Sprintf("%s/meetings/%d", api, *f.MeetingID)
	}
	if f.AgendaItemID != nil {
		l.AgendaItem = fmt.Sprintf("%s/agenda-items/%d", api, *f.AgendaItemID)
	}
	if f.RecordingID != nil {
		l.ViewingCopy = fmt.Sprintf("%s/recordings/%d/viewing-copy", api, *f.RecordingID)
	}
	return l
}

// eventType names a warning after the event that caused it.
func eventType(kind string) string { return "finding." + kind }

// Signature is the value of the X-Liuhen-Signature header of body sent at
// t: "t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, t + "." + body)>".
func Signature(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// warnings gathers the deliveries one sweep queues.
type warnings struct {
	cfg  Config
	jobs []river.InsertManyParams
}

// warnedAt returns severity when a finding of that severity is warned of:
// it is at or above MinSeverity and there is a webhook to warn. It returns
// nil when it is not. Once its warning is queued, that is the finding's
// warned_severity.
func (q *warnings) warnedAt(severity string) *string {
	if len(q.cfg.Webhooks) == 0 || severityRank(severity) < severityRank(q.cfg.MinSeverity) {
		return nil
	}
	return &severity
}

// add queues the warning of an event to every webhook.
func (q *warnings) add(ctx context.Context, tx pgx.Tx, finding, event int64) error {
	for _, hook := range q.cfg.Webhooks {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO finding_deliveries (finding_id, event_id,
			webhook_url, state) VALUES ($1, $2, $3, 'queued') RETURNING id`,
			finding, event, hook).Scan(&id)
		if err != nil {
			return fmt.Errorf("queue warning of finding %d: %w", finding, err)
		}
		q.jobs = append(q.jobs, river.InsertManyParams{Args: DeliveryArgs{DeliveryID: id},
			InsertOpts: &river.InsertOpts{MaxAttempts: q.cfg.Attempts}})
	}
	return nil
}

// insert queues the deliveries' jobs in the sweep's transaction.
func (q *warnings) insert(ctx context.Context, tx pgx.Tx, jobs inserter) error {
	if len(q.jobs) == 0 {
		return nil
	}
	if _, err := jobs.InsertManyTx(ctx, tx, q.jobs); err != nil {
		return fmt.Errorf("queue warnings: %w", err)
	}
	return nil
}
