package inspect_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/inspect"
)

func TestParseQuery(t *testing.T) {
	v, _ := url.ParseQuery("q=+道路+&unit=QY-QS&body_kind=party_committee&category=decision&" +
		"major_class=cadre&from=2026-01-01&to=2026-01-31T00:00:00%2B08:00&" +
		"has_findings=true&limit=50&offset=100")
	got, err := inspect.ParseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := time.ParseInLocation("2006-01-02", "2026-01-01", time.Local)
	to, _ := time.Parse(time.RFC3339, "2026-01-31T00:00:00+08:00")
	if got.Text != "道路" || got.Unit != "QY-QS" || got.BodyKind != "party_committee" ||
		got.Category != "decision" || got.MajorClass != "cadre" || !got.From.Equal(from) ||
		!got.To.Equal(to) || got.HasFindings == nil || !*got.HasFindings ||
		got.Limit != 50 || got.Offset != 100 {
		t.Errorf("got %+v", got)
	}
	again, err := inspect.ParseQuery(got.Values())
	if err != nil || again.Text != got.Text || !again.From.Equal(got.From) ||
		!again.To.Equal(got.To) || *again.HasFindings != *got.HasFindings {
		t.Errorf("Values then ParseQuery: got %+v, %v; want %+v", again, err, got)
	}
	def, err := inspect.ParseQuery(url.Values{})
	if err != nil || def.Limit != inspect.DefaultLimit || def.Offset != 0 ||
		def.HasFindings != nil {
		t.Errorf("no parameters: got %+v, %v; want the defaults", def, err)
	}
	to2, _ := inspect.ParseQuery(url.Values{"to": {"2026-01-31"}})
	if want := time.Date(2026, 2, 1, 0, 0, 0, 0, time.Local); !to2.To.Equal(want) {
		t.Errorf("to as a date: got %v, want %v (the whole day included)", to2.To, want)
	}
}

func TestParseQueryBadInput(t *testing.T) {
	tests := []struct {
		name, params string
		wantFields   []string
		wantReason   string // in the first field's reason
	}{
		{"unknown body kind", "body_kind=committee", []string{"body_kind"}, "party_committee"},
		{"unknown category", "category=big", []string{"category"}, "implementation"},
		{"unknown major class", "major_class=huge", []string{"major_class"}, "large_funds"},
		{"from after to", "from=2026-03-01&to=2026-01-01", []string{"to"}, "later than"},
		{"from equal to to", "from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z",
			[]string{"to"}, "later than"},
		{"from not a date", "from=yesterday", []string{"from"}, "2026-03-01"},
		{"to not a date", "to=2026-13-01", []string{"to"}, "RFC 3339"},
		{"limit zero", "limit=0", []string{"limit"}, "1 to 100"},
		{"limit too large", "limit=101", []string{"limit"}, "1 to 100"},
		{"limit not a number", "limit=ten", []string{"limit"}, "whole number"},
		{"negative offset", "offset=-1", []string{"offset"}, "0 to 10000"},
		{"offset too large", "offset=10001", []string{"offset"}, "0 to 10000"},
		{"has_findings not a boolean", "has_findings=yes", []string{"has_findings"},
			"true or false"},
		{"one character", "q=路", []string{"q"}, "at least 2"},
		{"a text too long", "q=" + strings.Repeat("路", 101), []string{"q"}, "at most 100"},
		{"a line break", "q=道路%0A工程", []string{"q"}, "control"},
		{"not UTF-8", "q=%ff%fe", []string{"q"}, "UTF-8"},
		{"an unknown parameter", "q=道路&units=QY", []string{"units"}, "unknown parameter"},
		{"a parameter twice", "q=道路&q=桥梁", []string{"q"}, "at most once"},
		{"has_findings given empty", "q=道路&has_findings=", []string{"has_findings"},
			"given empty; give a value, or leave the parameter out"},
		{"text and unit given empty", "q=%20&unit=&limit=5", []string{"q", "unit"},
			"given empty"},
		{"an unknown parameter given empty", "units=", []string{"units"}, "unknown parameter"},
		{"several at once", "limit=0&body_kind=x&bogus=1",
			[]string{"bogus", "limit", "body_kind"}, "unknown parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			_, err = inspect.ParseQuery(v)
			var ie *inspect.InputError
			if !errors.As(err, &ie) || !errors.Is(err, inspect.ErrInvalid) {
				t.Fatalf("got %v, want an InputError", err)
			}
			var fields []string
			for _, f := range ie.Fields {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Fatalf("got fields %v, want %v", fields, tt.wantFields)
			}
			if !strings.Contains(ie.Fields[0].Reason, tt.wantReason) {
				t.Errorf("got reason %q, want it to say %q", ie.Fields[0].Reason, tt.wantReason)
			}
		})
	}
}

func TestQueryValidate(t *testing.T) {
	err := inspect.Query{Text: "道路", Limit: 0}.Validate()
	var ie *inspect.InputError
	if !errors.As(err, &ie) || ie.Fields[0].Field != "limit" {
		t.Errorf("got %v, want an InputError naming limit", err)
	}
	if err := (inspect.Query{Text: "道路", Limit: 10}).Validate(); err != nil {
		t.Errorf("got %v, want none", err)
	}
}
