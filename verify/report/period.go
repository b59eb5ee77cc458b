package report

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Schedule triggers, in the order the configuration lists them.
var scheduleTriggers = []string{TriggerDaily, TriggerWeekly, TriggerMonthly}

// ParseSchedule reads a comma-separated list of daily, weekly and monthly
// ("" or "off" is none), as LIUHEN_REPORT_SCHEDULE gives it.
func ParseSchedule(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" {
		return nil, nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		t := strings.TrimSpace(strings.ToLower(part))
		if !slices.Contains(scheduleTriggers, t) {
			return nil, fmt.Errorf("%w %q: use daily, weekly or monthly, separated by "+
				"commas, or off", ErrBadPeriod, part)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// LastPeriod returns the last whole period of a schedule trigger before
// now, in China Standard Time: yesterday, last week (Monday to Sunday) or
// last month. to is excluded.
func LastPeriod(trigger string, now time.Time) (from, to time.Time, err error) {
	n := now.In(Zone)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, Zone)
	switch trigger {
	case TriggerDaily:
		return today.AddDate(0, 0, -1), today, nil
	case TriggerWeekly:
		sinceMonday := (int(today.Weekday()) + 6) % 7
		monday := today.AddDate(0, 0, -sinceMonday)
		return monday.AddDate(0, 0, -7), monday, nil
	case TriggerMonthly:
		first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, Zone)
		return first.AddDate(0, -1, 0), first, nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%w %q: use daily, weekly or monthly",
		ErrBadPeriod, trigger)
}
