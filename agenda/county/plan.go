package county

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// A decisionPlan is one decision to write.
type decisionPlan struct {
	m       *matter
	subject string
	title   string
	fen     int64 // amount in fen; 0 for none
	payee   string
	project string
	at      time.Time // decided_at, for a decision linked to no agenda item
	variant string    // "KIND" or "KIND/variant" of a planted violation; "" when clean
	early   bool      // decided before its meeting started
	late    bool      // registered long after it was decided
}

// An itemPlan is one agenda item: the decisions it takes, none for an item
// that decides nothing (an earlier step, or an implementation matter).
type itemPlan struct {
	m         *matter
	subject   string
	decisions []*decisionPlan
	fault     Kind // VoteShort, RecusalMissed, LeaderNotLast, ItemNotCovered or StageSkipped
	pause     bool // ItemNotCovered: the recording pauses during the item; else no index point
	// StageSkipped: the step before the deciding one comes after the
	// deciding meeting (late); else the earlier steps are not taken up.
	late   bool
	prior  bool        // an earlier step of a matter another body decides
	stages []*itemPlan // the earlier steps' items, which its decisions are linked to
	id     int64       // set once the item is written
}

// A meetingPlan is one meeting, or one circulation (fault WrongBody).
// fault is what is wrong with the whole meeting, "" when nothing is.
type meetingPlan struct {
	b      *body
	items  []*itemPlan
	fault  Kind
	at     time.Time // planned start
	number int       // within its body, year and mode
}

func (mp *meetingPlan) circulation() bool { return mp.fault == WrongBody }

// A unitPlan is everything one unit decided during the year.
type unitPlan struct {
	u        *unit
	meetings []*meetingPlan
	unlinked []*decisionPlan // decisions linked to no agenda item
}

// A planner turns a unit's blocks into a unitPlan.
type planner struct {
	g         *generator
	u         *unit
	r         *rand.Rand
	sets      matterSets
	pending   map[*body][]*decisionPlan // clean decisions each body takes
	solo      map[*body][]*itemPlan     // items that hold one fault or one wrong-body decision
	dedicated []*meetingPlan            // meetings whose fault every decision in them shares
	plan      *unitPlan
	decisions int
	carried   []block // blocks the unit cannot plant, for the next unit
}

// planUnit plans unit u's blocks. A STAGE_SKIPPED block needs a matter of
// several steps, which counties and departments do not have: it is
// returned, for the next unit, or planted as clean decisions by the last
// unit.
func (g *generator) planUnit(u *unit, blocks []block, last bool) (*unitPlan, []block) {
	p := &planner{g: g, u: u, r: g.rand(u, 2), sets: newMatterSets(u),
		pending: map[*body][]*decisionPlan{}, solo: map[*body][]*itemPlan{},
		plan: &unitPlan{u: u}}
	for _, bl := range blocks {
		if bl.kind == StageSkipped && len(p.sets.multi) == 0 {
			if !last {
				p.carried = append(p.carried, bl)
				continue
			}
			bl.kind, bl.variant = "", ""
			for range bl.size {
				p.add(bl)
			}
		} else {
			p.add(bl)
		}
		p.decisions += bl.size
	}
	p.buildMeetings()
	p.schedule()
	p.addPriorSteps()
	p.number()
	return p.plan, p.carried
}

func variantKey(k Kind, variant string) string {
	if variant == "" {
		return string(k)
	}
	return string(k) + "/" + variant
}

func (p *planner) add(bl block) {
	key := variantKey(bl.kind, bl.variant)
	switch bl.kind {
	case "":
		p.normal()
	case NoMeeting:
		d := p.needed(p.sets.needing, key)
		d.at = p.officeTime()
		p.plan.unlinked = append(p.plan.unlinked, d)
	case DecidedBeforeMeeting:
		d := p.needed(p.sets.needing, key)
		d.early = true
		p.link(d)
	case Backdated:
		if bl.variant == "registered" {
			d := p.needed(p.sets.needing, key)
			d.late = true
			p.link(d)
		} else {
			p.dedicate(bl, key)
		}
	case WrongBody:
		p.wrongBody()
	case VoteShort:
		p.faultItem(bl, key, p.sets.needing)
	case RecusalMissed:
		p.faultItem(bl, key, p.sets.recusal)
	case LeaderNotLast:
		p.faultItem(bl, key, p.sets.leaderLast)
	case ItemNotCovered:
		p.faultItem(bl, key, p.sets.needing).pause = bl.variant == "paused"
	case StageSkipped:
		p.faultItem(bl, key, p.sets.multi).late = bl.variant == "late"
	case SplitSpending:
		p.split(bl.size)
	default: // NoQuorum, NoRecording, RecordingInterrupted
		p.dedicate(bl, key)
	}
}

