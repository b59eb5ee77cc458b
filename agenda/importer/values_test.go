package importer

import (
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in    string
		scale int64
		want  agenda.Amount
	}{
		{"50000", 1, agenda.Yuan(50000)},
		{"5万元", 1, agenda.Yuan(50000)},
		{"5.5万", 1, agenda.Yuan(55000)},
		{"1.23456万元", 1, agenda.Amount(1234560)},
		{"50,000.00", 1, agenda.Yuan(50000)},
		{"￥80000", 1, agenda.Yuan(80000)},
		{"¥ 1,234.5 元", 1, agenda.Amount(123450)},
		{"５００００", 1, agenda.Yuan(50000)},
		{"３，０００", 1, agenda.Yuan(3000)},
		{"人民币120万元整", 1, agenda.Yuan(1200000)},
		{"0.30000000000000004", 1, agenda.Amount(30)},
		{"1.2E+7", 1, agenda.Yuan(12000000)},
		{"5", 10_000, agenda.Yuan(50000)},
		{"5万元", 10_000, agenda.Yuan(50000)},
		{"2亿", 1, agenda.Yuan(200000000)},
		{"0", 1, 0},
	}
	for _, c := range cases {
		got, err := parseAmount(c.in, c.scale)
		if err != nil || got != c.want {
			t.Errorf("parseAmount(%q, %d): got %v, %v; want %v", c.in, c.scale, got, err, c.want)
		}
	}
	bad := map[string]string{
		"五万": "is not an amount", "-500": "must not be negative", "(500)": "negative",
		"12.345": "more decimals than a fen", "1.5.2": "is not an amount", "abc元": "not an amount",
		"12345678901234567": "too large",
	}
	for in, want := range bad {
		if _, err := parseAmount(in, 1); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseAmount(%q): got %v, want an error with %q", in, err, want)
		}
	}
}

func TestParseWhen(t *testing.T) {
	cst := ChinaStandardTime
	cases := []struct {
		in       string
		want     time.Time
		dateOnly bool
	}{
		{"2024-03-05", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"2024年3月5日", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"２０２４年３月５日", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"2024/3/5", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"2024.3.5", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"20240305", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"45356", time.Date(2024, 3, 5, 0, 0, 0, 0, cst), true},
		{"45356.375", time.Date(2024, 3, 5, 9, 0, 0, 0, cst), false},
		{"2024-03-05 09:30", time.Date(2024, 3, 5, 9, 30, 0, 0, cst), false},
		{"2024/3/5 9:30:15", time.Date(2024, 3, 5, 9, 30, 15, 0, cst), false},
		{"2024年3月5日 9时30分", time.Date(2024, 3, 5, 9, 30, 0, 0, cst), false},
		{"2024年3月5日下午3点", time.Date(2024, 3, 5, 15, 0, 0, 0, cst), false},
		{"2024-03-05T09:30:00+08:00", time.Date(2024, 3, 5, 9, 30, 0, 0, cst), false},
		{"2024-03-05T01:30:00Z", time.Date(2024, 3, 5, 9, 30, 0, 0, cst), false},
	}
	for _, c := range cases {
		got, err := parseWhen(c.in, cst, false)
		if err != nil || !got.t.Equal(c.want) || got.dateOnly != c.dateOnly {
			t.Errorf("parseWhen(%q): got %v (date only %v), %v; want %v (date only %v)",
				c.in, got.t, got.dateOnly, err, c.want, c.dateOnly)
		}
	}
	if got, _ := parseWhen("43894", cst, true); !got.t.Equal(time.Date(2024, 3, 5, 0, 0, 0, 0,
		cst)) {
		t.Errorf("parseWhen 1904 serial 43894: got %v, want 2024-03-05", got.t)
	}
	bad := map[string]string{
		"2024年2月30日": "2024年2月 has 29 days", "2023-02-29": "2023年2月 has 28 days",
		"2024-13-01": "no month 13", "2024-03-05 25:00": "no such time of day",
		"下周一": "is not a date", "2024": "cannot be right", "3/5/2024": "is not a date",
	}
	for in, want := range bad {
		if _, err := parseWhen(in, cst, false); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseWhen(%q): got %v, want an error with %q", in, err, want)
		}
	}
}

