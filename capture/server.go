package capture

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/liuhen/liuhen/agenda"
)

// Config sets how the recorder runs.
type Config struct {
	// SpoolDir holds segment files until they are stored.
	SpoolDir string
	// SpoolMaxBytes bounds the segment files waiting in the spool; 0 means
	// DefaultSpoolMaxBytes. A session whose segment takes the spool to the
	// bound ends as interrupted, and no session starts until uploads make
	// room (see archiver.add).
	SpoolMaxBytes int64
	// SegmentDuration is the target length of a segment; 0 means 10 s.
	SegmentDuration time.Duration
	// ICEUDPPort, when not 0, carries every session's media on one UDP
	// port, which is easier to open in a firewall than an ephemeral range.
	ICEUDPPort int
	// ICEPublicIPs are announced as host candidates instead of the local
	// addresses, for a server behind 1:1 NAT.
	ICEPublicIPs []string
	// ICELoopback offers loopback candidates, for publishers on the same
	// machine.
	ICELoopback bool
	// ConnectTimeout ends a session whose publisher does not connect in
	// time; 0 means 30 s.
	ConnectTimeout time.Duration
	// MaxSessions bounds the sessions recorded at once, and
	// MaxMeetingSessions those of one meeting; 0 means 64 and 8. A
	// publisher over either bound gets 503.
	MaxSessions        int
	MaxMeetingSessions int
}

// Validate names the first bad setting.
func (c Config) Validate() error {
	switch {
	case c.SpoolDir == "":
		return errors.New("the spool directory (LIUHEN_SPOOL_DIR) is empty")
	case c.SpoolMaxBytes < 0:
		return fmt.Errorf("spool bound (LIUHEN_SPOOL_MAX_BYTES) %d is negative: "+
			"use a number of bytes, or 0 for the default", c.SpoolMaxBytes)
	case c.SegmentDuration < 0 || (c.SegmentDuration > 0 && c.SegmentDuration < time.Second):
		return fmt.Errorf("segment duration (LIUHEN_SEGMENT_DURATION) %v: use 1s or more", c.SegmentDuration)
	case c.ICEUDPPort < 0 || c.ICEUDPPort > 65535:
		return fmt.Errorf("ICE UDP port (LIUHEN_ICE_UDP_PORT) %d: use 0 to 65535", c.ICEUDPPort)
	case c.MaxSessions < 0 || c.MaxMeetingSessions < 0:
		return fmt.Errorf("session limits (LIUHEN_MAX_SESSIONS) %d, %d: use positive numbers, "+
			"or 0 for the defaults", c.MaxSessions, c.MaxMeetingSessions)
	case c.ConnectTimeout < 0:
		return fmt.Errorf("connect timeout %v is negative", c.ConnectTimeout)
	}
	for _, ip := range c.ICEPublicIPs {
		if net.ParseIP(ip) == nil {
			return fmt.Errorf("public IP (LIUHEN_ICE_PUBLIC_IPS) %q is not an IP address", ip)
		}
	}
	return nil
}

// Deps are the services a Server records through.
type Deps struct {
	Catalog Catalog
	Objects ObjectStore
	Auth    Authenticator
	Metrics *Metrics
	Logger  *slog.Logger
}

// Server accepts WHIP publishers and records them. Close ends every session.
type Server struct {
	cfg  Config
	deps Deps
	mux  ice.UDPMux // nil unless Config.ICEUDPPort is set

	ctx       context.Context // ends when Close starts
	cancel    context.CancelFunc
	uploadCtx context.Context // ends when Close gives up waiting for uploads
	stopUp    context.CancelFunc

	mu       sync.Mutex
	closed   bool
	sessions map[string]*session

	store     *storer
	recovered chan struct{} // closed when the spool left by the last run is stored
}

// trackCloseReserve is the part of Close's time kept for closing tracks
// in the catalogue once uploads are given up.
const trackCloseReserve = 5 * time.Second