// normal plans a clean decision: one that needs a meeting goes to its
// deciding body, any other stands alone.
func (p *planner) normal() {
	m := p.sets.pick(p.r, p.sets.all)
	if !m.t.needsMeeting() || (m.t.threshold > 0 && p.r.Float64() >= 0.55) {
		d := p.decision(m, false)
		d.at = p.officeTime()
		p.plan.unlinked = append(p.plan.unlinked, d)
		return
	}
	p.link(p.decision(m, true))
}

func (p *planner) needed(list []*matter, key string) *decisionPlan {
	d := p.decision(p.sets.pick(p.r, list), true)
	d.variant = key
	return d
}

func (p *planner) link(d *decisionPlan) {
	b := p.u.bodies[d.m.t.decider()]
	p.pending[b] = append(p.pending[b], d)
}

// faultItem plans an item of a clean meeting whose decisions all share the
// item's fault.
func (p *planner) faultItem(bl block, key string, list []*matter) *itemPlan {
	m := p.sets.pick(p.r, list)
	ds := make([]*decisionPlan, bl.size)
	for i := range ds {
		ds[i] = p.decision(m, true)
		ds[i].variant = key
	}
	it := p.item(m, ds)
	it.fault = bl.kind
	b := p.u.bodies[m.t.decider()]
	p.solo[b] = append(p.solo[b], it)
	return it
}

// dedicate plans a meeting of one body whose fault all its bl.size
// decisions share, with an item that decides nothing half the time.
func (p *planner) dedicate(bl block, key string) {
	m := p.sets.pick(p.r, p.sets.needing)
	pool := p.sets.byDecider[m.t.decider()]
	mp := &meetingPlan{b: p.u.bodies[m.t.decider()], fault: bl.kind}
	var cur []*decisionPlan
	for i := range bl.size {
		if i > 0 && (len(cur) == 2 || p.r.IntN(2) == 0) {
			mp.items = append(mp.items, p.item(m, cur))
			cur, m = nil, p.sets.pick(p.r, pool)
		}
		d := p.decision(m, true)
		d.variant = key
		cur = append(cur, d)
	}
	mp.items = append(mp.items, p.item(m, cur))
	if len(p.sets.filler) > 0 && p.r.IntN(2) == 0 {
		mp.items = append([]*itemPlan{p.fillerItem()}, mp.items...)
	}
	p.dedicated = append(p.dedicated, mp)
}

// wrongBody plans a decision taken by a body the procedure list does not
// name: one of another kind, the joint party-government meeting, only the
// first of two required steps, or a circulation for signature.
func (p *planner) wrongBody() {
	v := p.sets.wrongVariant(p.r)
	key := variantKey(WrongBody, v)
	var m *matter
	var host *body
	switch v {
	case "kind":
		m = p.sets.pick(p.r, p.sets.kindable)
		host = otherBody(p.u, m.t.decider())
	case "joint":
		m = p.sets.pick(p.r, p.sets.jointable)
		host = p.u.bodies[kindJoint]
	case "skip":
		m = p.sets.pick(p.r, p.sets.multi)
		host = p.u.bodies[m.t.kinds[0]]
	default: // circulation
		m = p.sets.pick(p.r, p.sets.needing)
		d := p.decision(m, true)
		d.variant = key
		p.dedicated = append(p.dedicated, &meetingPlan{b: p.u.bodies[m.t.decider()],
			fault: WrongBody, items: []*itemPlan{p.item(m, []*decisionPlan{d})}})
		return
	}
	d := p.decision(m, true)
	d.variant = key
	p.solo[host] = append(p.solo[host], p.item(m, []*decisionPlan{d}))
}

