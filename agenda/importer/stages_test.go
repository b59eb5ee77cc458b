package importer

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"
)

// TestImportDecisionStages links decisions to the agenda items of their
// earlier stages by meeting code and item number, finds them again on a
// second import, keeps them when a file lacks the column and clears them
// for an empty cell.
func TestImportDecisionStages(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	const header = "单位编码,事项编码,标题,决策时间,文号,会议编码,议题序号,前置议题\n"
	linked := header + "QSZ,QS-03,镇敬老院改造资金8万元,2024年3月6日,青山党〔2024〕31号," +
		"QSZ-DW-2024-03,1,\"QSZ-ZFCW-2024-02#1、ＱＳＺ－ＤＷ－２０２４－０３ 第2项\"\n"
	stages := `SELECT d.reference || ': ' || m.code || '#' || a.seq FROM decision_stages s
		JOIN decisions d ON d.id = s.decision_id JOIN agenda_items a ON a.id = s.agenda_item_id
		JOIN meetings m ON m.id = a.meeting_id ORDER BY 1`
	want := []string{"青山党〔2024〕31号: QSZ-DW-2024-03#2", "青山党〔2024〕31号: QSZ-ZFCW-2024-02#1"}

	res := importData(t, pool, KindDecisions, linked)
	if c := count(t, res, "decision_stages"); c.Created != 2 {
		t.Errorf("first import: got %+v, want 2 created", c)
	}
	wantRows(t, pool, stages, want)
	res = importData(t, pool, KindDecisions, linked)
	if c := count(t, res, "decision_stages"); c.Created != 0 || c.Removed != 0 || c.Unchanged != 2 {
		t.Errorf("second import: got %+v, want 2 unchanged", c)
	}
	importOK(t, pool, KindDecisions, "decisions_gbk.csv")
	wantRows(t, pool, stages, want)

	res = importData(t, pool, KindDecisions, header+"QSZ,QS-03,镇敬老院改造资金8万元,"+
		"2024年3月6日,青山党〔2024〕31号,QSZ-DW-2024-03,1,\n")
	if c := count(t, res, "decision_stages"); c.Removed != 2 {
		t.Errorf("empty cell: got %+v, want 2 removed", c)
	}
	wantRows(t, pool, stages, nil)
}

