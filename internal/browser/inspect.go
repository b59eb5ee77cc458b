package browser

import (
	"context"
	"fmt"
	"time"

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

func (b *Browser) eval30s(expr string) ([]string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		return nil, fmt.Errorf("read the page: %w", err)
	}
	return out, nil
}
