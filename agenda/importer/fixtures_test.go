package importer

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// update rewrites the generated fixtures in testdata/import:
//
//	go test ./agenda/importer -run TestFixturesUpToDate -update
var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/import")

// cellAt is a value written into a workbook cell, with a style when it is
// a date.
type sheetSpec struct {
	name   string
	rows   [][]any  // from A1; time.Time values get a date format
	merged []string // ranges such as "A1:J1"
}

// generated are the fixtures made by code: workbooks with merged cells,
// date cells and stored numbers, and a CSV in GBK.
var generated = map[string]func() ([]byte, error){
	"bodies.xlsx":       func() ([]byte, error) { return workbook(bodiesSheet) },
	"matters.xlsx":      func() ([]byte, error) { return workbook(mattersSheet) },
	"meetings.xlsx":     func() ([]byte, error) { return workbook(meetingsSheet) },
	"decisions_en.xlsx": func() ([]byte, error) { return workbook(decisionsEnSheet, notesSheet) },
	"decisions_gbk.csv": func() ([]byte, error) { return gbk(decisionsGBK) },
}

// TestFixturesUpToDate checks that every generated fixture holds what its
// generator writes, and with -update writes them.
func TestFixturesUpToDate(t *testing.T) {
	for name, gen := range generated {
		t.Run(name, func(t *testing.T) {
			want, err := gen()
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			path := filepath.Join(fixtures, name)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantSheets, err := readSheets(name, want)
			if err != nil {
				t.Fatalf("read generated: %v", err)
			}
			gotSheets, err := readSheets(name, fixture(t, name))
			if err != nil {
				t.Fatalf("read committed: %v", err)
			}
			if !reflect.DeepEqual(gotSheets, wantSheets) {
				t.Errorf("testdata/import/%s differs from its generator: run "+
					"go test ./agenda/importer -run TestFixturesUpToDate -update", name)
			}
		})
	}
}

func workbook(sheets ...sheetSpec) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	if err != nil {
		return nil, err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return nil, err
		}
		if err := fillSheet(f, s, dateStyle); err != nil {
			return nil, err
		}
	}
	if len(sheets) > 1 {
		if err := f.SetSheetVisible(sheets[len(sheets)-1].name, false); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func fillSheet(f *excelize.File, s sheetSpec, dateStyle int) error {
	for r, row := range s.rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue(s.name, cell, v); err != nil {
				return err
			}
			if _, ok := v.(time.Time); ok {
				if err := f.SetCellStyle(s.name, cell, cell, dateStyle); err != nil {
					return err
				}
			}
		}
	}
	for _, m := range s.merged {
		from, to, _ := cutRange(m)
		if err := f.MergeCell(s.name, from, to); err != nil {
			return err
		}
	}
	return nil
}

func cutRange(r string) (string, string, bool) {
	for i := range r {
		if r[i] == ':' {
			return r[:i], r[i+1:], true
		}
	}
	return r, r, false
}

func gbk(text string) ([]byte, error) {
	return simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
}

// day is a date cell's value: Excel keeps wall-clock time, written here
// as UTC.
func day(y, m, d, h, min int) time.Time {
	return time.Date(y, time.Month(m), d, h, min, 0, 0, time.UTC)
}

var bodiesSheet = sheetSpec{name: "会议主体及成员",
	rows: [][]any{
		{"青山镇、东岭村议事机构组成人员名单"},
		{"填报日期：2024年3月1日"},
		{"单位编码", "会议主体编码", "会议主体名称", "会议类型", "成员编码", "姓　名", "职务",
			"角色", "任职起", "任职止"},
		{"QSZ", "QSZ-DW", "青山镇党委会", "党委会", "M001", "王建国", "镇党委书记", "书记",
			day(2021, 6, 1, 0, 0)},
		{nil, nil, nil, nil, "M002", "李明", "镇长", "副书记", day(2021, 6, 1, 0, 0)},
		{nil, nil, nil, nil, "Ｍ００３", "张红", "党委委员", "委员", "2022年3月5日"},
		{"QSZ", "QSZ-ZFCW", "青山镇政府常务会议", "镇政府常务会", "M002", "李明", "镇长",
			"主持人", "2021/6/1"},
		{nil, nil, nil, nil, "M004", "赵强", "副镇长", "副职", "2021.6.1", "2025-12-31"},
		{"QSZ-DL", "QSZ-DL-LW", "东岭村两委会议", "村“两委”会议", nil, "陈刚", "村党支部书记",
			"书记", "2021-01-01"},
		{nil, nil, nil, nil, nil, "刘芳", "村委会委员", "成员", "2021-01-01"},
		{"QSZ-DL", "QSZ-DL-CMDB", "东岭村村民代表会议", "村民代表会议"},
		{},
		{"填表人：李明"},
	},
	merged: []string{"A1:J1", "A4:A6", "B4:B6", "C4:C6", "D4:D6", "A7:A8", "B7:B8", "C7:C8",
		"D7:D8", "A9:A10", "B9:B10", "C9:C10", "D9:D10"},
}

