package importer

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

// ChinaStandardTime is the zone in which dates and times without a zone
// are read: UTC+8, which all of China keeps.
var ChinaStandardTime = time.FixedZone("CST", 8*60*60)

// when is a date or date-time read from a cell. dateOnly is set when the
// cell gave no time of day; t is then midnight in the import's zone, which
// is how the verifier recognises a decision registered with a date only.
type when struct {
	t        time.Time
	dateOnly bool
}

// Plausible years, the same as the API's.
const minYear, maxYear = agenda.FirstYear, agenda.LastYear

const dateHelp = "write a date such as 2024-03-05, 2024/3/5, 2024.3.5 or 2024年3月5日, " +
	"optionally with a time such as 2024-03-05 09:30"

var (
	dateTimePattern = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})` +
		`(?: (\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?(?:\.\d+)?)? ?(Z|[+-]\d{2}:?\d{2})?$`)
	serialPattern = regexp.MustCompile(`^\d{1,7}(\.\d+)?$`)
	compactDate   = regexp.MustCompile(`^\d{8}$`)
	spaces        = regexp.MustCompile(`\s+`)
	dateWords     = strings.NewReplacer("年", "-", "月", "-", "日", " ", "号", " ", "/", "-",
		"时", ":", "点", ":", "分", ":", "秒", "", "T", " ", "t", " ")
)

// parseWhen reads a date or date-time: ISO and Chinese forms, slashes or
// dots, an Excel serial number (from the 1900 or the 1904 date system),
// 20240305, and RFC 3339 with a zone. It refuses days that do not exist.
func parseWhen(v string, loc *time.Location, date1904 bool) (when, error) {
	s := fold(v)
	switch {
	case compactDate.MatchString(s):
		s = s[:4] + "-" + s[4:6] + "-" + s[6:]
	case serialPattern.MatchString(s):
		return fromSerial(s, loc, date1904)
	}
	s, pm := dayHalf(s)
	s = dateWords.Replace(s)
	if head, tail, ok := strings.Cut(s, " "); ok {
		s = strings.ReplaceAll(head, ".", "-") + " " + tail
	} else {
		s = strings.ReplaceAll(s, ".", "-")
	}
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	s = strings.TrimRight(strings.ReplaceAll(s, ": ", " "), ":")
	m := dateTimePattern.FindStringSubmatch(s)
	if m == nil {
		return when{}, errors.New("is not a date: " + dateHelp)
	}
	n := make([]int, 7)
	for i := 1; i <= 6; i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	if pm && n[4] < 12 {
		n[4] += 12
	}
	if err := checkDay(n[1], n[2], n[3]); err != nil {
		return when{}, err
	}
	if n[4] > 23 || n[5] > 59 || n[6] > 59 {
		return when{}, fmt.Errorf("has no such time of day %02d:%02d:%02d: %s",
			n[4], n[5], n[6], dateHelp)
	}
	if m[7] != "" {
		zoned, err := zone(m[7])
		if err != nil {
			return when{}, err
		}
		loc = zoned
	}
	t := time.Date(n[1], time.Month(n[2]), n[3], n[4], n[5], n[6], 0, loc)
	if err := checkYear(t); err != nil {
		return when{}, err
	}
	return when{t: t, dateOnly: m[4] == ""}, nil
}

// checkYear refuses a time whose year, in China Standard Time, is outside
// the bounds the API keeps (agenda.YearOf): 2100-12-31 23:00 written in
// UTC is already 2101 there.
func checkYear(t time.Time) error {
	if y := agenda.YearOf(t); y < minYear || y > maxYear {
		return fmt.Errorf("falls in the year %d in China Standard Time; give a time from "+
			"%d to %d: %s", y, minYear, maxYear, dateHelp)
	}
	return nil
}

// dayHalf strips 上午/下午 and their kin, reporting an afternoon.
func dayHalf(s string) (string, bool) {
	pm := false
	for _, w := range []string{"下午", "晚上", "pm", "PM"} {
		if strings.Contains(s, w) {
			s, pm = strings.ReplaceAll(s, w, " "), true
		}
	}
	for _, w := range []string{"上午", "早上", "中午", "am", "AM"} {
		s = strings.ReplaceAll(s, w, " ")
	}
	return s, pm
}

func zone(z string) (*time.Location, error) {
	if z == "Z" {
		return time.UTC, nil
	}
	z = strings.ReplaceAll(z, ":", "")
	h, _ := strconv.Atoi(z[1:3])
	m, _ := strconv.Atoi(z[3:5])
	off := (h*60 + m) * 60
	if z[0] == '-' {
		off = -off
	}
	if h > 14 || m > 59 {
		return nil, fmt.Errorf("has no such time zone %s: %s", z, dateHelp)
	}
	return time.FixedZone("", off), nil
}

// checkDay refuses a day its month does not have, saying how many it has.
func checkDay(y, m, d int) error {
	if m < 1 || m > 12 {
		return fmt.Errorf("has no month %d: %s", m, dateHelp)
	}
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > last {
		return fmt.Errorf("is not a date: %d年%d月 has %d days", y, m, last)
	}
	return nil
}

// fromSerial turns an Excel serial date into a time: days since 1899-12-30
// (the 1900 system, which counts a 29 February 1900 that never was) or
// since 1904-01-01, with the fraction as the time of day.
func fromSerial(s string, loc *time.Location, date1904 bool) (when, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 {
		return when{}, errors.New("is not a date: " + dateHelp)
	}
	days := math.Floor(f)
	secs := int(math.Round((f - days) * 86400))
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, loc)
	case days < 61:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, loc)
	}
	t := time.Date(base.Year(), base.Month(), base.Day()+int(days), 0, 0, secs, 0, loc)
	if y := agenda.YearOf(t); y < minYear || y > maxYear {
		return when{}, fmt.Errorf("read as an Excel serial date is %s, which cannot be "+
			"right: %s", t.Format("2006-01-02"), dateHelp)
	}
	return when{t: t, dateOnly: secs == 0}, nil
}

// day is the calendar day of w, for date columns.
func (w when) day() time.Time {
	y, m, d := w.t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