// NewServer checks cfg, prepares the spool and, when asked, the shared UDP
// port.
func NewServer(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.SegmentDuration == 0 {
		cfg.SegmentDuration = 10 * time.Second
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 30 * time.Second
	}

	if cfg.SpoolMaxBytes == 0 {
		cfg.SpoolMaxBytes = DefaultSpoolMaxBytes
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o750); err != nil {
		return nil, fmt.Errorf("create spool directory: %w", err)
	}
	left, err := scanSpool(cfg.SpoolDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, deps: deps, sessions: map[string]*session{}}
	s.store = &storer{objects: deps.Objects, catalog: deps.Catalog, metrics: deps.Metrics,
		usage: newSpoolUsage(cfg.SpoolMaxBytes, left.pending, deps.Metrics.SpoolBytes)}
	if cfg.ICEUDPPort != 0 {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: cfg.ICEUDPPort})
		if err != nil {
			return nil, fmt.Errorf("listen on ICE UDP port %d: %w", cfg.ICEUDPPort, err)
		}
		s.mux = webrtc.NewICEUDPMux(pionLogs{deps.Logger}.NewLogger("udpmux"), conn)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.uploadCtx, s.stopUp = context.WithCancel(context.Background())
	s.recovered = make(chan struct{})
	go s.recoverSpool(left)
	return s, nil
}

// recoverSpool stores the segments the last run left in the spool: those
// it had not stored when it stopped or crashed. It runs in the background,
// so that the server starts while MinIO is down, and retries each segment
// until it is stored or the server closes; a segment that can never be
// stored is set aside and the next one is tried.
func (s *Server) recoverSpool(left spoolContents) {
	defer close(s.recovered)
	log := s.deps.Logger
	for _, path := range left.strays {
		// TODO(spool-orphans): a crash between the segment file and its
		// record leaves a file nothing names; its track and times could be
		// recovered from the file name and the catalogue.
		log.Error("file in the spool without a record: a segment cut off by a crash "+
			"before its record was written, or a temporary file; inspect it", "path", path)
	}
	if left.asideCount > 0 {
		log.Error("segments set aside as unstorable stay in the spool for inspection; "+
			"they do not count against LIUHEN_SPOOL_MAX_BYTES (see "+
			"liuhen_segments_unstorable_total)", "count", left.asideCount,
			"bytes", left.asideBytes, "dir", s.cfg.SpoolDir)
	}
	if len(left.records) == 0 {
		return
	}
	log.Warn("storing segments left in the spool by the last run",
		"count", len(left.records), "bytes", left.pendingBytes)
	s.deps.Metrics.PendingUploads.Add(float64(len(left.records)))
	for _, p := range left.records {
		if !s.recoverOne(p) {
			return
		}
		s.deps.Metrics.PendingUploads.Dec()
	}
	log.Info("segments left in the spool by the last run are stored")
}

// recoverOne stores one spooled segment. It reports false when the server
// closed before the segment could be stored.
func (s *Server) recoverOne(p pendingSegment) bool {
	if err := checkSpooled(p); err != nil {
		s.deps.Metrics.SegmentsUnstorable.Inc()
		s.store.usage.release(p.path)
		s.deps.Logger.Error("spooled segment cannot be stored", "err", err)
		if errors.Is(err, os.ErrNotExist) {
			// Nothing is left to store; keep the record out of later starts.
			_ = setAside(p.path)
		}
		return true
	}
	logger := s.deps.Logger.With("track", p.record.TrackID, "seq", p.seg.Seq)
	err := s.store.store(s.uploadCtx, logger, p.record.TrackID, p.record.Key, p.seg)
	switch {
	case errors.Is(err, errUnstorable):
		s.store.setAside(logger, p.seg, err)
	case err != nil:
		logger.Warn("spooled segment not stored; it stays for the next start", "err", err)
		return false
	}
	return true
}

// admit tells whether a new session of a meeting may start: not while the
// server closes, nor while the spool is full, nor over the session limits.
// The limits are checked before the session is negotiated, so publishers
// arriving together may pass them by a few.
func (s *Server) admit(meetingID int64) error {
	s.mu.Lock()
	closed, live, ofMeeting := s.closed, len(s.sessions), 0
	for _, ss := range s.sessions {
		if ss.ref.MeetingID == meetingID {
			ofMeeting++
		}
	}
	s.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case live >= orDefault(s.cfg.MaxSessions, 64):
		return fmt.Errorf("%w: %d sessions are being recorded (LIUHEN_MAX_SESSIONS)",
			ErrTooManySessions, live)
	case ofMeeting >= orDefault(s.cfg.MaxMeetingSessions, 8):
		return fmt.Errorf("%w: meeting %d already has %d publishers", ErrTooManySessions,
			meetingID, ofMeeting)
	}
	return s.admitSpool()
}