// split plans size payments to one payee (and project) of a matter whose
// amounts are summed, each under the threshold and together over it,
// within 80 days, none at a meeting.
func (p *planner) split(size int) {
	m := p.sets.pick(p.r, p.sets.splittable)
	t := m.t.threshold
	subject := p.subject(m)
	payee, project := p.payee(), ""
	if m.t.basis() == "project" {
		project = p.project(subject)
	}
	each := ceil100(float64(t) * (1.1 + 0.5*p.r.Float64()) / float64(size))
	first, last := p.g.yearDays()
	day := first + p.r.IntN(max(1, last-first-85))
	for i := range size {
		d := &decisionPlan{m: m, subject: subject, fen: each * 100, payee: payee,
			project: project, variant: variantKey(SplitSpending, m.t.basis())}
		d.title = fmt.Sprintf("%s（第%d批）%s", subject, i+1, money(d.fen))
		d.at = officeTime(p.r, workdayBefore(day))
		p.plan.unlinked = append(p.plan.unlinked, d)
		day += 3 + p.r.IntN(18)
	}
}

// decision plans a decision of m; need says whether its amount reaches
// the matter's threshold.
func (p *planner) decision(m *matter, need bool) *decisionPlan {
	d := &decisionPlan{m: m, subject: p.subject(m)}
	d.fen = p.amount(m, need) * 100
	t := m.t
	if d.fen > 0 && (t.class == classFunds || t.class == classProject || t.category == catExec) {
		d.payee = p.payee()
	}
	if t.class == classProject || t.basis() == "project" {
		d.project = p.project(d.subject)
	}
	d.title = title(d.subject, 0, d.fen)
	return d
}

// item puts ds, all of matter m, on one agenda item about the first one's
// subject and project.
func (p *planner) item(m *matter, ds []*decisionPlan) *itemPlan {
	it := &itemPlan{m: m, subject: ds[0].subject, decisions: ds}
	for i, d := range ds {
		d.subject, d.project = it.subject, ds[0].project
		d.title = title(it.subject, i, d.fen)
	}
	return it
}

func (p *planner) fillerItem() *itemPlan {
	m := p.sets.pick(p.r, p.sets.filler)
	return &itemPlan{m: m, subject: p.subject(m)}
}

// Amounts below the township's and above, by level: the most a routine
// expense costs, and the unit of spending for matters without a threshold.
var (
	routineMax = map[string]int{"county": 100_000, "department": 40_000, "township": 30_000,
		"village": 2_500}
	spendUnit = map[string]int64{"county": 500_000, "department": 50_000,
		"township": 50_000, "village": 5_000}
)

// amount is a decision's amount in yuan, 0 for none.
func (p *planner) amount(m *matter, need bool) int64 {
	t, r := m.t, p.r
	switch {
	case t.threshold > 0 && need:
		return ceil100(float64(t.threshold) * (1 + 3*r.Float64()*r.Float64()))
	case t.threshold > 0:
		return max(100, floor100(float64(t.threshold)*(0.05+0.9*r.Float64())))
	case t.category == catExec:
		return 100 * int64(1+r.IntN(routineMax[p.u.level]/100))
	case t.class == classFunds || t.class == classProject:
		return spendUnit[p.u.level] * int64(1+r.IntN(40))
	}
	return 0
}

func (p *planner) subject(m *matter) string {
	s := pick(p.r, m.t.subjects)
	if strings.Contains(s, "{") {
		s = strings.ReplaceAll(s, "{p}", pick(p.r, p.u.places))
		s = strings.ReplaceAll(s, "{y}", strconv.Itoa(p.g.opts.Year))
	}
	return s
}

// payee is a payee no other decision of the unit has.
func (p *planner) payee() string {
	p.u.payees++
	return payeeName(p.u.index%500, p.u.payees)
}

// project names a project no other decision of the unit has.
func (p *planner) project(subject string) string {
	p.u.projects++
	return fmt.Sprintf("%s（%d-%03d）", subject, p.g.opts.Year, p.u.projects)
}

func (p *planner) officeTime() time.Time {
	return officeTime(p.r, pick(p.r, p.g.workdays))
}

var ordinals = []string{"", "（二）", "（三）", "（四）", "（五）"}

func title(subject string, i int, fen int64) string {
	s := subject + ordinals[min(i, len(ordinals)-1)]
	if fen > 0 {
		s += money(fen)
	}
	return s
}

// money writes an amount as a title does: 8万元, 12.5万元, 3000元.
func money(fen int64) string {
	y := fen / 100
	if y < 10_000 {
		return fmt.Sprintf("%d元", y)
	}
	s := strconv.FormatFloat(float64(y)/10_000, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "万元"
}

func ceil100(v float64) int64  { return (int64(v) + 99) / 100 * 100 }
func floor100(v float64) int64 { return int64(v) / 100 * 100 }
