package verify

import (
	"fmt"
	"strings"
	"time"
)

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
	RawCovers        bool     // the segments cover the stretch, but for gaps
	LostFrom, LostTo *int64   // the part of the stretch lost to gaps
	GapKeys          []string // segments whose gaps lose it
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
	case p.RawCovers:
		en, zh = msgItemInGap(p)
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

// msgItemInGap says where the media of an index point's stretch is lost.
func msgItemInGap(p uncovered) (en, zh string) {
	span := clock(*p.StartMS)
	if p.EndMS != nil {
		span += "-" + clock(*p.EndMS)
	}
	lost := "?"
	if p.LostFrom != nil && p.LostTo != nil {
		lost = clock(*p.LostFrom) + "-" + clock(*p.LostTo)
	}
	keys := strings.Join(p.GapKeys, ", ")
	en = fmt.Sprintf("index point %d of agenda item %d covers %s of recording %d, but "+
		"the media of %s is lost: gaps of more than %s recorded in segments %s",
		*p.PointID, p.ItemID, span, *p.RecordingID, lost, gapTolerance(), keys)
	zh = fmt.Sprintf("议题 %d 的索引点 %d 为录像 %d 的 %s，但其中 %s 的音视频缺失："+
		"分段 %s 记录了超过 %s 的中断", p.ItemID, *p.PointID, *p.RecordingID, span, lost,
		keys, gapTolerance())
	return en, zh
}

func gapTolerance() time.Duration { return gapToleranceMS * time.Millisecond }

// shortRecording is how much of a meeting's span its recordings cover.
type shortRecording struct {
	From, To      time.Time
	Covered, Span float64 // seconds
}

func seconds(s float64) time.Duration {
	return (time.Duration(s * float64(time.Second))).Round(time.Second)
}

func msgShortRecording(meeting int64, s shortRecording) (en, zh string) {
	pct := int(100 * s.Covered / s.Span)
	en = fmt.Sprintf("the recordings of meeting %d cover %s of the %s it lasted (%s to %s), "+
		"%d%%, less than %d%%: most of the meeting is not on record; missing evidence: "+
		"a recording of the whole meeting", meeting, seconds(s.Covered), seconds(s.Span),
		stamp(s.From), stamp(s.To), pct, int(100*minRecordedShare))
	zh = fmt.Sprintf("会议 %d 持续 %s（%s 至 %s），录像仅覆盖 %s，占 %d%%，不足 %d%%："+
		"会议大部分内容未留存；缺少证据：会议全程录像", meeting, seconds(s.Span),
		stamp(s.From), stamp(s.To), seconds(s.Covered), pct, int(100*minRecordedShare))
	return en, zh
}

// lostMedia is every stretch of one recording that no track covers for
// longer than gapToleranceMS, as evidence for one decision.
type lostMedia struct {
	DecisionID, MeetingID, ItemID, RecordingID int64
	Stretches                                  []lostStretch
}

// lostStretch is one stretch of lost media, with the kinds of media lost
// and the segments whose recorded gaps make it up.
type lostStretch struct {
	FromMS, ToMS int64
	Kinds, Keys  []string
}

func (l lostMedia) firstKey() string {
	for _, s := range l.Stretches {
		if len(s.Keys) > 0 {
			return s.Keys[0]
		}
	}
	return ""
}

// maxListed is how many stretches a message lists before it counts the rest.
const maxListed = 5

var mediaKinds = map[string]string{"audio": "音频", "video": "视频"}

func msgLostMedia(l lostMedia) (en, zh string) {
	var partsEN, partsZH []string
	for i, s := range l.Stretches {
		if i == maxListed {
			partsEN = append(partsEN, fmt.Sprintf("and %d more", len(l.Stretches)-i))
			partsZH = append(partsZH, fmt.Sprintf("另有 %d 段", len(l.Stretches)-i))
			break
		}
		var kindsZH []string
		for _, k := range s.Kinds {
			kindsZH = append(kindsZH, mediaKinds[k])
		}
		span := clock(s.FromMS) + "-" + clock(s.ToMS)
		keys := strings.Join(s.Keys, ", ")
		partsEN = append(partsEN, fmt.Sprintf("%s (%s; segment %s)", span,
			strings.Join(s.Kinds, " and "), keys))
		partsZH = append(partsZH, fmt.Sprintf("%s（%s；分段 %s）", span,
			strings.Join(kindsZH, "和"), keys))
	}
	en = fmt.Sprintf("recording %d of meeting %d lost media for more than %s in %d "+
		"stretch(es), which no other track covers: %s; what was said then is not on "+
		"record; missing evidence: the recording of those stretches", l.RecordingID,
		l.MeetingID, gapTolerance(), len(l.Stretches), strings.Join(partsEN, ", "))
	zh = fmt.Sprintf("会议 %d 的录像 %d 有 %d 段超过 %s 的音视频缺失，且无其他轨道覆盖：%s；"+
		"该时段的发言未留存；缺少证据：上述时段的录像", l.MeetingID, l.RecordingID,
		len(l.Stretches), gapTolerance(), strings.Join(partsZH, "，"))
	return en, zh
}
