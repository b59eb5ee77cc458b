package county

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A unit is an org unit with its bodies, people and procedure list.
type unit struct {
	index   int // position in generator.units; seeds the unit's random stream
	id      int64
	code    string
	name    string
	short   string // name without its 县/镇/乡/村, for references
	level   string
	parent  *unit
	bodies  map[string]*body // by kind
	order   []*body          // bodies in the order they were made
	matters []*matter
	places  []string // what {p} in a subject becomes
	weight  float64  // share of the county's decisions

	payees, projects, refs int // counters that keep payees, projects and references unique
}

type body struct {
	id    int64
	unit  *unit
	code  string
	name  string
	short string // how meeting titles name it
	kind  string
	seats []*seat
}

// A seat is a member's place on a body from day from to day to (day
// numbers, see dayOf); to is openEnd while the member still serves.
type seat struct {
	member   *member
	role     string
	from, to int
}

const openEnd = 1 << 30

type member struct {
	id    int64
	code  string
	name  string
	title string
}

type matter struct {
	id   int64
	code string
	t    *matterTemplate
}

// A positionSpec is an office of a unit: its title, how many hold it, and
// the seats on the unit's bodies that go with it.
type positionSpec struct {
	title string
	n     int
	seats []seatSpec
}

type seatSpec struct{ kind, role string }

func seats(pairs ...string) []seatSpec {
	out := make([]seatSpec, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, seatSpec{pairs[i], pairs[i+1]})
	}
	return out
}

// The offices of each level; 镇 in a township title becomes 乡 in a 乡.
var positions = map[string][]positionSpec{
	"township": {
		{"党委书记", 1, seats(kindParty, "leader", kindJoint, "leader")},
		{"党委副书记、镇长", 1, seats(kindParty, "deputy", kindGov, "leader", kindJoint, "deputy")},
		{"党委副书记", 1, seats(kindParty, "member", kindJoint, "member")},
		{"人大主席", 1, seats(kindParty, "member", kindPresidium, "leader", kindJoint, "member")},
		{"纪委书记", 1, seats(kindParty, "member", kindJoint, "member")},
		{"组织委员", 1, seats(kindParty, "member", kindJoint, "member")},
		{"宣传委员", 1, seats(kindParty, "member", kindJoint, "member")},
		{"武装部长", 1, seats(kindParty, "member", kindJoint, "member")},
		{"党委委员、常务副镇长", 1, seats(kindParty, "member", kindGov, "deputy", kindJoint, "member")},
		{"副镇长", 2, seats(kindGov, "member", kindJoint, "member")},
		{"人大副主席", 1, seats(kindPresidium, "deputy")},
		{"人大主席团成员", 3, seats(kindPresidium, "member")},
	},
	"village": {
		{"村党组织书记、村委会主任", 1, seats(kindTwo, "leader", kindReps, "leader")},
		{"村党组织副书记", 1, seats(kindTwo, "member", kindReps, "member")},
		{"村委会副主任", 1, seats(kindTwo, "deputy", kindReps, "member")},
		{"村两委委员", 4, seats(kindTwo, "member", kindReps, "member")},
		{"村民代表", 16, seats(kindReps, "member")},
	},
	"department": {
		{"党组书记、局长", 1, seats(kindGroup, "leader")},
		{"党组成员、副局长", 2, seats(kindGroup, "deputy")},
		{"派驻纪检监察组组长", 1, seats(kindGroup, "member")},
		{"党组成员", 1, seats(kindGroup, "member")},
	},
	"county": {
		{"县委书记", 1, seats(kindStanding, "leader")},
		{"县委副书记、县长", 1, seats(kindStanding, "deputy", kindGov, "leader")},
		{"县委副书记", 1, seats(kindStanding, "member")},
		{"县委常委、常务副县长", 1, seats(kindStanding, "member", kindGov, "deputy")},
		{"县委常委、纪委书记", 1, seats(kindStanding, "member")},
		{"县委常委、组织部部长", 1, seats(kindStanding, "member")},
		{"县委常委、宣传部部长", 1, seats(kindStanding, "member")},
		{"县委常委、政法委书记", 1, seats(kindStanding, "member")},
		{"县委常委、统战部部长", 1, seats(kindStanding, "member")},
		{"县委常委、县委办公室主任", 1, seats(kindStanding, "member")},
		{"县委常委、人武部政委", 1, seats(kindStanding, "member")},
		{"副县长", 4, seats(kindGov, "member")},
		{"县政府办公室主任", 1, seats(kindGov, "member")},
	},
}

