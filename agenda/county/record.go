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

// A span is a stretch of media time of a recording, in milliseconds.
type span struct{ from, to int64 }

// record catalogues a meeting's recordings: one from a minute before the
// meeting starts to half a minute after it ends, paused for two to four
// minutes inside each ITEM_NOT_COVERED item of variant paused; or, per
// fault, none (NO_RECORDING, a circulation), or one cut off three minutes
// in and a second from five minutes in (RECORDING_INTERRUPTED).
func (e *emitter) record(meeting int64, mp *meetingPlan, tl timeline) []take {
	open, end := tl.started.Add(-time.Minute), tl.ended.Add(30*time.Second)
	switch mp.fault {
	case WrongBody, NoRecording:
		return nil
	case RecordingInterrupted:
		cut := tl.started.Add(minutes(e.r, 2, 4))
		return []take{e.take(meeting, open, cut, "interrupted", nil),
			e.take(meeting, tl.started.Add(5*time.Minute), end, "finished", nil)}
	}
	var pauses []span
	for i, it := range mp.items {
		if it.pause {
			length := tl.end[i].Sub(tl.start[i])
			gap := min(minutes(e.r, 2, 4), length/2)
			from := tl.start[i].Add((length - gap) / 2).Sub(open).Milliseconds()
			pauses = append(pauses, span{from, from + gap.Milliseconds()})
		}
	}
	return []take{e.take(meeting, open, end, "finished", pauses)}
}

var endReasons = map[string]string{
	"finished":    "publisher sent DELETE",
	"interrupted": "publisher unreachable: ICE consent lost",
}

// take catalogues one recording with one track whose segments follow each
// other except across the pauses, where the publisher sent nothing.
// The segments' objects are not stored: their SHA-256 is made up from the
// seed and the key, and their size from a bitrate.
func (e *emitter) take(meeting int64, start, end time.Time, state string, pauses []span) take {
	rec, track := e.g.ids.take(tRecordings), e.g.ids.take(tTracks)
	e.s.b.add(tRecordings, rec, meeting, state, start, end)
	segs := segmentSpans(end.Sub(start).Milliseconds(),
		int64(e.g.opts.SegmentSeconds)*1000, pauses)
	e.s.b.add(tTracks, track, rec, fmt.Sprintf("gen-%s-%d", e.g.opts.Code, track), "opus", "vp8",
		state, start, end, endReasons[state], int32(len(segs)))
	kbps := int64(600 + e.r.IntN(600))
	for seq, sg := range segs {
		key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.webm",
			meeting, rec, track, seq)
		sum := sha256.Sum256(fmt.Appendf(nil, "%d:%s", e.g.opts.Seed, key))
		size := max(1, (sg.to-sg.from)*kbps/8*int64(95+e.r.IntN(11))/100)
		wallEnd := start.Add(time.Duration(sg.to) * time.Millisecond)
		e.s.b.add(tSegments, e.g.ids.take(tSegments), track, int32(seq), key, sum[:], size,
			sg.from, sg.to, start.Add(time.Duration(sg.from)*time.Millisecond), wallEnd,
			wallEnd.Add(2*time.Second))
	}
	return take{id: rec, start: start, end: end}
}

// segmentSpans cuts [0, length) into segments of step, leaving out the
// pauses (sorted, inside it): a segment ends where a pause starts and the
// next starts where it ends. There is always at least one segment.
func segmentSpans(length, step int64, pauses []span) []span {
	var out []span
	at := int64(0)
	for _, p := range append(pauses, span{length, length}) {
		for at < p.from {
			out = append(out, span{at, min(at+step, p.from)})
			at = min(at+step, p.from)
		}
		at = max(at, p.to)
	}
	if len(out) == 0 {
		out = append(out, span{0, max(length, 1)})
	}
	return out
}

// indexPoint ties an item to the last recording that started before it,
// as the secretary marked it.
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

// decision writes a decision decided at at, linked to item (nil for none),
// and returns its id. It is registered within five days, or 40 to 120 days
// later when planted as BACKDATED; contracts and payments follow it for
// funds and projects.
func (e *emitter) decision(d *decisionPlan, item any, at time.Time) int64 {
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
	return id
}
