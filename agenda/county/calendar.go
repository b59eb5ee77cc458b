package county

import (
	"math/rand/v2"
	"time"
)

// cst is China Standard Time, the zone of every generated time.
var cst = time.FixedZone("CST", 8*60*60)

// dayOf numbers the calendar day of t in China Standard Time: days since
// 1970-01-01.
func dayOf(t time.Time) int {
	y, m, d := t.In(cst).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayDate is day as a date for a PostgreSQL date column.
func dayDate(day int) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// dayStart is 00:00 CST of day.
func dayStart(day int) time.Time {
	y, m, d := dayDate(day).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, cst)
}

// yearDays returns the first and last day of the options' year.
func (g *generator) yearDays() (first, last int) {
	y := g.opts.Year
	first = dayOf(time.Date(y, 1, 1, 12, 0, 0, 0, cst))
	return first, dayOf(time.Date(y, 12, 31, 12, 0, 0, 0, cst))
}

// listWorkdays lists the Mondays to Fridays of the year.
// TODO(holidays): public holidays and the weekends worked in their place
// are not known; a calendar of them per year would fix it.
func (g *generator) listWorkdays() []int {
	first, last := g.yearDays()
	var out []int
	for d := first; d <= last; d++ {
		if wd := dayStart(d).Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

// meetingClocks are the times of day meetings are called for.
var meetingClocks = []time.Duration{
	8*time.Hour + 30*time.Minute, 9 * time.Hour, 9*time.Hour + 30*time.Minute, 10 * time.Hour,
	14*time.Hour + 30*time.Minute, 15 * time.Hour, 15*time.Hour + 30*time.Minute,
}

func meetingClock(r *rand.Rand) time.Duration { return meetingClocks[r.IntN(len(meetingClocks))] }

// officeTime is a time in office hours of day.
func officeTime(r *rand.Rand, day int) time.Time {
	return dayStart(day).Add(9*time.Hour + time.Duration(r.IntN(8*60))*time.Minute)
}

// workdayBefore is the last workday at or before day.
func workdayBefore(day int) int {
	for {
		wd := dayStart(day).Weekday()
		if wd != time.Saturday && wd != time.Sunday {
			return day
		}
		day--
	}
}

// workdayAfter is the first workday at or after day.
func workdayAfter(day int) int {
	for {
		wd := dayStart(day).Weekday()
		if wd != time.Saturday && wd != time.Sunday {
			return day
		}
		day++
	}
}

// minutes is a random duration from lo to hi minutes.
func minutes(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo+r.IntN(hi-lo+1)) * time.Minute
}
