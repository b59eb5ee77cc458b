package verify

import (
	"fmt"
	"strings"
	"time"
)

// bodyKinds names the meeting body kinds of the schema in English and
// Chinese.
var bodyKinds = map[string][2]string{
	"party_congress":             {"party congress", "党代会"},
	"party_committee":            {"party committee meeting", "党委会"},
	"party_standing_committee":   {"party standing committee meeting", "常委会"},
	"peoples_congress":           {"people's congress", "人代会"},
	"peoples_congress_presidium": {"people's congress presidium", "人大主席团会议"},
	"government_executive":       {"government executive meeting", "政府常务会议"},
	"party_group":                {"party group meeting", "党组会"},
	"village_two_committees":     {"village two-committee meeting", "村两委会议"},
	"villager_representatives":   {"villagers' representative assembly", "村民代表会议"},
	"joint_party_government":     {"joint party and government meeting", "党政联席会议"},
}

func kindName(kind string) (en, zh string) {
	if n, ok := bodyKinds[kind]; ok {
		return n[0], n[1]
	}
	return kind, kind
}

func requiredKind(d *decisionRow) string {
	if d.RequiredKind == nil {
		return ""
	}
	return *d.RequiredKind
}

// stamp writes an instant in the server's zone, with the offset.
func stamp(t time.Time) string {
	return t.In(time.Local).Format(time.RFC3339)
}

// clock writes a media time in milliseconds as h:mm:ss(.mmm).
func clock(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	s := fmt.Sprintf("%d:%02d:%02d", int64(d.Hours()), int64(d.Minutes())%60,
		int64(d.Seconds())%60)
	if rest := ms % 1000; rest != 0 {
		s += fmt.Sprintf(".%03d", rest)
	}
	return s
}

func msgNoMeeting(d *decisionRow) (en, zh string) {
	kindEN, kindZH := kindName(requiredKind(d))
	var amountEN, amountZH string
	switch {
	case d.Threshold != nil && d.Amount == nil:
		amountEN = fmt.Sprintf(" (no amount registered; the threshold is %s)", *d.Threshold)
		amountZH = fmt.Sprintf("（未登记金额，标准为 %s）", *d.Threshold)
	case d.Threshold != nil:
		amountEN = fmt.Sprintf(" (amount %s is at or over the threshold %s)",
			*d.Amount, *d.Threshold)
		amountZH = fmt.Sprintf("（金额 %s 达到 %s 的标准）", *d.Amount, *d.Threshold)
	}
	en = fmt.Sprintf("matter %s (%s) must be decided at a %s%s, but the decision is "+
		"linked to no agenda item; missing evidence: the meeting and agenda item "+
		"that took the decision", d.MatterCode, d.MatterName, kindEN, amountEN)
	zh = fmt.Sprintf("事项 %s（%s）须经%s决定%s，但该决策未关联任何会议议题；"+
		"缺少证据：作出该决策的会议及议题", d.MatterCode, d.MatterName, kindZH, amountZH)
	return en, zh
}

// wrongBody describes the body that held the linked meeting.
type wrongBody struct {
	BodyCode, BodyKind       string
	KindDiffers, UnitDiffers bool
	Circulation              bool // passed round for signature, not held
	EarlierStage             bool // the body kind is an earlier stage of the matter
	BodyUnit, DecisionUnit   string
}

const jointKind = "joint_party_government"

