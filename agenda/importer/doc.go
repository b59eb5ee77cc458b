// Package importer reads the spreadsheets a county's offices keep (XLSX
// workbooks, and CSV files in UTF-8 with or without BOM, UTF-16 or GBK)
// into the agenda tables: org units, meeting bodies with their members and
// seats, the procedure list, meetings with their agenda items, attendance
// and recusals, and registered decisions. It writes with SQL of its own in
// one pgx transaction: a file is imported whole or not at all, and every
// bad cell is reported with its sheet, row (as the spreadsheet shows it),
// column header and what to write instead.
//
// # Files
//
// The content tells the format: a ZIP is an XLSX workbook, text is CSV
// (comma, tab or semicolon). Every visible sheet whose header is found is
// read; hidden sheets, and sheets with no header (instructions), are not.
// The header is the row among the first 30 that names the most columns,
// read together with the row below it when that splits merged group
// headers ("金额" over "金额标准（元）" and "计算口径"). Headers are matched
// in Chinese as offices write them or in English, ignoring spaces,
// full-width forms, case, "*" marks and a trailing note in brackets;
// "（万元）" in a header multiplies plain numbers by 10,000. Cells of a
// merged range all take its value. Empty rows, a totals row (合计) and a
// note below the table (注：…, 填表人：…) are skipped. Columns no field is
// read from are listed in Result.Ignored.
//
// Values: full-width digits, letters and spaces are folded; amounts may be
// 50000, 50,000.00, 5万元, 5.5万, ￥80000 or 1.2亿; dates 2024-03-05,
// 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, an Excel serial number, with
// or without a time (09:30, 9时30分, 下午3点) or an RFC 3339 zone. Dates
// without a zone are China Standard Time; a date alone is midnight. Yes
// and no are 是/否, √/×, Y/N and the like.
//
// # Kinds
//
//   - units: 单位编码, 单位名称, 层级 (县, 乡镇, 部门, 村), 上级单位编码 (a code or
//     a name, in the file or the database; parents may come after their
//     children, loops are refused).
//   - bodies: one row per seat: 单位编码, 会议主体编码, 会议主体名称, 会议类型,
//     and 成员编码, 姓名, 职务, 角色, 任职起, 任职止. A row without a member
//     lists a body alone. A member without a code gets UNIT-姓名.
//   - matters: 单位编码, 事项编码, 事项名称, 类别, 三重一大, 决策主体 (one kind, or
//     several in order: 村两委会议→村民代表会议; 无 for none), 金额标准, 金额口径
//     (单笔, 同一项目累计, 同一收款人累计), 累计天数, 到会要求 and 表决规则 (过半数,
//     三分之二), 末位表态, 回避, 全程录像, 依据.
//   - meetings: one row per agenda item. The meeting's columns (会议编码,
//     会议主体, 会议名称, 会议时间, 结束时间, 会议形式 会议/传签, 主持人, 出席人员,
//     缺席人员) repeat on each of its rows, are merged over them, or are left
//     empty below the first; the item's are 议题序号 (else the row's place in
//     the meeting), 议题名称, 事项编码, 汇报人, 表决结果, 赞成, 反对, 弃权, 回避人员.
//     People are written by member code or name, separated by 、 or commas,
//     with a note in brackets: 张红（出差）.
//   - decisions: 单位编码 (or name), 事项编码, 标题, 金额, 收款单位, 项目, 决策时间,
//     登记时间, 合同签订时间, 支付时间, 文号, and 会议编码 with 议题序号 to link the
//     agenda item that decided it; 前置议题 lists the agenda items at which
//     the earlier stages took the matter up (a village's two committees
//     before its representatives), each as meeting code, # and item number
//     (QSZ-DW-2024-03#2; also /2, :2 or 第2项), several separated by 、 or
//     commas. They must be items of the unit's own meetings, other than the
//     deciding one (the row's, or the database's when the file has no
//     会议编码). The matter must be on the unit's own procedure list.
//
// # Writing
//
// Units, bodies, members, matters and meetings are found again by code,
// seats by body, member and 任职起, agenda items by meeting and number,
// decisions by unit and 文号, which a decision must have. Rows are copied
// into a staging table and merged in one statement per table; a row equal
// to the database's is left alone, so importing a file twice changes
// nothing, and Result counts what was created, updated and unchanged. A
// column the file lacks leaves that field as the database has it; an
// empty cell in a column it has empties the field. Attendance and recusals
// listed for a meeting replace the ones it had, and so do the
// earlier-stage items listed for a decision (an empty 前置议题 cell clears
// them). Nothing is deleted otherwise. Imports take an advisory lock, so
// two never interleave.
//
// A file may not move what decisions depend on to another unit: a matter
// its unit's decisions are on, or a body or meeting whose agenda items
// decisions list as earlier stages (moves.go).
package importer