var mattersSheet = sheetSpec{name: "程序清单",
	rows: [][]any{
		{"青山镇“三重一大”事项决策程序清单"},
		{"单位编码", "事项编码", "事项名称", "类别", "“三重一大”类别", "决策主体", "金额", nil,
			"决策规则", nil, nil, nil, nil, "决策依据"},
		{nil, nil, nil, nil, nil, nil, "金额标准（元）", "计算口径", "到会要求", "表决规则",
			"末位表态", "回避", "全程录像"},
		{"QSZ", "QS-01", "编制镇年度计划和五年以上发展规划", "决策类", "重大决策", "党委会", nil,
			nil, "三分之二", "过半数", "√", "×", "√", "镇“三重一大”事项集体决策制度第二条"},
		{"QSZ", "QS-02", "推荐、任免镇管干部", "决策类", "重要干部任免", "党委会", nil, nil,
			"2/3", "2/3", "是", "是", "是", "镇“三重一大”事项集体决策制度第三条"},
		{"QSZ", "QS-03", "使用大额资金（单笔5万元及以上）", "决策类", "大额资金", "镇党委会",
			"5万元", "单笔", "过半数", "过半数", "Y", "Y", "Y", "镇大额资金管理办法"},
		{"QSZ", "QS-04", "安排重大建设项目（财政投入100万元及以上）", "决策类", "重大项目",
			"党委会", "１００万", "同一项目累计", "过半数", "过半数", "是", "是", "是",
			"镇重大行政决策事项目录"},
		{"QSZ", "QS-06", "签订合同（金额1万元及以上）", "决策类", "大额资金", "政府常务会议",
			"￥10000", "同一收款人累计", "过半数", "过半数", "是", "否", "是", "镇合同管理办法"},
		{"QSZ", "QS-07", "处置镇属国有资产（价值100万元及以上）", "决策类", "大额资金",
			"政府常务会议", 1000000, "单笔", "过半数", "过半数", "是", "是", "是",
			"镇国有资产管理办法"},
		{"QSZ", "QS-09", "落实上级部署的专项工作", "落实类", "否", "无", nil, nil, nil, nil,
			nil, nil, "否"},
		{"QSZ", "QS-10", "日常办公用品和小额采购", "执行类", nil, "无"},
		{"QSZ-DL", "DL-01", "村内工程项目（5万元及以上）", "决策类", "重大项目",
			"村两委会议→村民代表会议", "50,000.00", "单笔", "三分之二", "过半数", "√", "√", "√",
			"村级“四议两公开”工作法"},
		{},
		{},
		{"填表人：李明", "填表人：李明", "填表人：李明"},
	},
	merged: []string{"A1:N1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:H2",
		"I2:M2", "N2:N3", "A15:C15"},
}