// importData imports csv as a file of kind and fails the test on any error.
func importData(t testing.TB, pool *pgxpool.Pool, kind Kind, csv string) Result {
	t.Helper()
	res, err := Import(context.Background(), pool, kind, "stages.csv", []byte(csv), Options{})
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

// TestImportStagesOfOneSheet keeps the earlier stages of decisions on a
// sheet without the 前置议题 column when another sheet of the workbook has
// it.
func TestImportStagesOfOneSheet(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	importData(t, pool, KindDecisions, "单位编码,事项编码,标题,决策时间,文号,会议编码,议题序号,前置议题\n"+
		"QSZ,QS-03,镇敬老院改造资金8万元,2024年3月6日,青山党〔2024〕31号,QSZ-DW-2024-03,1,"+
		"QSZ-ZFCW-2024-02#1\n")
	f := excelize.NewFile()
	defer f.Close()
	sheets := map[string][][]string{
		"Sheet1": {{"单位编码", "事项编码", "标题", "决策时间", "文号", "会议编码", "议题序号"},
			{"QSZ", "QS-03", "镇敬老院改造资金8万元", "2024年3月6日", "青山党〔2024〕31号",
				"QSZ-DW-2024-03", "1"}},
		"乙": {{"单位编码", "事项编码", "标题", "决策时间", "文号", "前置议题"},
			{"QSZ", "QS-10", "第二季度办公用品采购", "2024年4月1日", "青山办〔2024〕7号", ""}},
	}
	if _, err := f.NewSheet("乙"); err != nil {
		t.Fatal(err)
	}
	for name, rows := range sheets {
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(context.Background(), pool, KindDecisions, "two.xlsx", buf.Bytes(),
		Options{}); err != nil {
		t.Fatalf("import: %v", err)
	}
	wantRows(t, pool, `SELECT d.reference || ': ' || m.code || '#' || a.seq
		FROM decision_stages s JOIN decisions d ON d.id = s.decision_id
		JOIN agenda_items a ON a.id = s.agenda_item_id JOIN meetings m ON m.id = a.meeting_id`,
		[]string{"青山党〔2024〕31号: QSZ-ZFCW-2024-02#1"})
}

// TestImportRefusesDecidingStage refuses a file that makes a decision's
// deciding item one of its earlier stages through one column, against the
// other as the database holds it, and changes nothing.
func TestImportRefusesDecidingStage(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	// decisions_gbk.csv links 青山党〔2024〕31号 to QSZ-DW-2024-03#1; give it
	// an earlier stage too.
	importData(t, pool, KindDecisions, "单位编码,事项编码,标题,决策时间,文号,前置议题\n"+
		"QSZ,QS-03,镇敬老院改造资金8万元,2024年3月6日,青山党〔2024〕31号,QSZ-ZFCW-2024-02#1\n")
	before := snapshot(t, pool)
	cases := []struct {
		name, csv string
		want      wantError
	}{
		{"stages without the deciding columns",
			"单位编码,事项编码,标题,决策时间,文号,前置议题\n" +
				"QSZ,QS-03,镇敬老院改造资金8万元,2024年3月6日,青山党〔2024〕31号,QSZ-DW-2024-03#1\n",
			wantError{2, "前置议题", "QSZ-DW-2024-03#1 is the agenda item that decided " +
				"decision 青山党〔2024〕31号, as the database holds it"}},
		{"a deciding item without the stages column",
			"单位编码,事项编码,标题,决策时间,文号,会议编码,议题序号\n" +
				"QSZ,QS-03,镇敬老院改造资金8万元,2024年3月6日,青山党〔2024〕31号,QSZ-ZFCW-2024-02,1\n",
			wantError{2, "会议编码", "QSZ-ZFCW-2024-02#1 is an earlier stage of decision " +
				"青山党〔2024〕31号, as the database holds its 前置议题"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErrors(t, importBad(t, pool, KindDecisions, "bad.csv", []byte(c.csv)),
				[]wantError{c.want})
		})
	}
	if after := snapshot(t, pool); !slices.Equal(before, after) {
		t.Errorf("a refused file changed the database")
	}
}

// TestImportRefusesStageMoves refuses a bodies file that moves a body, and
// a meetings file that moves a meeting, to another unit while a decision
// lists an item of theirs as an earlier stage; once it lists none, the
// meeting moves.
func TestImportRefusesStageMoves(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	const decision = "单位编码,事项编码,标题,决策时间,文号,前置议题\n" +
		"QSZ,QS-03,镇敬老院改造资金8万元,2024年3月6日,青山党〔2024〕31号,"
	importData(t, pool, KindDecisions, decision+"QSZ-ZFCW-2024-02#1\n")
	before := snapshot(t, pool)
	const meeting = "会议编码,会议主体,会议名称,会议时间,议题序号,议题名称\n" +
		"QSZ-ZFCW-2024-02,QSZ-DL-LW,青山镇政府2024年第2次常务会议,2024/3/12 15:00,1," +
		"关于签订镇村道路修复工程施工合同的议题\n"
	named := "decision 青山党〔2024〕31号 of unit QSZ lists"
	checkErrors(t, importBad(t, pool, KindBodies, "bad.csv", []byte(
		"单位编码,会议主体编码,会议主体名称,会议类型\nQSZ-DL,QSZ-ZFCW,青山镇政府常务会议,政府常务会议\n")),
		[]wantError{{2, "单位编码", "moves body QSZ-ZFCW to unit QSZ-DL, but " + named +
			" items of its meetings in 前置议题"}})
	checkErrors(t, importBad(t, pool, KindMeetings, "bad.csv", []byte(meeting)),
		[]wantError{{2, "会议主体", "moves meeting QSZ-ZFCW-2024-02 to unit QSZ-DL, but " +
			named + " its items in 前置议题"}})
	if after := snapshot(t, pool); !slices.Equal(before, after) {
		t.Errorf("a refused file changed the database")
	}

	importData(t, pool, KindDecisions, decision+"\n")
	importData(t, pool, KindMeetings, meeting)
	wantRows(t, pool, `SELECT b.code FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id
		WHERE m.code = 'QSZ-ZFCW-2024-02'`, []string{"QSZ-DL-LW"})
}