// TestParseWhenYearInChina checks the year bounds in China Standard Time,
// as the API checks them, whatever zone the import or the cell gives.
func TestParseWhenYearInChina(t *testing.T) {
	cst, utc, west := ChinaStandardTime, time.UTC, time.FixedZone("", -8*60*60)
	for _, c := range []struct {
		in   string
		loc  *time.Location
		fits bool
	}{
		{"1949-01-01", cst, true},
		{"1949-01-01", utc, true}, // 08:00 in China
		{"1948-12-31 20:00", utc, true},
		{"1948-12-31 15:59 Z", cst, false},
		{"2100-12-31 23:59", cst, true},
		{"2100-12-31 15:59", utc, true},
		{"2100-12-31 16:00", utc, false}, // 2101-01-01 00:00 in China
		{"2100-12-31 12:00", west, false},
		{"2100-12-31T20:00:00-08:00", cst, false},
		{"2204-03-05", cst, false},
	} {
		_, err := parseWhen(c.in, c.loc, false)
		if fits := err == nil; fits != c.fits ||
			(err != nil && !strings.Contains(err.Error(), "in China Standard Time")) {
			t.Errorf("parseWhen(%q) in %v: got %v, want it to fit: %v", c.in, c.loc, err, c.fits)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"是": true, "否": false, "√": true, "×": false,
		"Y": true, "n": false, "Ｙ": true, " 是 ": true, "TRUE": true} {
		if got, err := parseBool(in); err != nil || got != want {
			t.Errorf("parseBool(%q): got %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseBool("也许"); err == nil {
		t.Errorf("parseBool(也许): got no error, want one")
	}
}

func TestHeaderKey(t *testing.T) {
	cases := []struct {
		in    string
		want  string
		scale int64
	}{
		{"金额（元）", "金额", 1},
		{"金额(万元)", "金额", 10_000},
		{" 单位 编码 ", "单位编码", 1},
		{"*事项编码", "事项编码", 1},
		{"决策时间（yyyy-mm-dd）", "决策时间", 1},
		{"Served_From", "servedfrom", 1},
		{"ＣＯＤＥ", "code", 1},
		{"层　级", "层级", 1},
		{"文号【必填】", "文号", 1},
	}
	for _, c := range cases {
		if got, scale := headerKey(c.in); got != c.want || scale != c.scale {
			t.Errorf("headerKey(%q): got %q, %d; want %q, %d", c.in, got, scale, c.want, c.scale)
		}
	}
}

func TestParseBodyKinds(t *testing.T) {
	cases := map[string][]agenda.BodyKind{
		"党委会":               {agenda.BodyPartyCommittee},
		"镇党委会":              {agenda.BodyPartyCommittee},
		"村两委会议→村民代表会议":      {agenda.BodyVillageTwoCommittees, agenda.BodyVillagerRepresentatives},
		"村“两委”会议 -> 村民代表大会": {agenda.BodyVillageTwoCommittees, agenda.BodyVillagerRepresentatives},
		"政府常务会议":            {agenda.BodyGovernmentExecutive},
		"party_committee":   {agenda.BodyPartyCommittee},
		"无":                 nil,
		"":                  nil,
	}
	for in, want := range cases {
		got, errs := parseBodyKinds(in)
		if len(errs) > 0 || len(got) != len(want) {
			t.Errorf("parseBodyKinds(%q): got %v, %v; want %v", in, got, errs, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("parseBodyKinds(%q): got %v, want %v", in, got, want)
			}
		}
	}
	if _, errs := parseBodyKinds("党委会→镇长办公会"); len(errs) != 1 ||
		!strings.Contains(errs[0].Error(), "镇长办公会") {
		t.Errorf("parseBodyKinds with an unknown body: got %v, want one error naming it", errs)
	}
}
