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
	BodyUnit, DecisionUnit   string
}

func msgWrongBody(d *decisionRow, meeting int64, b wrongBody) (en, zh string) {
	wantEN, wantZH := kindName(requiredKind(d))
	gotEN, gotZH := kindName(b.BodyKind)
	var partsEN, partsZH []string
	if b.KindDiffers {
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

func msgDecidedBefore(meeting int64, decided, start time.Time, started,
	dateOnly bool) (en, zh string) {
	early := start.Sub(decided).Round(time.Second)
	whenEN := fmt.Sprintf("meeting %d started (%s)", meeting, stamp(start))
	whenZH := fmt.Sprintf("会议 %d 的开始时间（%s）", meeting, stamp(start))
	if !started {
		whenEN = fmt.Sprintf("the planned start of meeting %d (%s; the meeting has "+
			"no recorded start)", meeting, stamp(start))
		whenZH = fmt.Sprintf("会议 %d 的计划开始时间（%s，会议未记录实际开始时间）",
			meeting, stamp(start))
	}
	en = fmt.Sprintf("decided at %s, %s before %s; a decision cannot come from a "+
		"meeting held after it; missing evidence: a meeting held before the decision",
		stamp(decided), early, whenEN)
	zh = fmt.Sprintf("决策时间 %s 比%s早 %s；决策不可能出自其后召开的会议；"+
		"缺少证据：决策前召开的会议", stamp(decided), whenZH, early)
	if dateOnly {
		en += "; the time is 00:00 on the meeting day, so the decision may have been " +
			"registered with a date only"
		zh += "；决策时间为会议当天 00:00，可能只登记了日期"
	}
	return en, zh
}

func msgNoRecording(meeting int64, total, open, interrupted int) (en, zh string) {
	whyEN, whyZH := "no recording at all", "没有任何录像"
	if total > 0 {
		empty := total - open - interrupted
		whyEN = fmt.Sprintf("%d still recording, %d interrupted, %d finished without media",
			open, interrupted, empty)
		whyZH = fmt.Sprintf("%d 个仍在录制，%d 个中断，%d 个已结束但无音视频",
			open, interrupted, empty)
	}
	en = fmt.Sprintf("meeting %d has no finished recording (%s); missing evidence: "+
		"a complete video recording of the meeting", meeting, whyEN)
	zh = fmt.Sprintf("会议 %d 没有完整结束的录像（%s）；缺少证据：会议全程录像", meeting, whyZH)
	return en, zh
}

func msgInterrupted(meeting, rec int64, started time.Time, ended *time.Time) (en,
	zh string) {
	atEN, atZH := "", ""
	if ended != nil {
		atEN = " at " + stamp(*ended)
		atZH = "于 " + stamp(*ended) + " "
	}
	en = fmt.Sprintf("recording %d of meeting %d (started %s) was interrupted%s "+
		"(the server stopped or the publisher was lost); what followed may be "+
		"missing from the evidence", rec, meeting, stamp(started), atEN)
	zh = fmt.Sprintf("会议 %d 的录像 %d（开始于 %s）%s中断（服务器停止或推流端断开）；"+
		"中断后的会议内容可能没有留存证据", meeting, rec, stamp(started), atZH)
	return en, zh
}

// uncovered is an index point of an agenda item that the recording does
// not back, or an item without index points (PointID nil).
type uncovered struct {
	ItemID           int64
	ItemSeq          int
	ItemTitle        string
	PointID          *int64
	RecordingID      *int64
	StartMS          *int64
	EndMS            *int64
	RecordingMeeting *int64
	HasSegments      bool
}

const missingStretchEN = "; missing evidence: the stretch of recording where the item " +
	"was discussed"
const missingStretchZH = "；缺少证据：讨论该议题的录像片段"

func msgItemNotCovered(meeting int64, p uncovered) (en, zh string) {
	switch {
	case p.PointID == nil:
		en = fmt.Sprintf("agenda item %d (no. %d, %s) has no index point in any "+
			"recording of meeting %d", p.ItemID, p.ItemSeq, p.ItemTitle, meeting)
		zh = fmt.Sprintf("议题 %d（第 %d 项，%s）在会议 %d 的录像中没有索引点",
			p.ItemID, p.ItemSeq, p.ItemTitle, meeting)
	case *p.RecordingMeeting != meeting:
		en = fmt.Sprintf("index point %d of agenda item %d points into recording %d, "+
			"which belongs to meeting %d, not to meeting %d", *p.PointID, p.ItemID,
			*p.RecordingID, *p.RecordingMeeting, meeting)
		zh = fmt.Sprintf("议题 %d 的索引点 %d 指向录像 %d，该录像属于会议 %d 而非会议 %d",
			p.ItemID, *p.PointID, *p.RecordingID, *p.RecordingMeeting, meeting)
	case !p.HasSegments:
		en = fmt.Sprintf("index point %d of agenda item %d points into recording %d, "+
			"which has no stored segments", *p.PointID, p.ItemID, *p.RecordingID)
		zh = fmt.Sprintf("议题 %d 的索引点 %d 指向的录像 %d 没有任何已存储的分段",
			p.ItemID, *p.PointID, *p.RecordingID)
	case p.EndMS == nil:
		en = fmt.Sprintf("index point %d of agenda item %d starts at %s of recording %d "+
			"and was never closed, and the recording's segments do not cover its start",
			*p.PointID, p.ItemID, clock(*p.StartMS), *p.RecordingID)
		zh = fmt.Sprintf("议题 %d 的索引点 %d 始于录像 %d 的 %s 且未结束，录像分段未覆盖其起点",
			p.ItemID, *p.PointID, *p.RecordingID, clock(*p.StartMS))
	default:
		en = fmt.Sprintf("index point %d of agenda item %d spans %s-%s of recording %d, "+
			"but the recording's segments do not cover that stretch", *p.PointID,
			p.ItemID, clock(*p.StartMS), clock(*p.EndMS), *p.RecordingID)
		zh = fmt.Sprintf("议题 %d 的索引点 %d 为录像 %d 的 %s-%s，但录像分段未覆盖该时段",
			p.ItemID, *p.PointID, *p.RecordingID, clock(*p.StartMS), clock(*p.EndMS))
	}
	return en + missingStretchEN, zh + missingStretchZH
}

// trackGaps collects the runs of missing seq numbers of one track.
type trackGaps struct {
	RecordingID, TrackID int64
	SessionID            string
	Ranges               [][2]int64
}

func (g *trackGaps) problem() evidenceProblem {
	var runs []string
	for _, r := range g.Ranges {
		if r[0] == r[1] {
			runs = append(runs, fmt.Sprint(r[0]))
		} else {
			runs = append(runs, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
	}
	return evidenceProblem{
		RecordingID: g.RecordingID,
		Message: fmt.Sprintf("track %d (session %s) of recording %d lacks the segments "+
			"numbered %s: they were removed from the evidence, or never stored",
			g.TrackID, g.SessionID, g.RecordingID, strings.Join(runs, ", ")),
		MessageZH: fmt.Sprintf("录像 %d 的轨道 %d（会话 %s）缺少序号为 %s 的分段："+
			"分段已从证据中被删除，或从未存储", g.RecordingID, g.TrackID, g.SessionID,
			strings.Join(runs, "、")),
	}
}

func msgObjectMissing(s segmentRow) [2]string {
	return [2]string{
		fmt.Sprintf("segment %d of track %d (object %s) is missing from the object "+
			"store: it was removed, or never left the local spool", s.Seq, s.TrackID, s.Key),
		fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）在对象存储中缺失：已被删除，或仍未从本地缓存上传",
			s.TrackID, s.Seq, s.Key),
	}
}

func msgObjectSize(s segmentRow, size int64) [2]string {
	return [2]string{
		fmt.Sprintf("segment %d of track %d (object %s) holds %d bytes, but %d were "+
			"recorded: the object was replaced or truncated", s.Seq, s.TrackID, s.Key,
			size, s.Size),
		fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）大小为 %d 字节，登记为 %d 字节："+
			"对象已被替换或截断", s.TrackID, s.Seq, s.Key, size, s.Size),
	}
}

func msgObjectHash(s segmentRow, sum [32]byte) [2]string {
	return [2]string{
		fmt.Sprintf("segment %d of track %d (object %s) no longer hashes to its recorded "+
			"SHA-256 (recorded %x, now %x): the object's bytes were altered", s.Seq,
			s.TrackID, s.Key, s.SHA256, sum),
		fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）的 SHA-256 与登记值不符（登记 %x，现为 %x）："+
			"对象内容已被篡改", s.TrackID, s.Seq, s.Key, s.SHA256, sum),
	}
}