// bodySpec says how a body of a kind is coded and named; %s is the unit's
// name (for a department, the county's name and the department's).
type bodySpec struct{ kind, suffix, name, short string }

var bodySpecs = map[string][]bodySpec{
	"county": {
		{kindStanding, "psc", "中共%s委员会常务委员会", "%s委常委会议"},
		{kindGov, "ge", "%s人民政府常务会议", "%s政府常务会议"},
	},
	"department": {{kindGroup, "pg", "中共%s党组", "%s党组会议"}},
	"township": {
		{kindParty, "pc", "中共%s委员会", "%s党委会"},
		{kindGov, "ge", "%s人民政府常务会议", "%s政府常务会议"},
		{kindPresidium, "pcp", "%s人民代表大会主席团", "%s人大主席团会议"},
		{kindJoint, "jpg", "%s党政联席会议", "%s党政联席会议"},
	},
	"village": {
		{kindTwo, "v2c", "%s两委会议", "%s两委会议"},
		{kindReps, "vr", "%s村民代表会议", "%s村民代表会议"},
	},
}

// Weights of a unit's share of the county's decisions, by level.
var levelWeight = map[string]float64{
	"county": 6, "department": 3, "township": 8, "village": 0.5,
}

// buildUnits makes the county's units in the order they are written:
// county, departments, townships, villages.
func (g *generator) buildUnits() {
	o := g.opts
	county := g.newUnit(o.Code, o.Name, strings.TrimSuffix(o.Name, "县"), "county", nil)
	for i := range o.Departments {
		name := departmentName(i)
		g.newUnit(fmt.Sprintf("%s-d%02d", o.Code, i+1), o.Name+name,
			strings.TrimSuffix(name, "局"), "department", county)
	}
	towns := make([]*unit, o.Townships)
	for i := range towns {
		short := placeName(i)
		suffix := "镇"
		if i%4 == 3 {
			suffix = "乡"
		}
		towns[i] = g.newUnit(fmt.Sprintf("%s-t%02d", o.Code, i+1), short+suffix, short,
			"township", county)
	}
	perTown := make([]int, len(towns))
	for i := range o.Villages {
		t := towns[i%len(towns)]
		j := perTown[i%len(towns)]
		perTown[i%len(towns)]++
		short := placeName(100 + 37*(i%len(towns)) + j)
		g.newUnit(fmt.Sprintf("%s-v%02d", t.code, j+1), short+"村", short, "village", t)
		t.places = append(t.places, short+"村")
	}
	g.fillPlaces(county, towns)
}

func (g *generator) newUnit(code, name, short, level string, parent *unit) *unit {
	u := &unit{index: len(g.units), code: code, name: name, short: short, level: level,
		parent: parent, bodies: map[string]*body{}, weight: levelWeight[level]}
	u.id = g.ids.take(tUnits)
	g.units = append(g.units, u)
	return u
}

// fillPlaces gives every unit the places its subjects name.
func (g *generator) fillPlaces(county *unit, towns []*unit) {
	for _, u := range g.units {
		switch u.level {
		case "county":
			for _, t := range towns {
				u.places = append(u.places, t.name)
			}
		case "department":
			u.places = []string{strings.TrimPrefix(u.name, county.name)}
		case "township":
			u.places = append(u.places, u.name+"集镇")
		case "village":
			for k := range 5 {
				u.places = append(u.places, placeName((u.index*5+k)%600)+"组")
			}
		}
	}
}

