package evidence

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// stretches turns the item's index points into the stretches a bundle
// covers. It refuses an item without index points, one still being
// discussed, and a recording still going on, whose last segments may not
// be stored yet.
func stretches(it Item) ([]Stretch, error) {
	if len(it.IndexPoints) == 0 {
		return nil, fmt.Errorf("agenda item %d has no index points: mark its start "+
			"and end in the meeting room while the meeting is recorded, or add one with "+
			"POST /api/v1/agenda-items/%d/index-points", it.ID, it.ID)
	}
	states := make(map[int64]string, len(it.Recordings))
	for _, r := range it.Recordings {
		states[r.ID] = r.State
	}
	out := make([]Stretch, 0, len(it.IndexPoints))
	for _, ip := range it.IndexPoints {
		if states[ip.RecordingID] == stateRecording {
			return nil, fmt.Errorf("recording %d, in which agenda item %d is marked, is "+
				"still being recorded: export once it has ended", ip.RecordingID, it.ID)
		}
		if ip.EndMs == nil {
			return nil, fmt.Errorf("agenda item %d's index point in recording %d "+
				"starting at %d ms has no end: mark the end of the item", it.ID,
				ip.RecordingID, ip.StartMs)
		}
		out = append(out, Stretch{RecordingID: ip.RecordingID, StartMs: ip.StartMs,
			EndMs: *ip.EndMs})
	}
	return out, nil
}

// selectSegments returns the segments, of every track, whose media range
// overlaps one of the stretches of their recording, in recording, track
// and sequence order. A stretch and a segment are each the half-open
// range [start, end) of media milliseconds; an empty one counts as its
// first millisecond, so a mark at an instant selects the segment playing
// then.
//
// TODO(seq-holes): a segment missing from the catalogue inside the stretch
// (a hole in a track's seq numbers) leaves the bundle without it, silently;
// verify reports it as RECORDING_TAMPERED. Refusing, or listing the hole in
// the manifest, would let an inspector see it from the bundle alone.
func selectSegments(segs []Segment, stretches []Stretch) []SegmentEntry {
	var out []SegmentEntry
	for _, g := range segs {
		if !slices.ContainsFunc(stretches, func(s Stretch) bool { return overlaps(g, s) }) {
			continue
		}
		out = append(out, SegmentEntry{
			Path:        segmentPath(g),
			RecordingID: g.RecordingID, TrackID: g.TrackID, Seq: g.Seq,
			MediaStartMs: g.MediaStartMs, MediaEndMs: g.MediaEndMs,
			Size: g.Size, SHA256: fmt.Sprintf("%x", g.SHA256), ObjectKey: g.ObjectKey,
		})
	}
	slices.SortFunc(out, compareSegments)
	return slices.CompactFunc(out, func(a, b SegmentEntry) bool {
		return compareSegments(a, b) == 0
	})
}

func overlaps(g Segment, s Stretch) bool {
	if g.RecordingID != s.RecordingID {
		return false
	}
	return g.MediaStartMs < exclusiveEnd(s.StartMs, s.EndMs) &&
		s.StartMs < exclusiveEnd(g.MediaStartMs, g.MediaEndMs)
}

// exclusiveEnd is the end of [start, stop), at least one past start.
func exclusiveEnd(start, stop int64) int64 { return max(stop, start+1) }

// mediaExt is the extension of an object key that a segment's file keeps.
var mediaExt = regexp.MustCompile(`^\.[a-z0-9]{1,8}$`)

// segmentPath names a segment's file in the bundle from its ids, keeping
// the object key's extension (.webm, .mkv), so that it plays when
// extracted and no stored key can name a path outside segments/.
func segmentPath(g Segment) string {
	ext := strings.ToLower(path.Ext(g.ObjectKey))
	if !mediaExt.MatchString(ext) {
		ext = ".bin"
	}
	return fmt.Sprintf("%srecording-%d/track-%d/%06d%s", segmentsDir, g.RecordingID,
		g.TrackID, g.Seq, ext)
}

// recordPath names a record's file in the bundle.
func recordPath(r Record) string {
	return fmt.Sprintf("%s%s-%d.json", recordsDir, r.Kind, r.ID)
}
