package inspect

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/pgtext"
	"github.com/liuhen/liuhen/verify"
)

// Limits of a search.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxOffset    = 10000
	MinTextRunes = 2   // one character matches nearly everything
	MaxTextRunes = 100 // longer texts are pasted paragraphs, not queries
)

// Query is one search: a text, filters, and the page of results wanted.
type Query struct {
	// Text is looked for in agenda item titles, matter names, meeting
	// titles and decision titles; empty matches every item.
	Text string `json:"q,omitempty"`
	// Unit is an org unit code: its items and those of the units below it.
	Unit       string `json:"unit,omitempty"`
	BodyKind   string `json:"body_kind,omitempty"`
	Category   string `json:"category,omitempty"`
	MajorClass string `json:"major_class,omitempty"`
	// From and To bound when the meeting was held (started, else planned):
	// From <= held < To; a zero time leaves that side open.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// HasFindings, when set, keeps only items whose decisions have
	// findings (true) or have none (false).
	HasFindings *bool `json:"has_findings,omitempty"`
	Limit       int   `json:"limit"`
	Offset      int   `json:"offset"`
}

// queryParams are the parameters ParseQuery knows.
var queryParams = []string{"q", "unit", "body_kind", "category", "major_class", "from", "to",
	"has_findings", "limit", "offset"}

// ParseQuery reads a search from URL query parameters. It returns an
// *InputError listing every bad or unknown parameter, and every one given
// empty (param.WithoutEmpty): a search of every item leaves q out.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Limit: DefaultLimit}
	var fe fieldErrors
	for _, name := range unknownParams(v) {
		fe.add(name, "unknown parameter; use "+strings.Join(queryParams, ", "))
	}
	v, empty := param.WithoutEmpty(v, queryParams)
	for _, name := range empty {
		fe.add(name, param.EmptyReason)
	}
	get := func(name string) string {
		vs := v[name]
		if len(vs) > 1 {
			fe.add(name, "must be given at most once")
		}
		if len(vs) == 0 {
			return ""
		}
		return strings.TrimSpace(vs[0])
	}
	q.Text = get("q")
	q.Unit = get("unit")
	q.BodyKind = get("body_kind")
	q.Category = get("category")
	q.MajorClass = get("major_class")
	q.From = parseTime(&fe, "from", get("from"), verify.ParseFrom)
	q.To = parseTime(&fe, "to", get("to"), verify.ParseTo)
	q.HasFindings = parseBool(&fe, "has_findings", get("has_findings"))
	q.Limit = parseInt(&fe, "limit", get("limit"), 1, MaxLimit, DefaultLimit)
	q.Offset = parseInt(&fe, "offset", get("offset"), 0, MaxOffset, 0)
	fe = append(fe, q.check()...)
	return q, fe.err()
}

// Validate checks q as ParseQuery does, for a Query made in code.
func (q Query) Validate() error {
	var fe fieldErrors
	if q.Limit < 1 || q.Limit > MaxLimit {
		fe.add("limit", fmt.Sprintf("must be an integer from 1 to %d", MaxLimit))
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		fe.add("offset", fmt.Sprintf("must be an integer from 0 to %d", MaxOffset))
	}
	return append(fe, q.check()...).err()
}

// check validates what ParseQuery does not check while parsing.
func (q Query) check() fieldErrors {
	var fe fieldErrors
	if reason := checkText(q.Text); reason != "" {
		fe.add("q", reason)
	}
	if len(q.Unit) > 100 {
		fe.add("unit", "is too long to be an org unit code")
	} else if reason := checkCode(q.Unit); reason != "" {
		fe.add("unit", reason)
	}
	checkEnum(&fe, "body_kind", q.BodyKind, agenda.BodyKinds)
	checkEnum(&fe, "category", q.Category, agenda.Categories)
	checkEnum(&fe, "major_class", q.MajorClass, agenda.MajorClasses)
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		fe.add("to", fmt.Sprintf("the period ends (%s) before it starts (%s): give a 'to' "+
			"later than 'from'", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339)))
	}
	return fe
}

// checkCode says what is wrong with s as a code (of an org unit, an
// inspector): text that PostgreSQL cannot hold.
func checkCode(s string) string {
	if !pgtext.Valid(s) {
		return "is not text (invalid UTF-8 or a NUL byte); give a code such as qingshan"
	}
	return ""
}

func checkText(s string) string {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case n > 0 && n < MinTextRunes:
		return fmt.Sprintf("give at least %d characters, such as 道路; one character "+
			"matches nearly every item", MinTextRunes)
	case n > MaxTextRunes:
		return fmt.Sprintf("give at most %d characters", MaxTextRunes)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "must not contain control characters such as line breaks"
	}
	return ""
}

func checkEnum[T ~string](fe *fieldErrors, name, v string, valid []T) {
	if v == "" || slices.Contains(valid, T(v)) {
		return
	}
	names := make([]string, len(valid))
	for i, s := range valid {
		names[i] = string(s)
	}
	fe.add(name, fmt.Sprintf("unknown value %q; use one of: %s", v, strings.Join(names, ", ")))
}

func unknownParams(v url.Values) []string {
	var out []string
	for name := range v {
		if !slices.Contains(queryParams, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func parseTime(fe *fieldErrors, name, s string, parse func(string) (time.Time, error)) time.Time {
	t, err := parse(s)
	var oe *verify.OptionError
	if errors.Is(err, verify.ErrBadYear) && errors.As(err, &oe) {
		fe.add(name, oe.Reason)
	} else if err != nil {
		fe.add(name, fmt.Sprintf("cannot read %q: give a date such as 2026-03-01 or an "+
			"RFC 3339 time such as 2026-03-01T09:00:00+08:00 (write + as %%2B)", s))
	}
	return t
}

func parseBool(fe *fieldErrors, name, s string) *bool {
	if s == "" {
		return nil
	}
	b, err := param.Bool(s)
	if err != nil {
		fe.add(name, err.Error())
		return nil
	}
	return &b
}

func parseInt(fe *fieldErrors, name, s string, min, max, def int) int {
	n, err := param.Int(s, min, max, def)
	if err != nil {
		fe.add(name, err.Error())
	}
	return n
}

// Values writes q back as URL query parameters, as ParseQuery reads them.
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("q", q.Text)
	set("unit", q.Unit)
	set("body_kind", q.BodyKind)
	set("category", q.Category)
	set("major_class", q.MajorClass)
	if !q.From.IsZero() {
		set("from", q.From.Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		set("to", q.To.Format(time.RFC3339))
	}
	if q.HasFindings != nil {
		set("has_findings", strconv.FormatBool(*q.HasFindings))
	}
	set("limit", strconv.Itoa(q.Limit))
	set("offset", strconv.Itoa(q.Offset))
	return v
}
