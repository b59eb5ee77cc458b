package county

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// buildMeetings puts each body's clean decisions on items (one to three
// decisions of one matter each), and the items, with the solo ones, on
// meetings of three to nine items.
func (p *planner) buildMeetings() {
	for _, b := range p.u.order {
		items := append(p.group(p.pending[b]), p.solo[b]...)
		p.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		for len(items) > 0 {
			n := min(3+p.r.IntN(7), len(items))
			mp := &meetingPlan{b: b, items: items[:n:n]}
			if len(p.sets.filler) > 0 && p.r.IntN(4) == 0 {
				at := p.r.IntN(n + 1)
				mp.items = slices.Insert(mp.items, at, p.fillerItem())
			}
			items = items[n:]
			p.plan.meetings = append(p.plan.meetings, mp)
		}
	}
	// The joint party-government meeting mostly deploys work that needs
	// no decision.
	if joint := p.u.bodies[kindJoint]; joint != nil && len(p.sets.filler) > 0 {
		for range max(1, p.decisions/150) {
			p.plan.meetings = append(p.plan.meetings, &meetingPlan{b: joint,
				items: []*itemPlan{p.fillerItem(), p.fillerItem()}})
		}
	}
	p.plan.meetings = append(p.plan.meetings, p.dedicated...)
}

// group puts decisions of one matter together on items of one to three.
func (p *planner) group(ds []*decisionPlan) []*itemPlan {
	byMatter := map[*matter][]*decisionPlan{}
	var order []*matter
	for _, d := range ds {
		if byMatter[d.m] == nil {
			order = append(order, d.m)
		}
		byMatter[d.m] = append(byMatter[d.m], d)
	}
	var items []*itemPlan
	for _, m := range order {
		list := byMatter[m]
		for len(list) > 0 {
			n := min(itemSize(p.r.IntN(20)), len(list))
			items = append(items, p.item(m, list[:n:n]))
			list = list[n:]
		}
	}
	return items
}

// itemSize turns a draw from 0 to 19 into 1 (60%), 2 (25%) or 3 (15%).
func itemSize(draw int) int {
	switch {
	case draw < 12:
		return 1
	case draw < 17:
		return 2
	}
	return 3
}

// schedule spreads each body's meetings over the workdays of the year.
// TODO(scale): nothing keeps two meetings of one body, or of bodies that
// share members, from overlapping; at a million decisions a township party
// committee meets several times a day. Slots per body and per member would
// fix it, if a rule ever reads overlaps.
func (p *planner) schedule() {
	byBody := p.byBody()
	days := p.g.workdays
	for _, b := range p.u.order {
		list := byBody[b]
		p.r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		for i, mp := range list {
			k := int((float64(i) + p.r.Float64()) * float64(len(days)) / float64(len(list)))
			mp.at = dayStart(days[min(k, len(days)-1)]).Add(meetingClock(p.r))
		}
	}
}

func (p *planner) byBody() map[*body][]*meetingPlan {
	out := map[*body][]*meetingPlan{}
	for _, mp := range p.plan.meetings {
		out[mp.b] = append(out[mp.b], mp)
	}
	return out
}

// addPriorSteps gives every item that decides a matter of several steps
// an item for each earlier step, at a clean meeting of that step's body a
// day or more before; when there is none, a new meeting is called for it.
// The deciding item's decisions are linked to those items (stages). A
// STAGE_SKIPPED item gets none (variant missing), or has the step before
// the deciding one taken up a day or more after the deciding meeting
// (late).
func (p *planner) addPriorSteps() {
	clean := map[*body][]*meetingPlan{}
	for _, mp := range p.plan.meetings {
		if mp.fault == "" {
			clean[mp.b] = append(clean[mp.b], mp)
		}
	}
	for _, list := range clean {
		slices.SortStableFunc(list, func(a, b *meetingPlan) int { return a.at.Compare(b.at) })
	}
	for _, mp := range slices.Clone(p.plan.meetings) {
		for _, it := range mp.items {
			kinds := it.m.t.kinds
			if it.prior || len(kinds) < 2 || mp.b.kind != it.m.t.decider() ||
				(it.fault == StageSkipped && !it.late) {
				continue
			}
			at := mp.at
			for k := len(kinds) - 2; k >= 0; k-- {
				var host *meetingPlan
				if it.late && k == len(kinds)-2 {
					host = p.laterHost(clean, p.u.bodies[kinds[k]], mp.at)
				} else {
					host = p.priorHost(clean, p.u.bodies[kinds[k]], at)
					at = host.at
				}
				prior := &itemPlan{m: it.m, subject: it.subject, prior: true}
				host.items = append(host.items, prior)
				it.stages = append(it.stages, prior)
			}
		}
	}
}

// priorHost picks one of the last three clean meetings of b a day or more
// before at, or calls a new one two to ten days before.
func (p *planner) priorHost(clean map[*body][]*meetingPlan, b *body,
	at time.Time) *meetingPlan {
	list := clean[b]
	limit := at.Add(-24 * time.Hour)
	n := sort.Search(len(list), func(i int) bool { return !list[i].at.Before(limit) })
	if n > 0 {
		return list[max(0, n-3)+p.r.IntN(min(3, n))]
	}
	day := workdayBefore(dayOf(at) - 2 - p.r.IntN(9))
	mp := &meetingPlan{b: b, at: dayStart(day).Add(meetingClock(p.r))}
	p.plan.meetings = append(p.plan.meetings, mp)
	clean[b] = slices.Insert(list, 0, mp)
	return mp
}

// laterHost picks one of the first three clean meetings of b a day or
// more after at, or calls a new one two to ten days after.
func (p *planner) laterHost(clean map[*body][]*meetingPlan, b *body,
	at time.Time) *meetingPlan {
	list := clean[b]
	limit := at.Add(24 * time.Hour)
	n := sort.Search(len(list), func(i int) bool { return !list[i].at.Before(limit) })
	if n < len(list) {
		return list[n+p.r.IntN(min(3, len(list)-n))]
	}
	day := workdayAfter(dayOf(at) + 2 + p.r.IntN(9))
	mp := &meetingPlan{b: b, at: dayStart(day).Add(meetingClock(p.r))}
	p.plan.meetings = append(p.plan.meetings, mp)
	clean[b] = append(list, mp)
	return mp
}

// number numbers each body's meetings and circulations in order, within
// each year.
func (p *planner) number() {
	type key struct {
		b    *body
		year int
		circ bool
	}
	list := slices.Clone(p.plan.meetings)
	slices.SortStableFunc(list, func(a, b *meetingPlan) int { return a.at.Compare(b.at) })
	next := map[key]int{}
	for _, mp := range list {
		k := key{mp.b, mp.at.In(cst).Year(), mp.circulation()}
		next[k]++
		mp.number = next[k]
	}
	slices.SortStableFunc(p.plan.meetings, func(a, b *meetingPlan) int {
		return cmp.Or(cmp.Compare(a.b.id, b.b.id), a.at.Compare(b.at))
	})
}
