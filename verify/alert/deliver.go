package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// snoozeAfterStop is when a delivery cut off by a stop of the server may
// run again; it spends no attempt.
const snoozeAfterStop = 5 * time.Second

// DeliveryArgs is the job that sends one warning to one webhook.
type DeliveryArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job in River's tables.
func (DeliveryArgs) Kind() string { return "liuhen_alert_delivery" }

// InsertOpts puts the job on the deliveries queue.
func (DeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueDeliveries}
}

// deliveryWorker runs DeliveryArgs.
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	pool   *pgxpool.Pool
	cfg    Config
	http   *http.Client
	logger *slog.Logger
}

func newDeliveryWorker(pool *pgxpool.Pool, cfg Config, logger *slog.Logger) *deliveryWorker {
	return &deliveryWorker{pool: pool, cfg: cfg, logger: logger, http: &http.Client{
		Timeout: cfg.Timeout,
		// A webhook answers where it is; a redirect is a wrong URL to fix.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Timeout leaves the HTTP client's own time limit room to act first.
func (w *deliveryWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.cfg.Timeout + 30*time.Second
}

// NextRetry doubles the wait after each failed attempt, from RetryBase up
// to an hour.
func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return time.Now().Add(backoff(w.cfg.RetryBase, job.Attempt))
}

func backoff(base time.Duration, attempt int) time.Duration {
	wait := base
	for i := 1; i < attempt && wait < maxRetryWait; i++ {
		wait *= 2
	}
	return min(wait, maxRetryWait)
}

// pending is a delivery as its job needs it.
type pending struct {
	id                    int64
	findingID             int64
	webhook, state, event string
}

// Work makes one attempt and records it; a failed attempt goes back to
// River, which tries again until the job's attempts are spent.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	d, err := w.load(ctx, job.Args.DeliveryID)
	if errors.Is(err, pgx.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("delivery %d: %w", job.Args.DeliveryID, err))
	}
	if err != nil || d.state != DeliveryQueued {
		return err // done already: a job run twice
	}
	log := w.logger.With("delivery", d.id, "finding", d.findingID,
		"webhook", redactURL(d.webhook), "attempt", job.Attempt)
	if !slices.Contains(w.cfg.Webhooks, d.webhook) {
		err := errors.New("the webhook is no longer configured (LIUHEN_ALERT_WEBHOOK_URL)")
		w.record(ctx, log, d, result{attempt: job.Attempt, started: time.Now(), err: err}, true)
		return river.JobCancel(err)
	}
	r := w.attempt(ctx, d, job.Attempt)
	if r.err != nil && errors.Is(ctx.Err(), context.Canceled) {
		r.err = fmt.Errorf("cut off by a stop of the server; tried again at the next "+
			"start: %w", r.err)
		w.record(ctx, log, d, r, false)
		return river.JobSnooze(snoozeAfterStop)
	}
	w.record(ctx, log, d, r, r.err == nil || job.Attempt >= job.MaxAttempts)
	return r.err
}

func (w *deliveryWorker) load(ctx context.Context, id int64) (pending, error) {
	d := pending{id: id}
	err := w.pool.QueryRow(ctx, `SELECT d.finding_id, d.webhook_url, d.state, e.kind
		FROM finding_deliveries d JOIN finding_events e ON e.id = d.event_id
		WHERE d.id = $1`, id).Scan(&d.findingID, &d.webhook, &d.state, &d.event)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("read delivery %d: %w", id, err)
	}
	return d, err
}

// result is the outcome of one attempt.
type result struct {
	attempt int
	started time.Time
	took    time.Duration
	status  *int
	err     error
}

// attempt sends the warning once.
func (w *deliveryWorker) attempt(ctx context.Context, d pending, n int) result {
	r := result{attempt: n, started: time.Now()}
	body, err := w.body(ctx, d)
	if err != nil {
		r.err = err
		return r
	}
	r.status, r.err = w.post(ctx, d, body)
	r.took = time.Since(r.started)
	return r
}

// body is the Warning of d, with the finding as it is now.
func (w *deliveryWorker) body(ctx context.Context, d pending) ([]byte, error) {
	var f Finding
	err := pgx.BeginTxFunc(ctx, w.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) (err error) {
			f, err = getFinding(ctx, tx, d.findingID)
			return err
		})
	if err != nil {
		return nil, err
	}
	f.Deliveries = nil
	return json.Marshal(Warning{Type: eventType(d.event), DeliveryID: d.id, Finding: f,
		Links: links(w.cfg.PublicURL, f)})
}

// post sends body, signed, and returns the status of the answer and an
// error unless it was 2xx.
func (w *deliveryWorker) post(ctx context.Context, d pending, body []byte) (*int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.webhook,
		bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("prepare request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "liuhen-alert/1")
	req.Header.Set("X-Liuhen-Event", eventType(d.event))
	req.Header.Set("X-Liuhen-Delivery", fmt.Sprint(d.id))
	req.Header.Set("X-Liuhen-Signature", Signature(w.cfg.Secret, time.Now(), body))
	resp, err := w.http.Do(req)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // without the URL, whose query may hold a credential
	}
	if err != nil {
		var te interface{ Timeout() bool }
		if errors.As(err, &te) && te.Timeout() && ctx.Err() == nil {
			return nil, fmt.Errorf("no answer within %v: %w", w.cfg.Timeout, err)
		}
		return nil, fmt.Errorf("send: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	status := resp.StatusCode
	if status >= 200 && status < 300 {
		return &status, nil
	}
	msg := fmt.Sprintf("answered %s", resp.Status)
	if loc := resp.Header.Get("Location"); loc != "" {
		msg += "; it redirects to " + redactURL(loc) + ": configure that URL instead"
	}
	if text := strings.TrimSpace(string(snippet)); text != "" {
		msg += fmt.Sprintf(": %q", text)
	}
	return &status, errors.New(msg)
}

// record writes the attempt and, when final, the delivery's outcome. It
// runs even when ctx has ended: the row must say what happened.
func (w *deliveryWorker) record(ctx context.Context, log *slog.Logger, d pending, r result,
	final bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	state, msg := DeliveryQueued, ""
	if r.err != nil {
		msg = r.err.Error()
	}
	switch {
	case final && r.err == nil:
		state = DeliveryDelivered
	case final:
		state = DeliveryGivenUp
	}
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO finding_delivery_attempts (delivery_id,
			    attempt, started_at, duration_ms, status_code, error)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (delivery_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at,
			    duration_ms = EXCLUDED.duration_ms, status_code = EXCLUDED.status_code,
			    error = EXCLUDED.error`,
			d.id, r.attempt, r.started, r.took.Milliseconds(), r.status, msg); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE finding_deliveries SET state = $2, attempts = $3,
			    last_status = $4, last_error = $5, updated_at = now(),
			    finished_at = CASE WHEN $2 = 'queued' THEN NULL ELSE now() END
			WHERE id = $1`, d.id, state, r.attempt, r.status, msg)
		return err
	})
	if err != nil {
		log.Error("record warning delivery", "err", err)
	}
	switch state {
	case DeliveryDelivered:
		log.Info("warning delivered", "status", *r.status)
	case DeliveryGivenUp:
		log.Error("warning given up", "err", r.err)
	default:
		log.Warn("warning not delivered; trying again", "err", r.err)
	}
}
