package capture

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/pion/webrtc/v4"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/problem"
)

const (
	sdpType       = "application/sdp"
	maxOfferBytes = 64 << 10
)

// Routes returns the WHIP endpoint and session resources (RFC 9725), to be
// mounted at /whip: POST /{meeting} starts a session, DELETE
// /{meeting}/{session} ends it.
func (s *Server) Routes() chi.Router {
	r := chi.NewRouter()
	r.HandleFunc("/{meeting}", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			s.handlePublish(w, r)
		case http.MethodOptions:
			handleEndpointOptions(w, r)
		default:
			methodNotAllowed(w, "OPTIONS, POST")
		}
	})
	r.HandleFunc("/{meeting}/{session}", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodDelete:
			s.handleDelete(w, r)
		case http.MethodPatch:
			s.handlePatch(w, r)
		default:
			methodNotAllowed(w, "PATCH, DELETE")
		}
	})
	return r
}

// methodNotAllowed keeps the methods RFC 9725 §4.2 reserves.
func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	problem.Write(w, http.StatusMethodNotAllowed, "this WHIP resource accepts "+allow)
}

// handleEndpointOptions answers CORS preflights and says what POST takes
// (RFC 9725 §4.2).
func handleEndpointOptions(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", "OPTIONS, POST")
	w.Header().Set("Accept-Post", sdpType)
	w.WriteHeader(http.StatusNoContent)
}

// handlePublish starts a session from an SDP offer (RFC 9725 §4.2).
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	meetingID, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != sdpType {
		w.Header().Set("Accept-Post", sdpType)
		problem.Write(w, http.StatusUnsupportedMediaType,
			"send the SDP offer with Content-Type: application/sdp")
		return
	}
	offer, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxOfferBytes))
	if err != nil {
		problem.Write(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the SDP offer is larger than %d bytes", maxOfferBytes))
		return
	}
	plan, err := planOffer(string(offer))
	if err != nil {
		writeOfferError(w, err)
		return
	}

	token, _ := access.BearerToken(r)
	ss, answer, err := s.start(r.Context(), meetingID, plan, string(offer),
		sha256.Sum256([]byte(token)))
	if err != nil {
		s.writeStartError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", sdpType)
	w.Header().Set("Location", fmt.Sprintf("/whip/%d/%s", meetingID, ss.id))
	w.Header().Set("ETag", `"`+ss.id+`"`)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

func writeOfferError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrUnsupportedCodec) || errors.Is(err, ErrExtraTrack) {
		// RFC 9725 §4.3: reject rather than answer part of the offer.
		problem.Write(w, http.StatusNotAcceptable, err.Error())
		return
	}
	problem.Write(w, http.StatusBadRequest, err.Error())
}

// writeStartError answers a session that could not start. One cut off by
// the request's bound, or by PostgreSQL being down, is answered by
// httpjson.Ended: 503 with Retry-After.
func (s *Server) writeStartError(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, s.deps.Logger) {
		return
	}
	switch {
	case errors.Is(err, ErrBadOffer):
		problem.Write(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrSpoolFull):
		w.Header().Set("Retry-After", "60")
		problem.Write(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, ErrTooManySessions):
		w.Header().Set("Retry-After", "30")
		problem.Write(w, http.StatusServiceUnavailable, err.Error()+
			"; end a session that is no longer needed, or publish again later")
	case errors.Is(err, ErrClosed):
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable, "the server is shutting down; publish again shortly")
	default:
		s.deps.Logger.Error("start WHIP session", "err", err)
		problem.Write(w, http.StatusInternalServerError, "the session could not be started")
	}
}

