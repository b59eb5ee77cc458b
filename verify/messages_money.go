package verify

import (
	"fmt"
	"strings"
	"time"
)

// split is one window of decisions that together reach the threshold.
type split struct {
	Amount           string // this decision's amount
	IDs              []int64
	Total, Threshold string
	WindowDays       int
	Basis, Key       string // "project" or "payee", and which one
	FirstAt, LastAt  time.Time
}

var splitBasis = map[string][2]string{
	"project": {"project", "项目"},
	"payee":   {"payee", "收款方"},
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

func msgSplitSpending(d *decisionRow, id int64, s split) (en, zh string) {
	kindEN, kindZH := kindName(requiredKind(d))
	basis := splitBasis[s.Basis]
	from, to := day(s.FirstAt.In(time.Local)), day(s.LastAt.In(time.Local))
	en = fmt.Sprintf("decisions %s of unit %s under matter %s for %s %q are each under the "+
		"threshold %s but together come to %s within %d days (%s to %s), and none was "+
		"decided at a %s of the unit: the spending looks split to stay under the "+
		"threshold (化整为零); decision %d is %s of it; missing evidence: one decision on "+
		"the whole amount at a %s", joinIDs(s.IDs), d.UnitCode, d.MatterCode, basis[0],
		s.Key, s.Threshold, s.Total, s.WindowDays, from, to, kindEN, id, s.Amount, kindEN)
	zh = fmt.Sprintf("单位 %s 事项 %s 下针对同一%s“%s”的决策 %s 单笔均低于 %s 的标准，"+
		"但在 %d 天内（%s 至 %s）合计 %s，且均未经本单位%s决定，疑似化整为零规避集体决策；"+
		"决策 %d 金额为 %s；缺少证据：%s对全部金额作出的决定", d.UnitCode, d.MatterCode,
		basis[1], s.Key, joinIDs(s.IDs), s.Threshold, s.WindowDays, from, to, s.Total,
		kindZH, id, s.Amount, kindZH)
	return en, zh
}

// late is a registration or minutes written long after the fact.
type late struct {
	What               string // "registered" or "minutes"
	Ref                string // what EventAt is: "decided", "ended", "planned_end", ...
	EventAt, WrittenAt time.Time
	MeetingID, ItemID  *int64 // set for minutes
	Days               int    // the lag allowed
}

var lateRef = map[string][2]string{
	"ended":         {"the meeting ended", "会议结束"},
	"planned_end":   {"the meeting's planned end", "会议计划结束"},
	"started":       {"the meeting started", "会议开始"},
	"planned_start": {"the meeting's planned start", "会议计划开始"},
}

func msgBackdated(id int64, b late) (en, zh string) {
	days := daysBetween(b.EventAt, b.WrittenAt)
	if b.What == "registered" {
		en = fmt.Sprintf("decision %d, decided at %s, was registered at %s, %d days later "+
			"(more than %d): its date may have been set back; missing evidence: a "+
			"registration made when the decision was taken", id, stamp(b.EventAt),
			stamp(b.WrittenAt), days, b.Days)
		zh = fmt.Sprintf("决策 %d 的决策时间为 %s，登记时间为 %s，晚了 %d 天（超过 %d 天）："+
			"决策日期可能系事后倒签；缺少证据：决策当时的登记记录", id, stamp(b.EventAt),
			stamp(b.WrittenAt), days, b.Days)
		return en, zh
	}
	ref := lateRef[b.Ref]
	en = fmt.Sprintf("the minutes of meeting %d were written at %s, %d days after %s (%s), "+
		"more than %d: they may have been written after the fact; missing evidence: "+
		"minutes written at the time of the meeting", *b.MeetingID, stamp(b.WrittenAt),
		days, ref[0], stamp(b.EventAt), b.Days)
	zh = fmt.Sprintf("会议 %d 的会议记录形成于 %s，比%s（%s）晚 %d 天（超过 %d 天）："+
		"可能系事后补记；缺少证据：会议当时形成的会议记录", *b.MeetingID, stamp(b.WrittenAt),
		ref[1], stamp(b.EventAt), days, b.Days)
	return en, zh
}
