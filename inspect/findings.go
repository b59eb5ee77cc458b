package inspect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/verify"
)

// FindingsTTL is how long the findings behind a has_findings search are
// kept before the verifier runs again.
const FindingsTTL = time.Minute

// findingsTimeout bounds one run of the verifier for has_findings.
const findingsTimeout = 30 * time.Second

// findingsCache keeps, per unit code ("" for all units), the agenda items
// whose decisions have findings.
//
// TODO(findings-table): the verifier runs in the request (seconds for a
// township, about 20 s for a county of 1,000,000 items) and its items go
// to PostgreSQL as an array; a findings table that verify writes would
// make has_findings a join and keep it fresh.
type findingsCache struct {
	pool    *pgxpool.Pool
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]findingsEntry
}

type findingsEntry struct {
	at    time.Time
	items []int64
}

func newFindingsCache(pool *pgxpool.Pool) *findingsCache {
	return &findingsCache{pool: pool, ttl: FindingsTTL, now: time.Now,
		entries: map[string]findingsEntry{}}
}

// items returns the agenda items of unit (and the units below it) linked
// to a decision with findings.
func (c *findingsCache) items(ctx context.Context, unit string) ([]int64, error) {
	c.mu.Lock()
	e, ok := c.entries[unit]
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.items, nil
	}
	at := c.now()
	items, err := c.compute(ctx, unit)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, old := range c.entries {
		if c.now().Sub(old.at) >= c.ttl {
			delete(c.entries, k)
		}
	}
	c.entries[unit] = findingsEntry{at: at, items: items}
	return items, nil
}

// databaseCodes are the verifier's rules that read only the database.
func databaseCodes() []string {
	return slices.DeleteFunc(verify.Codes(), func(c string) bool {
		return c == verify.CodeRecordingTampered
	})
}

func (c *findingsCache) compute(ctx context.Context, unit string) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, findingsTimeout)
	defer cancel()
	rep, err := verify.Run(ctx, c.pool, nil, verify.Options{Unit: unit, Codes: databaseCodes()})
	var oe *verify.OptionError
	switch {
	case errors.As(err, &oe):
		return nil, inputError(oe.Field, oe.Reason)
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("%w: the verifier took over %v for unit %q; give a "+
			"narrower unit", ErrTooSlow, findingsTimeout, unit)
	case err != nil:
		return nil, fmt.Errorf("run verifier for has_findings: %w", err)
	}
	var failed []int64
	for _, d := range rep.Decisions {
		if d.Status == verify.StatusFail {
			failed = append(failed, d.ID)
		}
	}
	rows, err := c.pool.Query(ctx, `SELECT DISTINCT agenda_item_id FROM decisions
		WHERE id = ANY($1) AND agenda_item_id IS NOT NULL ORDER BY 1`, failed)
	if err != nil {
		return nil, fmt.Errorf("find agenda items with findings: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("find agenda items with findings: %w", err)
	}
	return append(make([]int64, 0, len(items)), items...), nil
}