func msgWrongBody(d *decisionRow, meeting int64, b wrongBody) (en, zh string) {
	wantEN, wantZH := kindName(requiredKind(d))
	gotEN, gotZH := kindName(b.BodyKind)
	var partsEN, partsZH []string
	if b.Circulation {
		partsEN = append(partsEN, fmt.Sprintf("meeting %d was not held: the decision "+
			"was passed round for signature (传签), which is no meeting", meeting))
		partsZH = append(partsZH, fmt.Sprintf("会议 %d 未实际召开，系传签作出，传签不能代替会议",
			meeting))
	}
	switch {
	case b.KindDiffers && b.BodyKind == jointKind:
		partsEN = append(partsEN, fmt.Sprintf("matter %s must be decided at a %s, but "+
			"meeting %d was a joint party and government meeting of body %s, which does "+
			"not stand in for it", d.MatterCode, wantEN, meeting, b.BodyCode))
		partsZH = append(partsZH, fmt.Sprintf("事项 %s 须经%s决定，但会议 %d 为 %s 召开的"+
			"党政联席会议，党政联席会议不能代替%s", d.MatterCode, wantZH, meeting, b.BodyCode,
			wantZH))
	case b.KindDiffers && b.EarlierStage:
		partsEN = append(partsEN, fmt.Sprintf("meeting %d of body %s, a %s, takes matter "+
			"%s up at an earlier stage; the decision must come from a %s", meeting,
			b.BodyCode, gotEN, d.MatterCode, wantEN))
		partsZH = append(partsZH, fmt.Sprintf("会议 %d 由 %s（%s）召开，属事项 %s 的前置程序；"+
			"决策须由%s作出", meeting, b.BodyCode, gotZH, d.MatterCode, wantZH))
	case b.KindDiffers:
		partsEN = append(partsEN, fmt.Sprintf("matter %s must be decided at a %s, "+
			"but meeting %d was held by body %s, a %s", d.MatterCode, wantEN, meeting,
			b.BodyCode, gotEN))
		partsZH = append(partsZH, fmt.Sprintf("事项 %s 须经%s决定，但会议 %d 由 %s（%s）召开",
			d.MatterCode, wantZH, meeting, b.BodyCode, gotZH))
	}
	if b.UnitDiffers {
		partsEN = append(partsEN, fmt.Sprintf("meeting %d was held by body %s of unit %s, "+
			"not by a body of the deciding unit %s", meeting, b.BodyCode, b.BodyUnit,
			b.DecisionUnit))
		partsZH = append(partsZH, fmt.Sprintf("会议 %d 由单位 %s 的 %s 召开，"+
			"而非作出决策的单位 %s 的机构", meeting, b.BodyUnit, b.BodyCode, b.DecisionUnit))
	}
	en = strings.Join(partsEN, "; ") + fmt.Sprintf("; missing evidence: a decision by "+
		"the %s of unit %s", wantEN, b.DecisionUnit)
	zh = strings.Join(partsZH, "；") + fmt.Sprintf("；缺少证据：单位 %s 的%s作出该决策",
		b.DecisionUnit, wantZH)
	return en, zh
}

// early is one date of a decision that lies before its meeting's start.
type early struct {
	What      string // "decided", "contract" or "paid"
	At, Start time.Time
	Started   bool // Start is the recorded start, not the planned one
	DateOnly  bool // At is 00:00 on the meeting's day
}

// earlyWhat names a decision's dates.
var earlyWhat = map[string][2]string{
	"decided":  {"decided at", "决策时间"},
	"contract": {"the contract was signed at", "合同签订时间"},
	"paid":     {"paid at", "付款时间"},
}

// maxSpan is the longest span a time.Duration holds, about 292 years;
// Time.Sub gives it for any longer one.
const maxSpan = time.Duration(1<<63 - 1)

// span writes to - from in English and in Chinese: as a duration to the
// second, or, past what a duration holds (a date in the year 9999, say),
// as whole days, rather than as the largest duration.
func span(from, to time.Time) (en, zh string) {
	if d := to.Sub(from); d != maxSpan && d != -maxSpan-1 {
		s := d.Round(time.Second).String()
		return s, s
	}
	days := daysBetween(from, to)
	return fmt.Sprintf("%d days", days), fmt.Sprintf("%d 天", days)
}

// daysBetween is the number of whole days from from to to, for any two
// times.
func daysBetween(from, to time.Time) int64 {
	if d := to.Sub(from); d != maxSpan && d != -maxSpan-1 {
		return int64(d / (24 * time.Hour))
	}
	return (to.Unix() - from.Unix()) / 86400
}

func msgDecidedBefore(meeting int64, e early) (en, zh string) {
	gapEN, gapZH := span(e.At, e.Start)
	whenEN := fmt.Sprintf("meeting %d started (%s)", meeting, stamp(e.Start))
	whenZH := fmt.Sprintf("会议 %d 的开始时间（%s）", meeting, stamp(e.Start))
	if !e.Started {
		whenEN = fmt.Sprintf("the planned start of meeting %d (%s; the meeting has "+
			"no recorded start)", meeting, stamp(e.Start))
		whenZH = fmt.Sprintf("会议 %d 的计划开始时间（%s，会议未记录实际开始时间）",
			meeting, stamp(e.Start))
	}
	what := earlyWhat[e.What]
	en = fmt.Sprintf("%s %s, %s before %s", what[0], stamp(e.At), gapEN, whenEN)
	zh = fmt.Sprintf("%s %s 比%s早 %s", what[1], stamp(e.At), whenZH, gapZH)
	if e.What == "decided" {
		en += "; a decision cannot come from a meeting held after it; missing evidence: " +
			"a meeting held before the decision"
		zh += "；决策不可能出自其后召开的会议；缺少证据：决策前召开的会议"
	} else {
		en += "; the money was committed before the meeting that was to approve it, " +
			"which then only rubber-stamped it; missing evidence: the meeting's approval " +
			"before the contract and the payment"
		zh += "；在会议决定前已签约或付款，属先斩后奏；缺少证据：签约和付款前的会议决定"
	}
	if e.DateOnly {
		en += "; the time is 00:00 on the meeting day, so it may have been registered " +
			"with a date only"
		zh += "；时间为会议当天 00:00，可能只登记了日期"
	}
	return en, zh
}
