package evidence

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
)

// Handler serves the bundle of the decision or agenda item (kind) whose id
// is the request's path value "id", as application/zip, streamed while it
// is made. Everything that can be checked before the first byte (the
// subject, its index points, every segment's presence and size) is, and
// answered as a problem document: 404 for an unknown subject, 409 when
// there is nothing to export or a segment is missing or differs, 503 when
// the store is down. A segment whose bytes are found to differ only while
// it is copied aborts the response, which leaves the client an archive
// without a manifest that no verifier accepts, and the log says why.
// Mount it behind the access guard; who may export is the router's call.
func Handler(e *Exporter, kind SubjectKind, logger *slog.Logger) http.Handler {
	return &handler{exporter: e, kind: kind, log: logger.With("component", "evidence")}
}

type handler struct {
	exporter *Exporter
	kind     SubjectKind
	log      *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	p, err := h.exporter.Plan(r.Context(), h.kind, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	zw := &zipResponse{w: w, name: p.FileName()}
	if err := h.exporter.Write(r.Context(), zw, p); err != nil {
		if !zw.started {
			h.fail(w, r, err)
			return
		}
		h.log.Error("evidence bundle cut off", "subject", p.Subject.String(), "err", err)
		panic(http.ErrAbortHandler) // net/http's way to abort a response
	}
	h.log.Info("evidence bundle exported", "subject", p.Subject.String(),
		"segments", len(p.Segments), "segment_bytes", p.SegmentBytes())
}

// fail answers an export that could not start: 404 for an unknown
// subject, 409 for a recording that cannot be exported, 503 when the
// evidence store does not answer or the request's bound passed, nothing
// when the client went away (httpjson.Ended), and 500 (logged here, once)
// for the rest.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, h.log) {
		return
	}
	switch {
	case errors.Is(err, ErrNotFound):
		problem.Write(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrIncomplete), errors.Is(err, ErrSegmentMissing),
		errors.Is(err, ErrSegmentMismatch):
		problem.Write(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrUnavailable):
		w.Header().Set("Retry-After", "10")
		problem.Write(w, http.StatusServiceUnavailable, err.Error()+"; try again shortly")
	default:
		h.log.Error("export evidence bundle", "path", r.URL.Path, "err", err)
		problem.Write(w, http.StatusInternalServerError,
			"the bundle could not be made; the server log has the cause")
	}
}

// zipResponse sends the headers of a bundle with its first byte, so that
// an export failing before then can still answer with a problem.
type zipResponse struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (z *zipResponse) Write(p []byte) (int, error) {
	if !z.started {
		z.started = true
		hd := z.w.Header()
		hd.Set("Content-Type", "application/zip")
		hd.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", z.name))
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		z.w.WriteHeader(http.StatusOK)
	}
	return z.w.Write(p)
}

// PublicKeyInfo is the answer of KeyHandler.
type PublicKeyInfo struct {
	Algorithm string `json:"algorithm"`
	// PublicKey is standard base64 of the 32-byte key, as
	// `liuhen verify-bundle --public-key` takes it.
	PublicKey string `json:"public_key"`
	// PEM is the same key as PEM of SubjectPublicKeyInfo, for OpenSSL.
	PEM string `json:"pem"`
}

// KeyHandler serves the public key bundles are signed with, as JSON.
func KeyHandler(pub ed25519.PublicKey) (http.Handler, error) {
	pemText, err := PublicKeyPEM(pub)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(PublicKeyInfo{Algorithm: "Ed25519",
		PublicKey: EncodePublicKey(pub), PEM: pemText})
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(body, '\n'))
	}), nil
}