// authorize checks the bearer token and the meeting. It writes the
// response and returns false when the request may not go on.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (int64, bool) {
	p, ok := s.authenticate(w, r)
	if !ok {
		return 0, false
	}
	id, ok := meetingOf(w, r, p)
	if !ok {
		return 0, false
	}
	exists, err := s.deps.Catalog.MeetingExists(r.Context(), id)
	if err != nil && httpjson.Ended(w, r, err, s.deps.Logger) {
		return 0, false
	}
	if err != nil {
		s.deps.Logger.Error("look up meeting", "meeting", id, "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "the database is unavailable; try again")
		return 0, false
	}
	if !exists {
		problem.Write(w, http.StatusNotFound, fmt.Sprintf("meeting %d does not exist", id))
		return 0, false
	}
	return id, true
}

// authenticate tells who sent r, writing 401 or 503 when it cannot.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	p, err := s.deps.Auth.Authenticate(r)
	refused := errors.Is(err, access.ErrNoToken) || errors.Is(err, access.ErrUnknownToken)
	if err != nil && !refused && httpjson.Ended(w, r, err, s.deps.Logger) {
		return p, false
	}
	if err != nil && !refused {
		// The token could not be checked: not the publisher's fault.
		s.deps.Logger.Error("authenticate WHIP request", "err", err)
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable,
			"the token could not be checked right now; try again shortly")
		return p, false
	}
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="liuhen"`)
		problem.Write(w, http.StatusUnauthorized,
			"send Authorization: Bearer with the admin token or this meeting's publish token")
		return p, false
	}
	return p, true
}

// meetingOf reads the meeting id of r's path and checks that p may write
// it, writing 404 or 403 when not.
func meetingOf(w http.ResponseWriter, r *http.Request, p access.Principal) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "meeting"), 10, 64)
	if err != nil || id <= 0 {
		problem.Write(w, http.StatusNotFound, "no such meeting: the path must be /whip/{meeting id}")
		return 0, false
	}
	if !p.CanWriteMeeting(id) {
		problem.Write(w, http.StatusForbidden, "this token may publish only to its own meeting")
		return 0, false
	}
	return id, true
}

// authorizeSession finds the live session of r's path and checks that r
// may act on it: with any token that may write the meeting. The guard
// (access.Guard with the server as its LiveSessions) takes the token that
// opened a live session for its meeting even once it has expired, and
// checks it and the admin token without the database, so that a
// publisher can end its session while PostgreSQL is down.
func (s *Server) authorizeSession(w http.ResponseWriter, r *http.Request) (*session, bool) {
	p, ok := s.authenticate(w, r)
	if !ok {
		return nil, false
	}
	id, ok := meetingOf(w, r, p)
	if !ok {
		return nil, false
	}
	ss := s.lookup(chi.URLParam(r, "session"))
	if ss == nil || ss.ref.MeetingID != id {
		problem.Write(w, http.StatusNotFound, "no such WHIP session; it may have ended already")
		return nil, false
	}
	return ss, true
}

// start negotiates the PeerConnection, opens the track's rows and starts
// the session's goroutine. It returns the SDP answer with every candidate
// (RFC 9725 §4.3.2: the server does not trickle).
func (s *Server) start(ctx context.Context, meetingID int64, plan offerPlan,
	offer string, tokenHash [sha256.Size]byte) (*session, string, error) {
	if err := s.admit(meetingID); err != nil {
		return nil, "", err
	}
	api, err := s.newAPI(plan)
	if err != nil {
		return nil, "", err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", fmt.Errorf("create peer connection: %w", err)
	}
	answer, err := negotiate(ctx, pc, offer)
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}

	id := newSessionID()
	audio, video := plan.codecNames()
	ref, err := s.deps.Catalog.OpenTrack(ctx, meetingID, id, audio, video, time.Now())
	if err != nil {
		_ = pc.Close()
		return nil, "", fmt.Errorf("open track: %w", err)
	}
	ss, err := s.newSession(id, ref, plan, pc, tokenHash)
	if err != nil {
		_ = pc.Close()
		s.closeTrack(ref.TrackID)
		return nil, "", err
	}
	return ss, answer, nil
}

// negotiate applies the offer and returns the complete answer.
func negotiate(ctx context.Context, pc *webrtc.PeerConnection, offer string) (string, error) {
	err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("set local description: %w", err)
	}
	select {
	case <-gathered:
	case <-time.After(10 * time.Second):
		return "", errors.New("gather ICE candidates: timed out after 10s")
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return pc.LocalDescription().SDP, nil
}

func (s *Server) newSession(id string, ref agenda.TrackRef, plan offerPlan,
	pc *webrtc.PeerConnection, tokenHash [sha256.Size]byte) (*session, error) {
	logger := s.deps.Logger.With("session", id, "meeting", ref.MeetingID,
		"recording", ref.RecordingID, "track", ref.TrackID)
	ss := &session{
		id: id, ref: ref, plan: plan, pc: pc, tokenHash: tokenHash,
		catalog: s.deps.Catalog, metrics: s.deps.Metrics, logger: logger,
		done: make(chan struct{}),
	}
	ss.ctx, ss.cancel = context.WithCancel(s.ctx)
	ss.arch = s.newArchiver(logger, ref, ss.stop)
	audio, video := plan.codecNames()
	seg, err := NewSegmenter(SegmenterConfig{
		Dir: s.cfg.SpoolDir,
		// The session id makes the name unique even if track ids repeat
		// (a restored database, two servers on one spool).
		Name:            fmt.Sprintf("track-%d-%s", ref.TrackID, id),
		Duration:        s.cfg.SegmentDuration,
		AudioCodec:      audio,
		VideoCodec:      video,
		Zero:            ref.Zero,
		RequestKeyframe: ss.requestKeyframe,
		OnSegment:       ss.onSegment,
		Logger:          logger,
	})
	if err != nil {
		ss.cancel()
		return nil, fmt.Errorf("create segmenter: %w", err)
	}
	ss.seg = seg
	if err := s.add(ss); err != nil {
		ss.cancel()
		_ = seg.Close()
		return nil, err
	}

	pc.OnTrack(ss.onTrack)
	pc.OnConnectionStateChange(ss.onConnectionState)
	connectTimer := time.AfterFunc(s.cfg.ConnectTimeout, func() {
		if !ss.connected.Load() {
			ss.stop(stateInterrupted, "publisher did not connect in time")
		}
	})
	go func() {
		defer s.remove(id)
		defer connectTimer.Stop()
		ss.run(s.uploadCtx)
	}()
	logger.Info("session started", "audio", audio, "video", video)
	return ss, nil
}

// closeTrack marks a track that never got going as interrupted.
func (s *Server) closeTrack(trackID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	end := agenda.TrackEnd{State: stateInterrupted, Reason: "session could not start",
		Segments: 0, At: time.Now()}
	if err := s.deps.Catalog.CloseTrack(ctx, trackID, end); err != nil {
		s.deps.Logger.Error("close track", "track", trackID, "err", err)
	}
}

// handleDelete ends a session (RFC 9725 §4.2). It answers once the
// session has stopped taking media; its last segments are stored after.
// The token that opened the session ends it even once it has expired (a
// meeting may outlast its publish token), and with it or the admin token
// DELETE needs no database (see authorizeSession): the segments and the
// track's end are stored once PostgreSQL is back. A DELETE repeated once
// the session has stopped needs a token that is valid on its own.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.authorizeSession(w, r)
	if !ok {
		return
	}
	ss.stop(stateFinished, "publisher sent DELETE")
	w.WriteHeader(http.StatusOK)
}

// handlePatch: Liuhen supports neither trickle ICE nor ICE restarts, so
// RFC 9725 §4.3.1 asks for 501. Publishers send all candidates in the offer.
func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorizeSession(w, r); !ok {
		return
	}
	problem.Write(w, http.StatusNotImplemented,
		"trickle ICE and ICE restarts are not supported: put every candidate in the offer")
}
