// Command demo drives the meeting-room page in headless Chromium for
// `make demo`: it streams a meeting for a while, marks two agenda items,
// ends the session and waits until the recording is finished.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/liuhen/liuhen/internal/browser"
)

func main() {
	baseURL := flag.String("url", "http://127.0.0.1:8089", "Liuhen server URL")
	meeting := flag.Int64("meeting", 0, "meeting to record")
	token := flag.String("token", "", "publish token of the meeting")
	audio := flag.String("audio", "testdata/media/EN2002a_30s.wav", "WAV file the fake microphone plays")
	seconds := flag.Int("seconds", 30, "how long to stream")
	flag.Parse()
	if *meeting <= 0 || *token == "" {
		fmt.Fprintln(os.Stderr, "demo: give -meeting and -token")
		os.Exit(2)
	}
	if err := run(*baseURL, *meeting, *token, *audio, time.Duration(*seconds)*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

type meetingView struct {
	Title       string `json:"title"`
	AgendaItems []struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"agenda_items"`
	Recordings []struct {
		ID     int64  `json:"id"`
		State  string `json:"state"`
		Tracks []struct {
			Segments   int    `json:"segments"`
			LastSHA256 string `json:"last_segment_sha256"`
		} `json:"tracks"`
	} `json:"recordings"`
}

func run(baseURL string, meeting int64, token, audio string, length time.Duration) error {
	m, err := fetchMeeting(baseURL, meeting, token)
	if err != nil {
		return err
	}
	if len(m.AgendaItems) < 2 {
		return fmt.Errorf("meeting %d has %d agenda items; the demo marks two", meeting, len(m.AgendaItems))
	}
	abs, err := filepath.Abs(audio)
	if err != nil {
		return err
	}
	b, err := browser.Start(context.Background(), browser.Options{AudioFile: abs})
	if err != nil {
		return err
	}
	defer b.Close()
	room, err := b.OpenRoom(baseURL, meeting, token)
	if err != nil {
		return err
	}
	fmt.Printf("streaming %q from headless Chromium for %v (audio: %s)\n", m.Title, length, audio)
	if err := room.Start(); err != nil {
		return err
	}
	start := time.Now()
	first, second := m.AgendaItems[0], m.AgendaItems[1]
	steps := []struct {
		at     time.Duration
		item   int64
		action string
		title  string
	}{
		{length / 10, first.ID, "start", first.Title},
		{length * 4 / 10, first.ID, "end", first.Title},
		{length * 5 / 10, second.ID, "start", second.Title},
		{length * 9 / 10, second.ID, "end", second.Title},
	}
	for _, s := range steps {
		time.Sleep(time.Until(start.Add(s.at)))
		if err := room.Mark(s.item, s.action); err != nil {
			return err
		}
		fmt.Printf("  %5.1fs  %s of agenda item %d %s\n", time.Since(start).Seconds(), s.action, s.item, s.title)
	}
	time.Sleep(time.Until(start.Add(length)))
	status, err := room.Status()
	if err != nil {
		return err
	}
	if err := room.Stop(); err != nil {
		return err
	}
	fmt.Printf("stopped after %.1fs; just before, the page showed: connection %s, "+
		"recording %s, %s segments stored, last SHA-256 %s\n", time.Since(start).Seconds(),
		status["connection"], status["recording"], status["segments"], status["hash"])
	return waitFinished(baseURL, meeting, token)
}

// waitFinished waits until the last segments are stored and the
// recording is closed.
func waitFinished(baseURL string, meeting int64, token string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		m, err := fetchMeeting(baseURL, meeting, token)
		if err != nil {
			return err
		}
		if n := len(m.Recordings); n > 0 && m.Recordings[n-1].State != "recording" {
			r := m.Recordings[n-1]
			for _, t := range r.Tracks {
				fmt.Printf("recording %d %s: %s stored, last SHA-256 %s\n",
					r.ID, r.State, plural(t.Segments, "segment"), t.LastSHA256)
			}
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("the recording of meeting %d was not finished within 60s", meeting)
}

func fetchMeeting(baseURL string, meeting int64, token string) (meetingView, error) {
	var m meetingView
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/meetings/%d", baseURL, meeting), nil)
	if err != nil {
		return m, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, fmt.Errorf("fetch meeting %d: %w", meeting, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("fetch meeting %d: HTTP %d", meeting, resp.StatusCode)
	}
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// plural writes n things, in the plural unless n is 1.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
