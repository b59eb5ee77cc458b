package alert

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/textcell"
)

// titleCells is how many terminal cells a decision title may take in a
// table before it is cut.
const titleCells = 24

var tableHeader = []string{"ID", "STATE", "SEVERITY", "CODE", "DECISION", "UNIT", "TITLE",
	"OPENED", "LAST SEEN", "WARNINGS", "MESSAGE"}

// WriteTable writes findings as a text table aligned by terminal cells,
// so that Chinese titles line up, and a closing count.
func WriteTable(w io.Writer, findings []Finding) error {
	lines := [][]string{tableHeader}
	for _, f := range findings {
		lines = append(lines, []string{strconv.FormatInt(f.ID, 10), f.State, f.Severity,
			f.Code, strconv.FormatInt(f.DecisionID, 10), f.UnitCode,
			textcell.Truncate(f.DecisionTitle, titleCells), stamp(f.OpenedAt), stamp(f.LastSeen),
			f.Deliveries.describe(), f.Message})
	}
	var b strings.Builder
	textcell.WriteAligned(&b, lines)
	if len(findings) == 1 {
		b.WriteString("\n1 finding\n")
	} else {
		fmt.Fprintf(&b, "\n%d findings\n", len(findings))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}

// WriteJSON writes findings as {"items": [...]}.
func WriteJSON(w io.Writer, findings []Finding) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Page{Items: append([]Finding{}, findings...)}); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}

func (c *DeliveryCounts) describe() string {
	if c == nil || c.Queued+c.Delivered+c.GivenUp == 0 {
		return "-"
	}
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Delivered, "delivered"}, {c.Queued, "queued"}, {c.GivenUp, "given up"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

// stamp writes an instant in the server's zone, to the minute.
func stamp(t time.Time) string { return t.In(time.Local).Format("2006-01-02 15:04") }
