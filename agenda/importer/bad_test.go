package importer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// wantError is a problem a bad file must be refused with.
type wantError struct {
	row    int
	column string
	reason string // a part of the reason
}

// badCases are files with bad rows, against the loaded county; each must
// be refused with exactly these errors and change nothing.
var badCases = []struct {
	name string
	kind Kind
	csv  string
	want []wantError
}{
	{"units: duplicate code, unknown parent, bad level and code", KindUnits,
		"单位编码,单位名称,层级,上级单位编码\n" +
			"NEW-1,新村,村,QSZ\n" +
			"NEW-1,新村二,村,QSZ\n" +
			"NEW-2,另一村,小组,QSZ\n" +
			"NEW-3,远村,村,NOWHERE\n" +
			"新 编码,错村,村,QSZ\n",
		[]wantError{{3, "单位编码", "NEW-1 is also on row 2"},
			{4, "层级", "「小组」 is not a level"},
			{5, "上级单位编码", "「NOWHERE」 is no unit"},
			{6, "单位编码", "「新 编码」 is not a code"}}},
	{"units: a loop of parents", KindUnits,
		"code,name,level,parent\nQHX,青河县,county,QSZ\n",
		[]wantError{{2, "parent", "makes a loop of parents (QHX → QSZ → QHX)"}}},
	{"units: a required column is missing", KindUnits,
		"单位编码,单位名称\nNEW-1,新村\n",
		[]wantError{{1, "层级", "there is no column 层级"}}},
	{"bodies: seat ending before it began, impossible date, unknown unit, bad kind",
		KindBodies,
		"单位编码,会议主体编码,会议主体名称,会议类型,成员编码,姓名,任职起,任职止\n" +
			"QSZ,QSZ-DW,青山镇党委会,党委会,M009,孙丽,2024-03-01,2023-12-31\n" +
			"QSZ,QSZ-DW,青山镇党委会,党委会,M010,周杰,2024年2月30日,\n" +
			"NOWHERE,NW-DW,某镇党委会,党委会,,,,\n" +
			"QSZ,QSZ-XX,青山镇某会,镇长办公会,,,,\n" +
			"QSZ,QSZ-DW,青山镇党委,党委会,M011,吴刚,2024-01-01,\n",
		[]wantError{{2, "任职止", "2023-12-31 is before the seat began (2024-03-01)"},
			{3, "任职起", "「2024年2月30日」 is not a date: 2024年2月 has 29 days"},
			{4, "单位编码", "「NOWHERE」 is no org unit"},
			{5, "会议类型", "「镇长办公会」 is not a kind of meeting body"},
			{6, "会议主体名称", "body QSZ-DW is named 「青山镇党委会」 on row 2"}}},
	{"matters: moved to another unit from under its decisions", KindMatters,
		"单位编码,事项编码,事项名称,类别\n" +
			"QSZ-DL,QS-03,使用大额资金（单笔5万元及以上）,决策类\n",
		[]wantError{{2, "单位编码", "matter QS-03 belongs to unit QSZ, whose"}}},
	{"matters: wrong types, unknown unit, threshold without a body", KindMatters,
		"单位编码,事项编码,事项名称,类别,决策主体,金额标准（元）,末位表态,到会要求\n" +
			"QSZ,QS-20,新事项,决策类,党委会,五万,是,过半数\n" +
			"QSZ,QS-21,新事项二,重要类,党委会,50000,也许,一半\n" +
			"QSZ-9,QS-22,新事项三,决策类,无,50000,是,过半数\n" +
			"QSZ,QS-20,重复事项,决策类,党委会,,,\n",
		[]wantError{{2, "金额标准（元）", "「五万」 is not an amount"},
			{3, "类别", "「重要类」 is not a category"}, {3, "末位表态", "「也许」 is not yes or no"},
			{3, "到会要求", "「一半」 is not a majority rule"},
			{4, "单位编码", "「QSZ-9」 is no org unit"},
			{4, "金额标准（元）", "no 决策主体 is given"},
			{5, "事项编码", "QS-20 is also on row 2"}}},
	{"meetings: unknown body, matter and member, end before start, repeated item", KindMeetings,
		"会议编码,会议主体,会议名称,会议时间,结束时间,出席人员,缺席人员,议题序号,议题名称,事项编码\n" +
			"M-1,NOBODY,某会议,2024-04-01 09:00,,,,1,议题一,QS-03\n" +
			"M-2,QSZ-DW,青山镇党委会,2024-04-02 09:00,2024-04-02 08:00,王建国、钱多,王建国,1,议题一,QS-99\n" +
			"M-2,,,,,,,1,议题二,QS-03\n",
		[]wantError{{2, "会议主体", "「NOBODY」 is no meeting body"},
			{3, "结束时间", "is before the meeting's start"},
			{3, "出席人员", "「钱多」 is no member"},
			{3, "缺席人员", "also among those present"},
			{3, "事项编码", "「QS-99」 is no matter"},
			{4, "议题序号", "item 1 of meeting M-2 is also on row 3"}}},
	{"decisions: unknown references, duplicates, bad values, on every row", KindDecisions,
		"单位编码,事项编码,标题,金额,决策时间,文号,会议编码,议题序号\n" +
			"QSZ,QS-99,甲,1000,2024-04-01,R-1,,\n" +
			"QSZ,QS-03,乙,-500,2024-04-31,R-2,,\n" +
			"QSZ,QS-03,丙,1000,2024-04-01,R-3,NO-MEETING,1\n" +
			"QSZ,QS-03,丁,1000,2024-04-01,R-4,QSZ-DW-2024-03,9\n" +
			"QSZ,QS-03,戊,1000,2024-04-01,R-1,,\n" +
			"QSZ,QS-03,己,1000,,,,2\n",
		[]wantError{{2, "事项编码", "「QS-99」 is no matter"},
			{3, "金额", "must not be negative"}, {3, "决策时间", "2024年4月 has 30 days"},
			{4, "会议编码", "「NO-MEETING」 is no meeting"},
			{5, "议题序号", "meeting QSZ-DW-2024-03 has no agenda item 9"},
			{6, "文号", "reference R-1 of unit QSZ is also on row 2"},
			{7, "决策时间", "is empty"}, {7, "文号", "is empty"}, {7, "会议编码", "is empty"}}},
	{"decisions: a matter of another unit's procedure list", KindDecisions,
		"单位编码,事项编码,标题,决策时间,文号\n" +
			"QSZ-DL,QS-03,村委会办公用房维修,2024-04-01,东岭村〔2024〕9号\n" +
			"东岭村,DL-01,村道硬化工程二期,2024-04-02,东岭村〔2024〕10号\n",
		[]wantError{{2, "事项编码", "「QS-03」 is on the procedure list of unit QSZ, not of " +
			"the deciding unit QSZ-DL"}}},
	{"decisions: earlier stages unknown, of another unit, deciding, twice, unreadable",
		KindDecisions, "单位编码,事项编码,标题,决策时间,文号,会议编码,议题序号,前置议题\n" +
			"QSZ,QS-03,甲,2024-04-01,S-1,QSZ-DW-2024-03,1,QSZ-DW-2024-03#1\n" +
			"QSZ,QS-03,乙,2024-04-01,S-2,,,NO-MEETING#1\n" +
			"QSZ,QS-03,丙,2024-04-01,S-3,,,QSZ-DW-2024-03#9\n" +
			"QSZ,QS-03,丁,2024-04-01,S-4,,,DL-2024-01#1\n" +
			"QSZ,QS-03,戊,2024-04-01,S-5,,,议题一\n" +
			"QSZ,QS-03,己,2024-04-01,S-6,,,\"QSZ-ZFCW-2024-02#1, QSZ-ZFCW-2024-02/1\"\n" +
			"QSZ,QS-03,庚,2024-04-01,S-7,,,\"QSZ-ZFCW-2024-02#1, QSZ-ZFCW-2024-02#1\"\n",
		[]wantError{{2, "前置议题", "is the agenda item that decided (会议编码 and 议题序号)"},
			{3, "前置议题", "NO-MEETING is no meeting with an agenda"},
			{4, "前置议题", "meeting QSZ-DW-2024-03 has no agenda item 9"},
			{5, "前置议题", "of unit QSZ-DL, not of the deciding unit QSZ"},
			{6, "前置议题", "「议题一」 is not an agenda item"},
			{7, "前置议题", "names the item 「QSZ-ZFCW-2024-02#1」 names already"},
			{8, "前置议题", "「QSZ-ZFCW-2024-02#1」 is listed twice"}}},
}

