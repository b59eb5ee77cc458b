package capture

import (
	"context"
	"crypto/rand"
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
)

// Config sets how the recorder runs.
type Config struct {
	// SpoolDir holds segment files until they are stored.
	SpoolDir string
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
}

// Validate names the first bad setting.
func (c Config) Validate() error {
	switch {
	case c.SpoolDir == "":
		return errors.New("the spool directory (LIUHEN_SPOOL_DIR) is empty")
	case c.SegmentDuration < 0 || (c.SegmentDuration > 0 && c.SegmentDuration < time.Second):
		return fmt.Errorf("segment duration (LIUHEN_SEGMENT_DURATION) %v: use 1s or more", c.SegmentDuration)
	case c.ICEUDPPort < 0 || c.ICEUDPPort > 65535:
		return fmt.Errorf("ICE UDP port (LIUHEN_ICE_UDP_PORT) %d: use 0 to 65535", c.ICEUDPPort)
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

	recovered chan struct{} // closed when the spool left by the last run is stored
}

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
	if err := os.MkdirAll(cfg.SpoolDir, 0o750); err != nil {
		return nil, fmt.Errorf("create spool directory: %w", err)
	}
	s := &Server{cfg: cfg, deps: deps, sessions: map[string]*session{}}
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
	go s.recoverSpool()
	return s, nil
}

// recoverSpool stores the segments the last run left in the spool: those
// it had not stored when it stopped or crashed. It runs in the background,
// so that the server starts while MinIO is down, and retries until the
// server closes.
func (s *Server) recoverSpool() {
	defer close(s.recovered)
	pending, problems := readSpool(s.cfg.SpoolDir)
	for _, err := range problems {
		s.deps.Logger.Error("spooled segment cannot be stored", "err", err)
	}
	if len(pending) == 0 {
		return
	}
	s.deps.Logger.Warn("storing segments left in the spool by the last run", "count", len(pending))
	s.deps.Metrics.PendingUploads.Add(float64(len(pending)))
	for _, p := range pending {
		logger := s.deps.Logger.With("track", p.record.TrackID, "seq", p.seg.Seq)
		err := storeSegment(s.uploadCtx, s.deps.Objects, s.deps.Catalog, s.deps.Metrics, logger,
			p.record.TrackID, p.record.Key, p.seg)
		if err != nil {
			logger.Warn("spooled segment not stored; it stays for the next start", "err", err)
			return
		}
		s.deps.Metrics.PendingUploads.Dec()
	}
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
	var err error
	for _, ss := range live {
		select {
		case <-ss.done:
		case <-ctx.Done():
			s.stopUp()
			<-ss.done
			err = fmt.Errorf("stop sessions: %w; unstored segments stay in the spool", ctx.Err())
		}
	}
	select {
	case <-s.recovered:
	case <-ctx.Done():
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
