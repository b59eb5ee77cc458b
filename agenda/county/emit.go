package county

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// An emitter writes one unit's plan as rows.
type emitter struct {
	g *generator
	s *sink
	u *unit
	r *rand.Rand
	// staged are the decisions written whose item has earlier steps, whose
	// links are written once every item of the unit has its id.
	staged []stagedDecision
}

type stagedDecision struct {
	id     int64
	stages []*itemPlan
}

// emitUnit writes p into s, handing on each batch that fills up.
func (g *generator) emitUnit(s *sink, p *unitPlan) error {
	e := &emitter{g: g, s: s, u: p.u, r: g.rand(p.u, 3)}
	for _, mp := range p.meetings {
		e.meeting(mp)
		if err := s.flushIfFull(); err != nil {
			return err
		}
	}
	for _, d := range p.unlinked {
		e.decision(d, nil, d.at)
	}
	for _, sd := range e.staged {
		for _, it := range sd.stages {
			e.s.b.add(tStages, sd.id, it.id)
		}
	}
	return s.flushIfFull()
}

// A timeline is when a meeting and each of its items ran.
type timeline struct {
	started, ended, plannedEnd time.Time
	start, end                 []time.Time // per item
}

// A sitting is who sat on the body on the meeting's day and who came.
type sitting struct {
	seated  []*seat
	present []*seat
	leader  *seat
}

func (e *emitter) meeting(mp *meetingPlan) {
	id := e.g.ids.take(tMeetings)
	var s sitting
	s.seated, s.leader = mp.b.seatedOn(dayOf(mp.at))
	tl := e.timeline(mp)
	mode, word, letter := "meeting", "会议", ""
	if mp.circulation() {
		mode, word, letter = "circulation", "传签", "c"
	} else {
		s.present = e.attend(id, mp, s.seated, s.leader)
	}
	minutes := tl.ended.Add(minutes(e.r, 60, 72*60))
	if mp.fault == Backdated {
		minutes = tl.ended.Add(time.Duration(40+e.r.IntN(81)) * 24 * time.Hour)
	}
	year := mp.at.In(cst).Year()
	title := fmt.Sprintf("%s %d年第%d次%s", mp.b.short, year, mp.number, word)
	code := fmt.Sprintf("%s-%d-%s%03d", mp.b.code, year, letter, mp.number)
	e.s.b.add(tMeetings, id, mp.b.id, title, mp.at, tl.started, tl.ended, code, tl.plannedEnd,
		mode, s.leader.member.id, minutes)
	takes := e.record(id, mp, tl)
	for i, it := range mp.items {
		e.item(id, mp, i, it, tl, s, takes)
	}
}

// timeline runs the items one after another, six to twenty-five minutes
// each; a circulation takes hours to a day for all to sign.
func (e *emitter) timeline(mp *meetingPlan) timeline {
	r := e.r
	n := len(mp.items)
	tl := timeline{start: make([]time.Time, n), end: make([]time.Time, n)}
	tl.plannedEnd = mp.at.Add(time.Duration(30+20*n) * time.Minute)
	if mp.circulation() {
		tl.started = mp.at
		tl.ended = mp.at.Add(minutes(r, 4*60, 30*60))
		for i := range mp.items {
			tl.start[i], tl.end[i] = tl.started, tl.ended
		}
		tl.plannedEnd = mp.at.Add(24 * time.Hour)
		return tl
	}
	tl.started = mp.at.Add(minutes(r, 0, 10))
	t := tl.started.Add(minutes(r, 1, 3))
	if mp.fault == RecordingInterrupted {
		t = tl.started.Add(minutes(r, 8, 10)) // the recording restarts at 5 minutes
	}
	for i, it := range mp.items {
		d := minutes(r, 6, 25)
		if len(it.decisions) == 0 {
			d = minutes(r, 4, 12)
		}
		tl.start[i], tl.end[i] = t, t.Add(d)
		t = tl.end[i].Add(minutes(r, 1, 3))
	}
	tl.ended = t.Add(minutes(r, 2, 8))
	return tl
}

var absenceReasons = []string{"出差", "病假", "参加上级会议", "休假", "外出学习"}