var meetingsSheet = sheetSpec{name: "会议登记",
	rows: [][]any{
		{"会议编码", "会议主体", "会议名称", "会议时间", "结束时间", "会议形式", "主持人",
			"出席人员", "缺席人员", "议题序号", "议题名称", "事项编码", "汇报人", "表决结果",
			"赞成", "反对", "弃权", "回避人员"},
		{"QSZ-DW-2024-03", "QSZ-DW", "青山镇2024年第3次党委会", day(2024, 3, 5, 9, 0),
			"2024年3月5日 11:30", "会议", "王建国", "王建国、李明", "张红（出差）", 1,
			"关于镇敬老院改造资金安排的议题", "QS-03", "民政办", "通过", 2, 0, 0},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, 2, "关于青山镇污水管网建设项目的议题",
			"QS-04", "城建办", "通过", 1, 0, 0, "李明（亲属承接该项目）"},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, 3,
			"关于推荐镇农业综合服务中心主任人选的议题", "QS-02", "组织办", "暂缓"},
		{"QSZ-ZFCW-2024-02", "QSZ-ZFCW", "青山镇政府2024年第2次常务会议", "2024/3/12 15:00",
			nil, "会议", "李明", "M002 赵强", nil, 1, "关于签订镇村道路修复工程施工合同的议题",
			"QS-06", "城建办", "通过", 2, 0, 0},
		{"DL-2024-01", "QSZ-DL-LW", "东岭村2024年第1次村两委会议", "2024.3.8", nil, "传签",
			"陈刚", "陈刚，刘芳", nil, "１", "关于村道硬化工程的议题", "DL-01", "刘芳", "同意",
			"2", "0", "0"},
	},
	merged: []string{"A2:A4", "B2:B4", "C2:C4", "D2:D4", "E2:E4", "F2:F4", "G2:G4", "H2:H4",
		"I2:I4"},
}

var decisionsEnSheet = sheetSpec{name: "Decisions",
	rows: [][]any{
		{"Unit", "Matter", "Title", "Amount", "Payee", "Project", "Decided at",
			"Registered at", "Reference", "Meeting", "Item"},
		{"QSZ", "QS-03", "镇敬老院改造追加资金6万元", 60000, "青山建筑公司", "镇敬老院改造",
			day(2024, 3, 5, 8, 0), day(2024, 3, 5, 17, 30), "青山党〔2024〕30号",
			"QSZ-DW-2024-03", 1},
		{"QSZ", "QS-03", "镇党群服务中心桌椅购置", math.Nextafter(1234.56, 2000), "青山家具厂",
			nil, day(2024, 3, 20, 0, 0), nil, "青山财〔2024〕8号"},
	},
}

// notesSheet is a hidden sheet such as offices keep for drop-down lists.
var notesSheet = sheetSpec{name: "lists", rows: [][]any{{"Unit", "Matter"}, {"QSZ", "QS-03"}}}

const decisionsGBK = "青山镇2024年决策事项登记表,,,,,,,,,,,\r\n" +
	"序号,单位,事项编码,决策事项,金额（元）,收款单位,项目名称,决策时间,登记时间,文号,会议编码,议题序号\r\n" +
	"1,青山镇,QS-03,镇敬老院改造资金8万元,\"80,000.00\",青山建筑公司,镇敬老院改造,2024年3月6日," +
	"2024-03-07 10:15,青山党〔2024〕31号,QSZ-DW-2024-03,1\r\n" +
	"2,QSZ,QS-04,青山镇污水管网建设项目立项,,,污水管网,2024/3/6,2024/3/8,青山党〔2024〕32号," +
	"QSZ-DW-2024-03,2\r\n" +
	"3,QSZ,QS-04,污水管网建设项目资金120万元,120万元,青河水务公司,污水管网,2024.3.6,45360," +
	"青山党〔2024〕33号,QSZ-DW-2024-03,2\r\n" +
	"4,QSZ,QS-06,镇村道路修复工程施工合同,￥30000,青山路桥公司,镇村道路修复,2024-03-12 16:00,," +
	"青山政〔2024〕18号,QSZ-ZFCW-2024-02,1\r\n" +
	"5,QSZ,QS-03,镇政府办公楼维修经费15万元,15万,,办公楼维修,２０２４年３月１日,,青山财〔2024〕7号,,\r\n" +
	"6,QSZ,QS-10,第二季度办公用品采购,\"３,０００\",青山文具店,,2024-04-02,,青山财〔2024〕9号,,\r\n" +
	"7,东岭村,DL-01,村道硬化工程,5.5万,东岭建筑队,村道硬化,2024年3月8日,,东岭村〔2024〕1号," +
	"DL-2024-01,1\r\n" +
	"合计,,,,\"1,508,000.00\",,,,,,,\r\n" +
	",,,,,,,,,,,\r\n" +
	",,,,,,,,,,,\r\n"