func TestImportRefusesBadRows(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	before := snapshot(t, pool)
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			got := importBad(t, pool, c.kind, "bad.csv", []byte(c.csv))
			checkErrors(t, got, c.want)
		})
	}
	if after := snapshot(t, pool); !slices.Equal(before, after) {
		t.Errorf("a refused file changed the database")
	}
}

func checkErrors(t *testing.T, got []RowError, want []wantError) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].Row == want[i].row && got[i].Column == want[i].column &&
			strings.Contains(got[i].Reason, want[i].reason) && got[i].Sheet == "bad"
	}
	if !ok {
		var lines []string
		for _, e := range got {
			lines = append(lines, e.String())
		}
		t.Errorf("got errors:\n  %s\nwant %+v", strings.Join(lines, "\n  "), want)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	pool := newDB(t)
	cases := []struct {
		name string
		data []byte
		want error
		say  string
	}{
		{"empty", nil, ErrEmpty, "holds no rows"},
		{"only blank lines", []byte("\xEF\xBB\xBF\r\n\r\n"), ErrEmpty, "holds no rows"},
		{"PDF", []byte("%PDF-1.7\n1 0 obj\n"), ErrNotSpreadsheet, "PDF"},
		{"binary", []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R'},
			ErrNotSpreadsheet, "binary data"},
		{"old Excel", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 64)...),
			ErrNotSpreadsheet, ".xls"},
		{"ZIP that is no workbook", append([]byte("PK\x03\x04"), make([]byte, 64)...),
			ErrNotSpreadsheet, "not an Excel workbook"},
		{"web page saved as xls", []byte("<html><table><tr><td>单位编码</td></tr></table>"),
			ErrNotSpreadsheet, "web page"},
		{"neither UTF-8 nor GBK", []byte("code,name\n\xff\xfe\xfd\x80,x\n"), ErrNotSpreadsheet,
			"neither UTF-8 nor GBK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Import(context.Background(), pool, KindUnits, "f.csv", c.data, Options{})
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.say) {
				t.Errorf("got %v, want %v saying %q", err, c.want, c.say)
			}
		})
	}
	t.Run("no header row", func(t *testing.T) {
		got := importBad(t, pool, KindUnits, "bad.csv", []byte("甲,乙\n1,2\n"))
		checkErrors(t, got, []wantError{{0, "", "no header row found"}})
	})
	t.Run("header without rows", func(t *testing.T) {
		got := importBad(t, pool, KindUnits, "bad.csv", []byte("单位编码,单位名称,层级\n,,\n"))
		checkErrors(t, got, []wantError{{1, "", "no rows below the header"}})
	})
	t.Run("a column twice", func(t *testing.T) {
		got := importBad(t, pool, KindUnits, "bad.csv",
			[]byte("单位编码,单位名称,层级,code\nA,甲,村,A\n"))
		checkErrors(t, got, []wantError{{1, "code", "columns A (单位编码) and D (code)"}})
	})
	t.Run("too large", func(t *testing.T) {
		_, err := ReadAll(strings.NewReader(strings.Repeat("x", 101)), 100)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("ReadAll of 101 bytes with a limit of 100: got %v, want ErrTooLarge", err)
		}
	})
}
