// Package mediatest helps tests make and inspect media with the FFmpeg
// command-line tools, and finds the project's shared test media.
package mediatest

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/testenv"
)

// RequireTool fails the test when an external program is missing.
func RequireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s not found on PATH: install FFmpeg (apt-get install ffmpeg)", name)
	}
}

// Run runs an external program and returns its standard output, failing
// the test with its standard error when it fails.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	RequireTool(t, name)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// SpeechWAV is the path of the recorded meeting excerpt the tests share
// (testdata/media/EN2002a_30s.wav; see README.md for its source).
func SpeechWAV(t testing.TB) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "testdata", "media", "EN2002a_30s.wav")
}