// buildStaff gives every unit its bodies, members, seats and procedure
// list, and writes them all into b.
func (g *generator) buildStaff(b *batch) {
	for _, u := range g.units {
		parentID := any(nil)
		if u.parent != nil {
			parentID = u.parent.id
		}
		b.add(tUnits, u.id, u.code, u.name, u.level, parentID)
		r := g.rand(u, 1)
		g.buildBodies(b, u)
		g.buildMembers(b, u, r)
		g.buildMatters(b, u)
	}
}

func (g *generator) buildBodies(b *batch, u *unit) {
	for _, s := range bodySpecs[u.level] {
		arg := u.name
		short := fmt.Sprintf(s.short, u.name)
		if u.level == "department" {
			dept := strings.TrimPrefix(u.name, g.opts.Name)
			arg, short = g.opts.Name+dept, fmt.Sprintf(s.short, dept)
		}
		bd := &body{id: g.ids.take(tBodies), unit: u, code: u.code + "-" + s.suffix,
			name: fmt.Sprintf(s.name, arg), short: short, kind: s.kind}
		u.bodies[s.kind] = bd
		u.order = append(u.order, bd)
		b.add(tBodies, bd.id, u.id, bd.code, bd.name, bd.kind)
	}
}

// buildMembers fills every office of u. Some holders leave during the
// year: their seats end the day before a successor's begin.
func (g *generator) buildMembers(b *batch, u *unit, r *rand.Rand) {
	first, last := g.yearDays()
	n := 0
	newMember := func(title string) *member {
		n++
		m := &member{id: g.ids.take(tMembers), code: fmt.Sprintf("%s-m%03d", u.code, n),
			name: personName(r), title: title}
		b.add(tMembers, m.id, u.id, m.code, m.name, m.title)
		return m
	}
	for _, p := range positions[u.level] {
		title := p.title
		if strings.HasSuffix(u.name, "乡") {
			title = strings.ReplaceAll(title, "镇", "乡")
		}
		for range p.n {
			from, to := first-365*(1+r.IntN(5))-r.IntN(300), openEnd
			holder := newMember(title)
			if r.Float64() < 0.12 {
				change := first + 31 + r.IntN(last-first-61)
				g.seat(b, u, p, holder, from, change-1)
				holder, from, to = newMember(title), change, openEnd
			}
			g.seat(b, u, p, holder, from, to)
		}
	}
}

func (g *generator) seat(b *batch, u *unit, p positionSpec, m *member, from, to int) {
	for _, s := range p.seats {
		bd := u.bodies[s.kind]
		bd.seats = append(bd.seats, &seat{member: m, role: s.role, from: from, to: to})
		var served any
		if to != openEnd {
			served = dayDate(to)
		}
		b.add(tSeats, g.ids.take(tSeats), bd.id, m.id, s.role, dayDate(from), served)
	}
}

// seatedOn returns the seats of bd held on day, and the leader's.
func (bd *body) seatedOn(day int) (seated []*seat, leader *seat) {
	for _, s := range bd.seats {
		if s.from <= day && day <= s.to {
			seated = append(seated, s)
			if s.role == "leader" {
				leader = s
			}
		}
	}
	return seated, leader
}

var matterLists = map[string][]matterTemplate{
	"county": countyMatters, "department": departmentMatters,
	"township": townshipMatters, "village": villageMatters,
}

func (g *generator) buildMatters(b *batch, u *unit) {
	list := matterLists[u.level]
	for i := range list {
		t := &list[i]
		m := &matter{id: g.ids.take(tMatters), code: fmt.Sprintf("%s-p%02d", u.code, i+1), t: t}
		u.matters = append(u.matters, m)
		var decider, threshold any
		if t.needsMeeting() {
			decider = t.decider()
		}
		if t.threshold > 0 {
			threshold = yuan(t.threshold * 100)
		}
		kinds := t.kinds
		if kinds == nil {
			kinds = []string{}
		}
		b.add(tMatters, m.id, u.id, m.code, t.name, t.category, decider, threshold,
			t.needsMeeting(), t.legal, t.class, kinds, t.basis(), int32(90), t.quorumRule(),
			t.voteRule(), t.has('L'), t.has('R'))
	}
}
