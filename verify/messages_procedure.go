package verify

import (
	"fmt"
	"strings"
	"time"
)

// shareRules names the share rules of matters (quorum_rule, vote_rule).
var shareRules = map[string][2]string{
	"more_than_half": {"more than half", "过半数"},
	"two_thirds":     {"at least two thirds", "三分之二以上"},
}

// needed is the least count out of whole that meets rule.
func needed(whole int, rule string) int {
	if rule == "two_thirds" {
		return (2*whole + 2) / 3
	}
	return whole/2 + 1
}

func day(t time.Time) string { return t.Format(dateLayout) }

// quorum is the attendance of one meeting against its body's seats.
type quorum struct {
	BodyCode        string
	Day             time.Time // the meeting's day, on which the seats are counted
	Rule            string    // the matter's quorum_rule
	Should, Present int
	Kept            bool // attendance was recorded for the meeting
}

func msgNoQuorum(meeting int64, q quorum) (en, zh string) {
	rule, need := shareRules[q.Rule], needed(q.Should, q.Rule)
	if !q.Kept {
		en = fmt.Sprintf("meeting %d of body %s has no attendance record, so its quorum "+
			"cannot be shown (%d members held a seat on %s; %s, at least %d, must be "+
			"present); missing evidence: the attendance list of the meeting", meeting,
			q.BodyCode, q.Should, day(q.Day), rule[0], need)
		zh = fmt.Sprintf("会议 %d（%s）没有出席记录，无法证明到会人数符合要求（%s 在任成员 %d 人，"+
			"须%s即至少 %d 人到会）；缺少证据：会议出席记录", meeting, q.BodyCode, day(q.Day),
			q.Should, rule[1], need)
		return en, zh
	}
	en = fmt.Sprintf("meeting %d of body %s had %d of the %d members who should attend "+
		"present (seats on %s); the matter asks %s, at least %d; missing evidence: a "+
		"meeting with quorum", meeting, q.BodyCode, q.Present, q.Should, day(q.Day),
		rule[0], need)
	zh = fmt.Sprintf("会议 %d（%s）应到会成员 %d 人（%s 在任），实到 %d 人；该事项要求%s到会，"+
		"即至少 %d 人；缺少证据：到会人数符合要求的会议", meeting, q.BodyCode, q.Should,
		day(q.Day), q.Present, rule[1], need)
	return en, zh
}

// vote is an agenda item's vote as the minutes give it.
type vote struct {
	ItemSeq               int
	BodyCode              string
	Day                   time.Time
	Rule                  string // the matter's vote_rule
	For, Against, Abstain int
	Should                *int // members who should attend; nil when seats are not known
}

func msgVoteShort(meeting, item int64, v vote) (en, zh string) {
	rule := shareRules[v.Rule]
	en = fmt.Sprintf("agenda item %d (no. %d) of meeting %d had %d votes for, %d against "+
		"and %d abstaining; ", item, v.ItemSeq, meeting, v.For, v.Against, v.Abstain)
	zh = fmt.Sprintf("会议 %d 议题 %d（第 %d 项）表决赞成 %d 票、反对 %d 票、弃权 %d 票；",
		meeting, item, v.ItemSeq, v.For, v.Against, v.Abstain)
	if v.Should != nil {
		need := needed(*v.Should, v.Rule)
		en += fmt.Sprintf("the matter asks %s of the %d members who should attend "+
			"(seats of body %s on %s) to vote for, at least %d", rule[0], *v.Should,
			v.BodyCode, day(v.Day), need)
		zh += fmt.Sprintf("该事项须经应到会成员（%s 在 %s 的 %d 名成员）%s同意，即至少 %d 票",
			v.BodyCode, day(v.Day), *v.Should, rule[1], need)
	} else {
		cast := v.For + v.Against + v.Abstain
		need := needed(cast, v.Rule)
		en += fmt.Sprintf("the seats of body %s are not recorded, and even of the %d votes "+
			"cast the matter asks %s, at least %d", v.BodyCode, cast, rule[0], need)
		zh += fmt.Sprintf("%s 的成员未登记，即便按实际投票 %d 票计，该事项也须%s同意，即至少 %d 票",
			v.BodyCode, cast, rule[1], need)
	}
	en += "; missing evidence: a vote that carried the item"
	zh += "；缺少证据：表决通过的记录"
	return en, zh
}

// recusal is a member who had to leave the room for an item but did not.
type recusal struct {
	ItemSeq                        int
	MemberCode, MemberName, Reason string
	TookPart                       bool
	Statements                     []int32 // seq of the member's statements on the item
}

func msgRecusalMissed(meeting, item int64, r recusal) (en, zh string) {
	var didEN, didZH []string
	if r.TookPart {
		didEN = append(didEN, "the minutes show the member took part")
		didZH = append(didZH, "会议记录显示其参与了该议题")
	}
	if len(r.Statements) > 0 {
		seqs := joinInts(r.Statements)
		didEN = append(didEN, "stated a view (statement no. "+seqs+")")
		didZH = append(didZH, "并发表了意见（第 "+seqs+" 个发言）")
	}
	reasonEN, reasonZH := "", ""
	if r.Reason != "" {
		reasonEN, reasonZH = " (reason: "+r.Reason+")", "（原因："+r.Reason+"）"
	}
	en = fmt.Sprintf("member %s (%s) had to leave the room for agenda item %d (no. %d) of "+
		"meeting %d%s, but %s; missing evidence: the item decided without the recused "+
		"member", r.MemberCode, r.MemberName, item, r.ItemSeq, meeting, reasonEN,
		strings.Join(didEN, " and "))
	zh = fmt.Sprintf("成员 %s（%s）应回避会议 %d 的议题 %d（第 %d 项）%s，但%s；"+
		"缺少证据：回避成员未参与的议题决定", r.MemberCode, r.MemberName, meeting, item,
		r.ItemSeq, reasonZH, strings.Join(didZH, ""))
	return en, zh
}

func joinInts(ns []int32) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

// speakingOrder is who spoke last on an item, and when the leader spoke.
type speakingOrder struct {
	ItemSeq, LastSeq       int
	LastCode, LastName     string
	LeaderCode, LeaderName string
	LeaderSeq              *int // the leader's last statement; nil when none
}

func msgLeaderNotLast(meeting, item int64, o speakingOrder) (en, zh string) {
	leaderEN, leaderZH := "who stated no view", "其未表态"
	if o.LeaderSeq != nil {
		leaderEN = fmt.Sprintf("who spoke at no. %d", *o.LeaderSeq)
		leaderZH = fmt.Sprintf("其在第 %d 个发言", *o.LeaderSeq)
	}
	en = fmt.Sprintf("on agenda item %d (no. %d) of meeting %d the last view (statement "+
		"no. %d) was stated by %s (%s), not by the body's leader %s (%s), %s; the leader "+
		"states a view last so as not to sway the others; missing evidence: the leader's "+
		"view stated last", item, o.ItemSeq, meeting, o.LastSeq, o.LastCode, o.LastName,
		o.LeaderCode, o.LeaderName, leaderEN)
	zh = fmt.Sprintf("会议 %d 议题 %d（第 %d 项）最后发言（第 %d 个）的是 %s（%s），"+
		"而非主要负责人 %s（%s）（%s）；主要负责人应末位表态；缺少证据：主要负责人末位表态的记录",
		meeting, item, o.ItemSeq, o.LastSeq, o.LastCode, o.LastName, o.LeaderCode,
		o.LeaderName, leaderZH)
	return en, zh
}