// admitSpool refuses a new session while the segments waiting in the
// spool reach its bound, saying what they are and why they wait.
func (s *Server) admitSpool() error {
	st := s.store.usage.state()
	if st.removedGone > 0 {
		s.deps.Logger.Warn("spooled segments were removed from the spool before they were "+
			"stored; they no longer count against LIUHEN_SPOOL_MAX_BYTES",
			"count", st.removedGone)
	}
	if !st.full {
		return nil
	}
	s.deps.Metrics.SpoolFull.Inc()
	failing := s.store.uploadFailing()
	s.deps.Logger.Error("publisher refused: the spool is full", "pending", st.files,
		"spool_bytes", st.bytes, "max_bytes", st.max, "upload_err", failing)
	return spoolFullError(st, failing)
}

// PendingSegments counts the segments of a track that wait in the spool
// to be stored; viewing copies wait for them.
func (s *Server) PendingSegments(trackID int64) int {
	return s.store.usage.pendingOf(trackID)
}

// newArchiver makes the archiver of a session's track; stop ends the
// session.
func (s *Server) newArchiver(logger *slog.Logger, ref agenda.TrackRef,
	stop func(state, reason string)) *archiver {
	return newArchiver(s.store, logger, ref, stop)
}

// Close ends every session as interrupted and waits for them to store
// their segments until ctx ends; what is not stored by then stays in the
// spool.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	live := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		live = append(live, ss)
	}
	s.mu.Unlock()

	for _, ss := range live {
		ss.stop(stateInterrupted, "server shutting down")
	}
	s.cancel()
	// Uploads get ctx's time but trackCloseReserve, which the sessions
	// keep for closing their tracks in the catalogue.
	upCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		upCtx, cancel = context.WithDeadline(ctx, deadline.Add(-trackCloseReserve))
		defer cancel()
	}
	var err error
	for _, ss := range live {
		select {
		case <-ss.done:
		case <-upCtx.Done():
			s.stopUp()
			<-ss.done
			err = fmt.Errorf("stop sessions: %w; unstored segments stay in the spool",
				upCtx.Err())
		}
	}
	select {
	case <-s.recovered:
	case <-upCtx.Done():
		s.stopUp()
		<-s.recovered
	}
	s.stopUp()
	if s.mux != nil {
		_ = s.mux.Close()
	}
	return err
}

// newAPI builds a pion API that negotiates exactly the plan's codecs, with
// NACK, RTCP reports and TWCC interceptors.
func (s *Server) newAPI(plan offerPlan) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := plan.register(m); err != nil {
		return nil, err
	}
	registry := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, registry); err != nil {
		return nil, fmt.Errorf("register interceptors: %w", err)
	}
	var se webrtc.SettingEngine
	se.LoggerFactory = pionLogs{s.deps.Logger}
	// RFC 7675 consent: a publisher gone for 10 s fails ICE, which ends
	// the session well within 15 s of its last packet.
	se.SetICETimeouts(4*time.Second, 10*time.Second, 2*time.Second)
	se.SetIncludeLoopbackCandidate(s.cfg.ICELoopback)
	if len(s.cfg.ICEPublicIPs) > 0 {
		se.SetNAT1To1IPs(s.cfg.ICEPublicIPs, webrtc.ICECandidateTypeHost)
	}
	if s.mux != nil {
		se.SetICEUDPMux(s.mux)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(registry),
		webrtc.WithSettingEngine(se)), nil
}

func (s *Server) add(ss *session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.sessions[ss.id] = ss
	s.deps.Metrics.LiveSessions.Inc()
	return nil
}

func (s *Server) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; ok {
		delete(s.sessions, id)
		s.deps.Metrics.LiveSessions.Dec()
	}
}

// LiveMeeting returns the meeting of a live session opened with the token
// whose SHA-256 is sum (see access.LiveSessions). A session that was told
// to stop no longer counts, though it may still be storing segments.
func (s *Server) LiveMeeting(sum [sha256.Size]byte) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		if subtle.ConstantTimeCompare(sum[:], ss.tokenHash[:]) == 1 && ss.ctx.Err() == nil {
			return ss.ref.MeetingID, true
		}
	}
	return 0, false
}

func (s *Server) lookup(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
