// Package browser drives Debian's Chromium, headless: through the
// meeting-room page (the way a meeting room publishes) and the inspectors'
// search and watch pages, for the demo and the end-to-end tests; and to
// print pages, such as reports, to PDF.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium means no Chromium binary was found.
var ErrNoChromium = errors.New("chromium not found: install it with " +
	"`apt-get install chromium` (Debian), or set LIUHEN_CHROMIUM to its path")

// FindChromium returns the Chromium binary to use: $LIUHEN_CHROMIUM, or
// the first of the usual names on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv("LIUHEN_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Options choose what the browser's fake devices capture.
type Options struct {
	// AudioFile is a WAV file the fake microphone plays, looping; empty
	// gives Chromium's beeps.
	AudioFile string
	// VideoFile is a Y4M file the fake camera plays; empty gives
	// Chromium's test pattern.
	VideoFile string
	// Log receives Chromium's own output; nil discards it.
	Log func(format string, args ...any)
}

// Browser is a running headless Chromium with its own profile.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Start launches Chromium. Close stops it and removes its profile.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	path, err := FindChromium()
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "liuhen-chromium-")
	if err != nil {
		return nil, fmt.Errorf("create browser profile: %w", err)
	}
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
	if opts.AudioFile != "" {
		flags = append(flags, chromedp.Flag("use-file-for-fake-audio-capture", opts.AudioFile))
	}
	if opts.VideoFile != "" {
		flags = append(flags, chromedp.Flag("use-file-for-fake-video-capture", opts.VideoFile))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, flags...)
	var ctxOpts []chromedp.ContextOption
	if opts.Log != nil {
		ctxOpts = append(ctxOpts, chromedp.WithErrorf(opts.Log))
	}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, ctxOpts...)
	if err := chromedp.Do(tabCtx); err != nil {
		cancelTab()
		cancelAlloc()
		os.RemoveAll(profile)
		return nil, fmt.Errorf("start chromium (%s): %w", path, err)
	}
	return &Browser{ctx: tabCtx, cancel: func() {
		cancelTab()
		cancelAlloc()
		os.RemoveAll(profile)
	}}, nil
}

// Close stops the browser.
func (b *Browser) Close() { b.cancel() }

// Room is the meeting-room page open in the browser.
type Room struct{ b *Browser }

// OpenRoom loads the page for a meeting and waits until it can publish.
func (b *Browser) OpenRoom(baseURL string, meetingID int64, token string) (*Room, error) {
	url := fmt.Sprintf("%s/room/%d#token=%s", baseURL, meetingID, token)
	err := b.run(30*time.Second,
		chromedp.Navigate(url),
		chromedp.WaitEnabled(chromedp.CSS("#start")))
	if err != nil {
		return nil, fmt.Errorf("open meeting room %s: %w (page error: %s)", url, err, b.pageError())
	}
	return &Room{b}, nil
}

func (b *Browser) run(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

func (b *Browser) text(sel string) (string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
}

func (b *Browser) pageError() string {
	msg, _ := b.text("#error")
	return msg
}

// Start clicks "start streaming" and waits until the connection is up.
func (r *Room) Start() error {
	err := r.b.run(30*time.Second,
		chromedp.Click(chromedp.CSS("#start")),
		chromedp.WaitVisible(chromedp.CSS(`#status-connection.live`)))
	if err != nil {
		return fmt.Errorf("start streaming: %w (page error: %s)", err, r.b.pageError())
	}
	return nil
}

// Mark clicks the start or end button of an agenda item and waits until
// the page shows no error.
func (r *Room) Mark(itemID int64, action string) error {
	sel := `button[data-item="` + strconv.FormatInt(itemID, 10) + `"][data-action="` + action + `"]`
	if err := r.b.run(10*time.Second, chromedp.Click(chromedp.CSS(sel))); err != nil {
		return fmt.Errorf("mark item %d %s: %w", itemID, action, err)
	}
	time.Sleep(300 * time.Millisecond) // the click's request runs asynchronously
	if msg := r.b.pageError(); msg != "" {
		return fmt.Errorf("mark item %d %s: %s", itemID, action, msg)
	}
	return nil
}

// Stop clicks "stop", which ends the WHIP session with DELETE.
func (r *Room) Stop() error {
	err := r.b.run(15*time.Second,
		chromedp.Click(chromedp.CSS("#stop")),
		chromedp.WaitEnabled(chromedp.CSS("#start")))
	if err != nil {
		return fmt.Errorf("stop streaming: %w (page error: %s)", err, r.b.pageError())
	}
	if msg := r.b.pageError(); msg != "" {
		return fmt.Errorf("stop streaming: %s", msg)
	}
	return nil
}

// Status returns what the page shows in its status panel.
func (r *Room) Status() (map[string]string, error) {
	out := map[string]string{}
	for _, id := range []string{"connection", "recording", "segments", "hash"} {
		v, err := r.b.text("#status-" + id)
		if err != nil {
			return nil, fmt.Errorf("read page status: %w", err)
		}
		out[id] = v
	}
	return out, nil
}
