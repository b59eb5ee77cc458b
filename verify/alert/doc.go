// Package alert keeps the verifier's findings over time and warns about
// new ones: a periodic sweep runs verify.Run over every decision and keeps
// what it found in the findings table, and each finding that opens is sent
// to the configured webhooks.
//
// # A finding's life
//
// A finding is known by its fingerprint (Fingerprint): the rule's code,
// the decision, and the evidence it points at (meeting, agenda item,
// recording, object key); its messages and severity may change from one
// sweep to the next without making it another finding. Its state is open,
// acknowledged or resolved, and every change is an event with who made it,
// when and why. A sweep
//
//   - inserts a fingerprint it has not seen as open ("opened");
//   - moves last_seen of one it has seen, and updates its messages and
//     severity when they changed; a severity that rose while the finding
//     is open or acknowledged is an event of its own ("escalated"), and
//     so is one that fell ("deescalated");
//   - resolves an open or acknowledged finding it no longer finds, with
//     the reason "no longer found" by the actor "verifier";
//   - reopens a resolved finding that is found again after a sweep that
//     did not find it ("reopened").
//
// A finding that a person resolved while the verifier still finds it (the
// decision was annulled, the meeting is on paper) stays resolved for as
// long as each sweep keeps finding it; once a sweep does not find it, it
// reopens when it comes back. Findings of a rule that did not run (a sweep
// without an object store runs no RECORDING_TAMPERED) are left as they
// are.
//
// A sweep that completes is recorded in finding_sweeps, in the transaction
// that writes its findings: when its verifier began, the rules that ran
// and its counts. Store.LastSweep reads it, so that whoever reads the
// findings table (the inspectors' has_findings) can say what it is as of,
// and that no sweep has run yet.
//
// # Warnings
//
// A finding that opens, reopens or escalates with a severity at or above
// Config.MinSeverity is queued, in the sweep's own transaction, as one
// River job per configured webhook, so a sweep never waits for a webhook.
// An escalation is warned of only above the highest severity the finding
// was warned of since it last opened (warned_severity), so one that falls
// and rises again is not warned of twice; a deescalation warns no one.
// The job POSTs a JSON Warning with these headers:
//
//	Content-Type: application/json
//	X-Liuhen-Event: finding.opened | finding.reopened | finding.escalated
//	X-Liuhen-Delivery: <delivery id; the same on every attempt>
//	X-Liuhen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// v1 is the HMAC-SHA256, keyed with the webhook secret, of the ASCII
// decimal t, a full stop, and the request body exactly as sent:
// HMAC(secret, t + "." + body). A receiver recomputes it, compares in
// constant time, and refuses a t more than a few minutes from its clock so
// that a recorded request cannot be replayed later. Each attempt signs
// again with its own t.
//
// An attempt waits at most Config.Timeout (10 s) for the answer; any 2xx
// is delivered, anything else (another status, a redirect, no answer) is
// retried by River with a doubling back-off until Config.Attempts are
// spent, and then given up with the last error. Every attempt is recorded
// in finding_delivery_attempts and the outcome in finding_deliveries.
package alert
