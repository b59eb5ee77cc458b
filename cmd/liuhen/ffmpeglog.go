package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/asticode/go-astiav"
)

// routeFFmpegLogs sends what FFmpeg's libraries log into logger, so that
// LIUHEN_LOG_FORMAT=json gives JSON only. FFmpeg's info lines (encoder
// banners, muxer passes) come through at debug level, its warnings and
// errors as warnings, since Liuhen handles the errors FFmpeg returns.
func routeFFmpegLogs(logger *slog.Logger) {
	logger = logger.With("component", "ffmpeg")
	astiav.SetLogLevel(astiav.LogLevelInfo)
	astiav.SetLogCallback(func(c astiav.Classer, l astiav.LogLevel, _, msg string) {
		level := slog.LevelDebug
		if l <= astiav.LogLevelWarning {
			level = slog.LevelWarn
		}
		if !logger.Enabled(context.Background(), level) {
			return
		}
		msg = strings.TrimSpace(msg)
		if msg == "" {
			return
		}
		if c != nil && c.Class() != nil {
			logger.Log(context.Background(), level, msg, "class", c.Class().Name())
			return
		}
		logger.Log(context.Background(), level, msg)
	})
}
