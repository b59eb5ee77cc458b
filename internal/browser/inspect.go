package browser

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Search opens the search page with token, searches for text and returns
// the links of the results to their watch pages.
func (b *Browser) Search(baseURL, token, text string) ([]string, error) {
	url := baseURL + "/search#token=" + token
	err := b.run(30*time.Second,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#go")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#unit").options.length > 1`),
		chromedp.SetValue(chromedp.CSS("#q"), text),
		chromedp.Click(chromedp.CSS("#go")),
		chromedp.WaitVisible(chromedp.CSS("#results a.watch")))
	if err != nil {
		return nil, fmt.Errorf("search %q: %w (page error: %s)", text, err, b.pageError())
	}
	return b.eval30s(`[...document.querySelectorAll("#results a.watch")]` +
		`.map((a) => a.getAttribute("href"))`)
}

// Watch is what the watch page shows once its player has sought to the
// agenda item.
type Watch struct {
	// CurrentTime is the player's position in seconds.
	CurrentTime float64
	Chapters    []string // the chapter list's text, item by item
	Verdict     string
	Segments    int // rows of the segment table
}

// OpenFirstResult clicks the first result of a search and waits until the
// watch page's player has sought to the item's index point.
func (b *Browser) OpenFirstResult() (Watch, error) {
	err := b.run(60*time.Second,
		chromedp.Click(chromedp.CSS("#results a.watch")),
		chromedp.WaitReady(chromedp.CSS(`#player[data-seeked="true"]`)))
	if err != nil {
		return Watch{}, fmt.Errorf("open the first result: %w (page error: %s)", err,
			b.pageError())
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	var w Watch
	if w.CurrentTime, err = chromedp.Run(ctx,
		chromedp.Evaluate[float64](`document.querySelector("#player").currentTime`)); err != nil {
		return w, fmt.Errorf("read the player's time: %w", err)
	}
	if w.Chapters, err = b.eval30s(`[...document.querySelectorAll("#chapters li")]` +
		`.map((li) => li.textContent)`); err != nil {
		return w, err
	}
	if w.Verdict, err = b.text("#verdict"); err != nil {
		return w, err
	}
	w.Segments, err = chromedp.Run(ctx,
		chromedp.Evaluate[int](`document.querySelectorAll("#segments tbody tr").length`))
	return w, err
}

// OpenWatch opens the watch page of an agenda item with the tab's token
// and waits until it shows the item's verdict.
func (b *Browser) OpenWatch(baseURL string, itemID int64) error {
	url := fmt.Sprintf("%s/watch/%d", baseURL, itemID)
	err := b.run(30*time.Second,
		chromedp.Navigate(url),
		chromedp.Poll[chromedp.Void](`document.querySelector("#verdict").textContent !== ""`))
	if err != nil {
		return fmt.Errorf("open %s: %w (page error: %s)", url, err, b.pageError())
	}
	return nil
}

// Export is what the watch page's export button gave.
type Export struct {
	Path string // the saved bundle
	Name string // the file name the page gave the download
	// PublicKey and Command are what the page shows beside the button: the
	// signing key and the command that checks the bundle offline.
	PublicKey, Command string
}

// errNoDownload means the browser ended a download without saving it.
var errNoDownload = errors.New("the download was canceled")

// ExportEvidence clicks the watch page's export button and waits until the
// browser has saved the bundle into dir, or the page shows an error.
func (b *Browser) ExportEvidence(dir string) (Export, error) {
	var x Export
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	events := make(chan any, 256)
	if err := chromedp.Listen(ctx, func(ev any) { keep(events, ev) }); err != nil {
		return x, fmt.Errorf("listen for downloads: %w", err)
	}
	err := chromedp.Do(ctx,
		chromedp.Poll[chromedp.Void](`document.querySelector("#signing-key").textContent !== ""`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior,
				browser.SetDownloadBehaviorParams{DownloadPath: dir, EventsEnabled: ptr(true),
					Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName})
			return err
		}),
		chromedp.Click(chromedp.CSS("#export")))
	if err != nil {
		return x, fmt.Errorf("click export: %w (page error: %s)", err, b.pageError())
	}
	if x.PublicKey, err = b.text("#signing-key"); err != nil {
		return x, err
	}
	if x.Command, err = b.text("#verify-command"); err != nil {
		return x, err
	}
	x.Path, x.Name, err = b.awaitDownload(ctx, events, dir)
	return x, err
}

// keep passes ev on without blocking the tab's reader; downloads send a
// handful of events, far fewer than the channel holds.
func keep(events chan<- any, ev any) {
	switch ev.(type) {
	case *browser.EventDownloadWillBegin, *browser.EventDownloadProgress:
		select {
		case events <- ev:
		default:
		}
	}
}

// awaitDownload waits for the download's end; meanwhile it looks at the
// page's error area, since a refused export starts no download.
func (b *Browser) awaitDownload(ctx context.Context, events <-chan any, dir string) (path,
	name string, err error) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case ev := <-events:
			switch ev := ev.(type) {
			case *browser.EventDownloadWillBegin:
				name = ev.SuggestedFilename
			case *browser.EventDownloadProgress:
				switch ev.State {
				case browser.DownloadProgressStateCompleted:
					return filepath.Join(dir, ev.GUID), name, nil
				case browser.DownloadProgressStateCanceled:
					return "", name, fmt.Errorf("export %s: %w", name, errNoDownload)
				}
			}
		case <-tick.C:
			if msg := b.pageError(); msg != "" {
				return "", name, fmt.Errorf("export: the page says %q", msg)
			}
		case <-ctx.Done():
			return "", name, fmt.Errorf("wait for the download: %w (page error: %s)",
				ctx.Err(), b.pageError())
		}
	}
}

func ptr[T any](v T) *T { return &v }

func (b *Browser) eval30s(expr string) ([]string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		return nil, fmt.Errorf("read the page: %w", err)
	}
	return out, nil
}
