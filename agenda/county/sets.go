package county

import "math/rand/v2"

// matterSets sorts a unit's procedure list by what a planted violation
// needs of its matter.
type matterSets struct {
	all        []*matter
	needing    []*matter // every matter that needs a meeting
	byDecider  map[string][]*matter
	recusal    []*matter // needing, with recusal
	leaderLast []*matter // needing, with the leader stating a view last
	splittable []*matter // with a threshold and amounts summed per payee or project
	filler     []*matter // implementation and other matters: items that decide nothing
	kindable   []*matter // one step, by a body another of the unit could be mistaken for
	jointable  []*matter // one step, decided by the party committee, in a unit with a joint meeting
	multi      []*matter // more than one step

	wrongVariants []string // WRONG_BODY variants the unit can show, circulation last
}

func newMatterSets(u *unit) matterSets {
	s := matterSets{all: u.matters, byDecider: map[string][]*matter{}}
	for _, m := range u.matters {
		t := m.t
		if !t.needsMeeting() {
			if t.category == catImpl || t.category == catOther {
				s.filler = append(s.filler, m)
			}
			continue
		}
		s.needing = append(s.needing, m)
		s.byDecider[t.decider()] = append(s.byDecider[t.decider()], m)
		s.add(&s.recusal, m, t.has('R'))
		s.add(&s.leaderLast, m, t.has('L'))
		s.add(&s.splittable, m, t.threshold > 0 && t.basis() != "single")
		s.add(&s.multi, m, len(t.kinds) > 1)
		single := len(t.kinds) == 1
		s.add(&s.kindable, m, single && otherBody(u, t.decider()) != nil)
		s.add(&s.jointable, m, single && t.decider() == kindParty && u.bodies[kindJoint] != nil)
	}
	for _, v := range []struct {
		name string
		list []*matter
	}{{"kind", s.kindable}, {"joint", s.jointable}, {"skip", s.multi}} {
		if len(v.list) > 0 {
			s.wrongVariants = append(s.wrongVariants, v.name)
		}
	}
	s.wrongVariants = append(s.wrongVariants, "circulation")
	return s
}

// wrongVariant draws a WRONG_BODY variant: a circulation one time in five,
// or always where the unit has no other.
func (s *matterSets) wrongVariant(r *rand.Rand) string {
	others := s.wrongVariants[:len(s.wrongVariants)-1]
	if len(others) == 0 || r.IntN(5) == 0 {
		return "circulation"
	}
	return pick(r, others)
}

func (s *matterSets) add(list *[]*matter, m *matter, ok bool) {
	if ok {
		*list = append(*list, m)
	}
}

// pick draws a matter of list by the weights of the procedure list.
func (s *matterSets) pick(r *rand.Rand, list []*matter) *matter {
	total := 0
	for _, m := range list {
		total += m.t.weight
	}
	n := r.IntN(total)
	for _, m := range list {
		if n -= m.t.weight; n < 0 {
			return m
		}
	}
	return list[len(list)-1]
}

// mistaken lists, per deciding kind, the kinds of body that decide in its
// place by mistake: the government for the party committee and the
// reverse, the government for the presidium.
var mistaken = map[string][]string{
	kindParty:     {kindGov},
	kindGov:       {kindParty, kindStanding},
	kindPresidium: {kindGov},
	kindStanding:  {kindGov},
}

// otherBody is the unit's body that may be mistaken for one of kind, or nil.
func otherBody(u *unit, kind string) *body {
	for _, k := range mistaken[kind] {
		if b := u.bodies[k]; b != nil {
			return b
		}
	}
	return nil
}
