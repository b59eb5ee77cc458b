package county

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// A take is one recording of a meeting.
type take struct {
	id         int64
	start, end time.Time
}

// record catalogues a meeting's recordings: one from a minute before the
// meeting starts to half a minute after it ends, or, per fault, none
// (NO_RECORDING, a circulation), one cut off three minutes in and a second
// from five minutes in (RECORDING_INTERRUPTED), or one stopped two minutes
// before the first item that decides something (ITEM_NOT_COVERED).
func (e *emitter) record(meeting int64, mp *meetingPlan, tl timeline) []take {
	open, end := tl.started.Add(-time.Minute), tl.ended.Add(30*time.Second)
	switch mp.fault {
	case WrongBody, NoRecording:
		return nil
	case RecordingInterrupted:
		cut := tl.started.Add(minutes(e.r, 2, 4))
		return []take{e.take(meeting, open, cut, "interrupted"),
			e.take(meeting, tl.started.Add(5*time.Minute), end, "finished")}
	case ItemNotCovered:
		stop := end
		for i, it := range mp.items {
			if len(it.decisions) > 0 {
				stop = tl.start[i].Add(-2 * time.Minute)
				break
			}
		}
		if stop.Before(open.Add(30 * time.Second)) {
			stop = open.Add(30 * time.Second)
		}
		return []take{e.take(meeting, open, stop, "finished")}
	}
	return []take{e.take(meeting, open, end, "finished")}
}

var endReasons = map[string]string{
	"finished":    "publisher sent DELETE",
	"interrupted": "publisher unreachable: ICE consent lost",
}

// take catalogues one recording with one track of contiguous segments.
// The segments' objects are not stored: their SHA-256 is made up from the
// seed and the key, and their size from a bitrate.
func (e *emitter) take(meeting int64, start, end time.Time, state string) take {
	rec, track := e.g.ids.take(tRecordings), e.g.ids.take(tTracks)
	e.s.b.add(tRecordings, rec, meeting, state, start, end)
	length := end.Sub(start).Milliseconds()
	step := int64(e.g.opts.SegmentSeconds) * 1000
	n := (length + step - 1) / step
	e.s.b.add(tTracks, track, rec, fmt.Sprintf("gen-%s-%d", e.g.opts.Code, track), "opus", "vp8",
		state, start, end, endReasons[state], int32(n))
	kbps := int64(600 + e.r.IntN(600))
	for seq := range n {
		from, to := seq*step, min((seq+1)*step, length)
		key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.webm",
			meeting, rec, track, seq)
		sum := sha256.Sum256(fmt.Appendf(nil, "%d:%s", e.g.opts.Seed, key))
		size := max(1, (to-from)*kbps/8*int64(95+e.r.IntN(11))/100)
		wallEnd := start.Add(time.Duration(to) * time.Millisecond)
		e.s.b.add(tSegments, e.g.ids.take(tSegments), track, int32(seq), key, sum[:], size,
			from, to, start.Add(time.Duration(from)*time.Millisecond), wallEnd,
			wallEnd.Add(2*time.Second))
	}
	return take{id: rec, start: start, end: end}
}

// indexPoint ties an item to the last recording that started before it,
// as the secretary marked it: also past the end of a recording that
// stopped early.
func (e *emitter) indexPoint(item int64, start, end time.Time, takes []take) {
	var t *take
	for i := range takes {
		if !takes[i].start.After(start) {
			t = &takes[i]
		}
	}
	if t == nil {
		return
	}
	e.s.b.add(tIndexPoints, e.g.ids.take(tIndexPoints), item, t.id,
		start.Sub(t.start).Milliseconds(), end.Sub(t.start).Milliseconds())
}

// refWord is the issuing office's word in a decision's reference, by the
// kind of body that decides the matter.
var refWord = map[string]string{
	kindParty: "委", kindStanding: "委", kindGroup: "党组", kindGov: "政", kindPresidium: "人大",
	kindTwo: "村委", kindReps: "村民", "": "财",
}

// decision writes a decision decided at at, linked to item (nil for none).
// It is registered within five days, or 40 to 120 days later when planted
// as BACKDATED; contracts and payments follow it for funds and projects.
func (e *emitter) decision(d *decisionPlan, item any, at time.Time) {
	id := e.g.ids.take(tDecisions)
	r := e.r
	registered := at.Add(minutes(r, 10, 5*24*60))
	if d.late {
		registered = at.Add(time.Duration(40+r.IntN(81)) * 24 * time.Hour)
	}
	var amount, contract, paid any
	if d.fen > 0 {
		amount = yuan(d.fen)
		switch t := d.m.t; {
		case t.class == classProject || (t.class == classFunds && r.IntN(2) == 0):
			c := at.Add(minutes(r, 2*24*60, 20*24*60))
			contract, paid = c, c.Add(minutes(r, 3*24*60, 45*24*60))
		default:
			paid = at.Add(minutes(r, 60, 15*24*60))
		}
	}
	decider := ""
	if d.m.t.needsMeeting() {
		decider = d.m.t.decider()
	}
	e.u.refs++
	ref := fmt.Sprintf("%s%s〔%d〕%d号", e.u.short, refWord[decider], at.In(cst).Year(), e.u.refs)
	e.s.b.add(tDecisions, id, e.u.id, d.m.id, d.title, amount, at, item, ref, d.payee, d.project,
		registered, contract, paid)
	if d.variant != "" {
		e.g.res.plant(d.variant, id)
	}
}
