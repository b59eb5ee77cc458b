package capture

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/pion/logging"
)

// pionLogs routes pion's logs into slog, one child logger per pion scope.
// pion's trace and debug output is dropped unless slog's debug level is on.
type pionLogs struct{ logger *slog.Logger }

var _ logging.LoggerFactory = pionLogs{}

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.logger.With("pion", scope)}
}

type pionLogger struct{ l *slog.Logger }

func (p pionLogger) log(level slog.Level, msg string) {
	if p.l.Enabled(context.Background(), level) {
		p.l.Log(context.Background(), level, msg)
	}
}

func (p pionLogger) logf(level slog.Level, format string, args ...any) {
	if p.l.Enabled(context.Background(), level) {
		p.l.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

const levelTrace = slog.LevelDebug - 4

// routineWarnings are warnings pion logs in every session, at set-up
// before the remote candidates are applied and at tear-down for packets in
// flight; they say nothing is wrong, so they are logged at debug level.
var routineWarnings = []string{
	"Failed to ping without candidate pairs",
	"Failed to accept RTP",
	"Failed to accept RTCP",
	"Warning: mux: no endpoint for packet",
}

func warnLevel(msg string) slog.Level {
	for _, w := range routineWarnings {
		if strings.HasPrefix(msg, w) {
			return slog.LevelDebug
		}
	}
	return slog.LevelWarn
}

func (p pionLogger) Trace(msg string)             { p.log(levelTrace, msg) }
func (p pionLogger) Tracef(f string, args ...any) { p.logf(levelTrace, f, args...) }
func (p pionLogger) Debug(msg string)             { p.log(slog.LevelDebug, msg) }
func (p pionLogger) Debugf(f string, args ...any) { p.logf(slog.LevelDebug, f, args...) }
func (p pionLogger) Info(msg string)              { p.log(slog.LevelDebug, msg) }
func (p pionLogger) Infof(f string, args ...any)  { p.logf(slog.LevelDebug, f, args...) }
func (p pionLogger) Warn(msg string)              { p.log(warnLevel(msg), msg) }
func (p pionLogger) Warnf(f string, args ...any)  { p.logf(warnLevel(f), f, args...) }
func (p pionLogger) Error(msg string)             { p.log(slog.LevelError, msg) }
func (p pionLogger) Errorf(f string, args ...any) { p.logf(slog.LevelError, f, args...) }
