package main

import (
	"testing"
)

// TestExitStatus checks the exit statuses README.md promises for bad
// usage; none of these cases reaches a database.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"help", []string{"--help"}, nil, exitOK},
		{"unknown command", []string{"bogus"}, nil, exitUsage},
		{"unknown flag", []string{"verify", "--bogus"}, nil, exitUsage},
		{"bad format", []string{"verify", "--format", "xml"}, nil, exitUsage},
		{"bad date", []string{"verify", "--from", "2026-13-01"}, nil, exitUsage},
		{"publish without URL", []string{"publish"}, nil, exitUsage},
		{"publish without media", []string{"publish", "http://127.0.0.1:1/whip/1"}, nil, exitUsage},
		{"publish with a non-HTTP URL", []string{"publish", "--audio", "x.ogg", "ftp://x/whip/1"}, nil, exitUsage},
		{"token without meeting", []string{"token"}, nil, exitUsage},
		{"token for a meeting and an inspector", []string{"token", "--meeting", "1",
			"--inspector", "王明"}, nil, exitUsage},
		{"inspector token without a name", []string{"token", "--inspector", " "}, nil,
			exitUsage},
		{"inspector token too short", []string{"token", "--inspector", "王明", "--ttl", "30m"},
			nil, exitUsage},
		{"serve without admin token", []string{"serve"}, map[string]string{"LIUHEN_ADMIN_TOKEN": ""}, exitUsage},
		{"bad setting", []string{"migrate"}, map[string]string{"LIUHEN_SEGMENT_DURATION": "ten"}, exitUsage},
		{"database down", []string{"migrate"},
			map[string]string{"LIUHEN_DATABASE_URL": "postgres://x@127.0.0.1:1/x?connect_timeout=2"}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if got := run(tt.args); got != tt.want {
				t.Errorf("liuhen %v: got exit status %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}
