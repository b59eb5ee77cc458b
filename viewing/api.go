package viewing

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/storage"
)

// LinkTTL is how long the download link the API hands out stays valid.
const LinkTTL = time.Hour

// API serves GET /recordings/{id}/viewing-copy: the copy's state, object
// key, SHA-256, size, the master segments it came from and, when it is
// done, a download link valid for LinkTTL. Mount it behind access.Guard's
// Require: the admin token and the publish tokens of the recording's
// meeting may read it.
type API struct {
	store   *store
	objects Objects
	logger  *slog.Logger
}

// NewAPI returns the API over the database and the evidence store.
func NewAPI(pool *pgxpool.Pool, objects Objects, logger *slog.Logger) *API {
	return &API{store: &store{pool: pool}, objects: objects,
		logger: logger.With("component", "viewing-api")}
}

// ServeHTTP answers GET for the recording named by the route's {id}.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	meeting, state, err := a.store.recordingMeeting(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		problem.Write(w, http.StatusNotFound, fmt.Sprintf("recording %d does not exist", id))
		return
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	p, ok := access.FromContext(r.Context())
	if !ok || !p.CanReadMeeting(meeting) {
		problem.Write(w, http.StatusForbidden,
			fmt.Sprintf("this token does not give access to meeting %d", meeting))
		return
	}
	c, err := a.store.get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		problem.Write(w, http.StatusNotFound, notYet(id, state))
		return
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	if c.State == StateDone {
		if err := a.link(r, &c); err != nil {
			a.linkFailed(w, c, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(c)
}

// notYet explains why a recording has no copy row.
func notYet(id int64, state string) string {
	if state == "recording" {
		return fmt.Sprintf("recording %d is still being recorded; its viewing copy is "+
			"made after it ends", id)
	}
	return fmt.Sprintf("recording %d has no viewing copy yet; it is queued shortly after "+
		"the recording ends, when a server runs viewing-copy workers", id)
}

func (a *API) link(r *http.Request, c *Copy) error {
	u, err := a.objects.PresignGet(r.Context(), c.ObjectKey, LinkTTL)
	if err != nil {
		return err
	}
	expires := time.Now().Add(LinkTTL).UTC().Truncate(time.Second)
	c.URL, c.URLExpiresAt = u.String(), &expires
	return nil
}

// retryAfterStore is the Retry-After, in seconds, of an answer cut off by
// an evidence store that did not answer.
const retryAfterStore = "30"

// linkFailed answers a done copy whose link could not be made: 503 with
// Retry-After when the evidence store did not answer.
func (a *API) linkFailed(w http.ResponseWriter, c Copy, err error) {
	a.logger.Error("link viewing copy", "key", c.ObjectKey, "err", err)
	if errors.Is(err, storage.ErrUnavailable) {
		w.Header().Set("Retry-After", retryAfterStore)
		problem.Write(w, http.StatusServiceUnavailable, fmt.Sprintf("the evidence store "+
			"(MinIO) did not answer, so the viewing copy %s cannot be linked now; try "+
			"again later", c.ObjectKey))
		return
	}
	problem.Write(w, http.StatusServiceUnavailable, fmt.Sprintf(
		"the viewing copy %s cannot be linked now: %v; try again later", c.ObjectKey, err))
}

// fail answers a copy that could not be read: 503 for the bound that
// passed, nothing when the client went away (httpjson.Ended), and 503,
// logged here, when the database failed otherwise.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, a.logger) {
		return
	}
	a.logger.Error("viewing copy request", "path", r.URL.Path, "err", err)
	problem.Write(w, http.StatusServiceUnavailable,
		"the database could not be read; try again later")
}