// attend writes who came. A clean meeting keeps two thirds of the seated
// members, the leader among them; a meeting without quorum has no more
// than half.
func (e *emitter) attend(id int64, mp *meetingPlan, seated []*seat, leader *seat) []*seat {
	n := len(seated)
	absent := min(pick(e.r, []int{0, 0, 0, 1, 1, 2}), n-ceilDiv(2*n, 3))
	if mp.fault == NoQuorum {
		absent = n - n/2
	}
	away := map[*seat]bool{}
	for _, i := range e.r.Perm(n) {
		if len(away) == absent {
			break
		}
		if seated[i] != leader {
			away[seated[i]] = true
		}
	}
	var present []*seat
	for _, s := range seated {
		if away[s] {
			e.s.b.add(tAttendance, id, s.member.id, "absent", pick(e.r, absenceReasons))
			continue
		}
		e.s.b.add(tAttendance, id, s.member.id, "present", "")
		present = append(present, s)
	}
	return present
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// A vote is an item's count, nil fields when the minutes keep none.
type vote struct {
	known                 bool
	yes, against, abstain int
}

func (e *emitter) item(meeting int64, mp *meetingPlan, i int, it *itemPlan, tl timeline,
	s sitting, takes []take) {
	id := e.g.ids.take(tItems)
	it.id = id
	voters, recused, tookPart := e.recusal(it, s)
	v := e.vote(mp, it, s, voters)
	title := "关于" + it.subject + "的议题"
	if it.prior {
		title += priorWord[mp.b.kind]
	}
	var outcome, yes, against, abstain any
	if len(it.decisions) > 0 || it.prior {
		outcome = "approved"
	}
	if v.known {
		yes, against, abstain = int32(v.yes), int32(v.against), int32(v.abstain)
	}
	e.s.b.add(tItems, id, meeting, int32(i+1), title, it.m.id, e.presenter(s), outcome, yes,
		against, abstain)
	if recused != nil {
		e.s.b.add(tRecusals, id, recused.member.id, pick(e.r, recusalReasons), tookPart)
	}
	if it.m.t.has('L') && !mp.circulation() {
		e.statements(id, it, s.leader, voters, v)
	}
	if it.fault != ItemNotCovered || it.pause {
		e.indexPoint(id, tl.start[i], tl.end[i], takes)
	}
	for _, d := range it.decisions {
		at := tl.end[i].Add(minutes(e.r, 5, 40))
		switch {
		case mp.circulation():
			at = tl.ended.Add(time.Hour)
		case d.early:
			at = tl.started.Add(-minutes(e.r, 3*60, 10*24*60))
		}
		decision := e.decision(d, id, at)
		if len(it.stages) > 0 {
			e.staged = append(e.staged, stagedDecision{decision, it.stages})
		}
	}
}

// priorWord marks an item of an earlier step in its title.
var priorWord = map[string]string{kindTwo: "（两委商议）", kindGov: "（政府研究）"}

var recusalReasons = []string{"本人近亲属为利害关系人", "与项目承包方存在利害关系",
	"本人为推荐人选的近亲属", "曾参与该事项的评审"}

// recusal picks, on a matter where recusal applies, a member who had to
// leave: one of four clean items, where the votes still reach two thirds
// without the member, or every RECUSAL_MISSED item, where the member took
// part. It returns who voted.
func (e *emitter) recusal(it *itemPlan, s sitting) (voters []*seat, recused *seat,
	tookPart bool) {
	voters = s.present
	if !it.m.t.has('R') || len(s.present) < 2 {
		return voters, nil, false
	}
	missed := it.fault == RecusalMissed
	if !missed && (e.r.IntN(4) > 0 || len(s.present)-1 < ceilDiv(2*len(s.seated), 3)) {
		return voters, nil, false
	}
	for {
		recused = pick(e.r, s.present)
		if recused != s.leader {
			break
		}
	}
	if missed {
		return voters, recused, true
	}
	voters = make([]*seat, 0, len(s.present)-1)
	for _, p := range s.present {
		if p != recused {
			voters = append(voters, p)
		}
	}
	return voters, recused, false
}

// vote counts an item. Clean items pass by two thirds of the seated
// members, which meets every reading of the vote rules; a VOTE_SHORT item
// has no more than half of its voters for it, and was approved anyway.
func (e *emitter) vote(mp *meetingPlan, it *itemPlan, s sitting, voters []*seat) vote {
	if mp.circulation() || mp.fault == NoQuorum || (len(it.decisions) == 0 && !it.prior) {
		return vote{}
	}
	n := len(voters)
	if it.fault == VoteShort {
		yes := max(1, n/2)
		against := (n - yes + 1) / 2
		return vote{known: true, yes: yes, against: against, abstain: n - yes - against}
	}
	k := min(pick(e.r, []int{0, 0, 0, 0, 0, 0, 0, 1, 1, 2}), max(0, n-ceilDiv(2*len(s.seated), 3)))
	return vote{known: true, yes: n - k, against: (k + 1) / 2, abstain: k / 2}
}

// statements writes the order in which the voters spoke: the leader last,
// or first on a LEADER_NOT_LAST item; positions follow the count.
func (e *emitter) statements(item int64, it *itemPlan, leader *seat, voters []*seat, v vote) {
	order := make([]*seat, 0, len(voters))
	for _, i := range e.r.Perm(len(voters)) {
		if voters[i] != leader {
			order = append(order, voters[i])
		}
	}
	if it.fault == LeaderNotLast {
		order = append([]*seat{leader}, order...)
	} else {
		order = append(order, leader)
	}
	against, abstain := v.against, v.abstain
	for i, s := range order {
		pos := "for"
		switch {
		case s == leader:
		case against > 0:
			pos, against = "against", against-1
		case abstain > 0:
			pos, abstain = "abstain", abstain-1
		}
		e.s.b.add(tStatements, item, int32(i+1), s.member.id, pos)
	}
}

// presenter is a member other than the leader who brings the item.
func (e *emitter) presenter(s sitting) string {
	list := s.present
	if len(list) < 2 {
		list = s.seated
	}
	p := pick(e.r, list)
	if p == s.leader && len(list) > 1 {
		p = list[(indexOf(list, p)+1)%len(list)]
	}
	return p.member.title + " " + p.member.name
}

func indexOf(list []*seat, s *seat) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
