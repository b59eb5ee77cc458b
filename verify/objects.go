package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// An ObjectChecker reads the evidence store for RECORDING_TAMPERED.
// Stat returns the size of the object stored under key; Rehash reads the
// object and returns the SHA-256 of its bytes and how many there were, so
// that a rehash needs no Stat besides. Rehash is given the catalogued size
// and may return an object of another size without reading it (its size
// and a zero sum). Both return an error
// matching ErrObjectMissing (errors.Is) when no object has that key, and
// Rehash one matching ErrObjectUnreadable when the store cannot read the
// object's bytes back; any other error means the store failed, and stops
// the Run. Both are called
// from several goroutines at once.
type ObjectChecker interface {
	Stat(ctx context.Context, key string) (size int64, err error)
	Rehash(ctx context.Context, key string, size int64) (sum [32]byte, n int64, err error)
}

// segmentRow is one stored segment of a checked recording.
type segmentRow struct {
	RecordingID int64
	TrackID     int64
	Seq         int
	Key         string
	Size        int64
	SHA256      []byte
}

// An evidenceProblem is something wrong with one recording's evidence; it
// becomes one finding for every decision linked to that recording's meeting.
type evidenceProblem struct {
	RecordingID int64
	ObjectKey   string
	Message     string
	MessageZH   string
	missing     bool // the segment's object is not in the store
}

// evidenceLink ties a decision to one recording of its meeting.
type evidenceLink struct {
	DecisionID, MeetingID, ItemID int64
}

// objectWork is what RECORDING_TAMPERED still has to do once the database
// snapshot is closed: check every segment's object in the store.
type objectWork struct {
	links    map[int64][]evidenceLink
	problems []evidenceProblem // holes in seq numbers, found in the database
	segments []segmentRow
}

// checkTampered looks for holes in the segment numbers of every closed
// recording of the meetings linked to decisions in scope, and lists the
// segments whose objects checkStore then checks. It returns no findings
// itself: they all come from checkStore, after the snapshot is closed.
func checkTampered(ctx context.Context, c *checkRun) ([]Finding, error) {
	links, recordings, err := loadEvidence(ctx, c)
	if err != nil || len(recordings) == 0 {
		return nil, err
	}
	problems, err := seqGaps(ctx, c, recordings)
	if err != nil {
		return nil, err
	}
	segments, err := loadSegments(ctx, c, recordings)
	if err != nil {
		return nil, err
	}
	c.pending = &objectWork{links: links, problems: problems, segments: segments}
	return nil, nil
}

// checkStore checks the objects of c.pending, if any, and returns the
// RECORDING_TAMPERED findings.
func (c *checkRun) checkStore(ctx context.Context) ([]Finding, error) {
	if c.pending == nil {
		return nil, nil
	}
	w := c.pending
	var tell func(int)
	if c.opts.ObjectsChecked != nil {
		tell = func(done int) { c.opts.ObjectsChecked(done, len(w.segments)) }
	}
	bad, err := checkObjects(ctx, c.objects, w.segments, c.opts.Rehash, c.opts.workers(), tell)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", CodeRecordingTampered, err)
	}
	return c.tamperFindings(w.links, append(w.problems, bad...)), nil
}

// loadEvidence returns, per recording, the decisions it is evidence for,
// and the recordings in ascending id order.
func loadEvidence(ctx context.Context, c *checkRun) (map[int64][]evidenceLink, []int64,
	error) {
	rows, err := c.tx.Query(ctx, evidenceSQL)
	if err != nil {
		return nil, nil, fmt.Errorf("load recordings: %w", err)
	}
	defer rows.Close()
	links := map[int64][]evidenceLink{}
	var recordings []int64
	for rows.Next() {
		var l evidenceLink
		var rec int64
		if err := rows.Scan(&l.DecisionID, &l.MeetingID, &l.ItemID, &rec); err != nil {
			return nil, nil, fmt.Errorf("read recording: %w", err)
		}
		if _, seen := links[rec]; !seen {
			recordings = append(recordings, rec)
		}
		links[rec] = append(links[rec], l)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("load recordings: %w", err)
	}
	slices.Sort(recordings)
	return links, recordings, nil
}

// seqGaps returns one problem per track whose segments do not run 0, 1, 2…
// without a hole, up to the number its session wrote when that is known.
// A crashed session's count is not known, so segments removed from the end
// of its track go unnoticed.
func seqGaps(ctx context.Context, c *checkRun, recordings []int64) ([]evidenceProblem,
	error) {
	rows, err := c.tx.Query(ctx, seqGapsSQL, recordings)
	if err != nil {
		return nil, fmt.Errorf("find segment gaps: %w", err)
	}
	defer rows.Close()
	var out []evidenceProblem
	var cur *trackGaps
	for rows.Next() {
		var g trackGaps
		var from, to int64
		if err := rows.Scan(&g.RecordingID, &g.TrackID, &g.SessionID, &from, &to); err != nil {
			return nil, fmt.Errorf("read segment gap: %w", err)
		}
		if cur == nil || cur.TrackID != g.TrackID {
			if cur != nil {
				out = append(out, cur.problem())
			}
			cur = &g
		}
		cur.Ranges = append(cur.Ranges, [2]int64{from, to})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find segment gaps: %w", err)
	}
	if cur != nil {
		out = append(out, cur.problem())
	}
	return out, nil
}

func loadSegments(ctx context.Context, c *checkRun, recordings []int64) ([]segmentRow,
	error) {
	rows, err := c.tx.Query(ctx, segmentsSQL, recordings)
	if err != nil {
		return nil, fmt.Errorf("load segments: %w", err)
	}
	defer rows.Close()
	var out []segmentRow
	for rows.Next() {
		var s segmentRow
		if err := rows.Scan(&s.RecordingID, &s.TrackID, &s.Seq, &s.Key, &s.Size,
			&s.SHA256); err != nil {
			return nil, fmt.Errorf("read segment: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load segments: %w", err)
	}
	return out, nil
}

// objectProgressEvery is how often checkObjects tells how far it got.
var objectProgressEvery = 5 * time.Second

// checkObjects checks every segment's object with at most workers checks
// in flight, and returns the problems in segment order. tell, when set, is
// called every objectProgressEvery, from the calling goroutine, with how
// many segments are done.
func checkObjects(ctx context.Context, objects ObjectChecker, segments []segmentRow,
	rehash bool, workers int, tell func(done int)) ([]evidenceProblem, error) {
	found := make([]*evidenceProblem, len(segments))
	var done atomic.Int64
	finished := make(chan error, 1)
	go func() {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		for i := range segments {
			if gctx.Err() != nil {
				break
			}
			g.Go(func() error {
				p, err := checkObject(gctx, objects, segments[i], rehash)
				found[i] = p
				done.Add(1)
				return err
			})
		}
		finished <- g.Wait()
	}()
	tick := time.NewTicker(objectProgressEvery)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err := <-finished:
			if err != nil {
				return nil, err
			}
			waiting = false
		case <-tick.C:
			if tell != nil {
				tell(int(done.Load()))
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("check objects: %w", err)
	}
	return missingRuns(segments, found), nil
}

// missingRuns returns the problems found for segments, in order, with each
// run of missing objects that follow one another in a track's catalogue
// made one problem, named after its first object: a recording whose
// objects are gone (a bucket emptied, a spool never uploaded) is one
// finding per track, not one per ten seconds of it.
func missingRuns(segments []segmentRow, found []*evidenceProblem) []evidenceProblem {
	var out []evidenceProblem
	for i := 0; i < len(found); i++ {
		p := found[i]
		if p == nil {
			continue
		}
		last := i
		for p.missing && last+1 < len(found) && found[last+1] != nil &&
			found[last+1].missing && segments[last+1].TrackID == segments[i].TrackID {
			last++
		}
		if last > i {
			run, m := *p, msgObjectMissing(segments[i], segments[last])
			run.Message, run.MessageZH = m[0], m[1]
			p = &run
		}
		out = append(out, *p)
		i = last
	}
	return out
}

// checkObject returns a problem when the segment's object is missing, has
// another size, or (with rehash) other bytes; nil when it is intact. A
// rehash reads the object once and learns its size as it goes; an object
// of another size is told by the response headers, before its bytes.
func checkObject(ctx context.Context, objects ObjectChecker, s segmentRow,
	rehash bool) (*evidenceProblem, error) {
	var sum [32]byte
	var size int64
	var err error
	op := "stat"
	if rehash {
		op = "rehash"
		sum, size, err = objects.Rehash(ctx, s.Key, s.Size)
	} else {
		size, err = objects.Stat(ctx, s.Key)
	}
	if errors.Is(err, ErrObjectMissing) {
		p := segmentProblem(s, msgObjectMissing(s, s))
		p.missing = true
		return p, nil
	}
	if errors.Is(err, ErrObjectUnreadable) {
		return segmentProblem(s, msgObjectUnreadable(s, err)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s object %q: %w", op, s.Key, err)
	}
	if size != s.Size {
		return segmentProblem(s, msgObjectSize(s, size)), nil
	}
	if rehash && !bytes.Equal(sum[:], s.SHA256) {
		return segmentProblem(s, msgObjectHash(s, sum)), nil
	}
	return nil, nil
}

func segmentProblem(s segmentRow, msg [2]string) *evidenceProblem {
	return &evidenceProblem{RecordingID: s.RecordingID, ObjectKey: s.Key,
		Message: msg[0], MessageZH: msg[1]}
}

// tamperFindings turns each problem into one finding per decision whose
// meeting the recording belongs to.
func (c *checkRun) tamperFindings(links map[int64][]evidenceLink,
	problems []evidenceProblem) []Finding {
	var out []Finding
	for _, p := range problems {
		for _, l := range links[p.RecordingID] {
			f := c.finding(l.DecisionID, CodeRecordingTampered, SeverityHigh)
			meeting, item, rec := l.MeetingID, l.ItemID, p.RecordingID
			f.MeetingID, f.AgendaItemID, f.RecordingID = &meeting, &item, &rec
			f.ObjectKey, f.Message, f.MessageZH = p.ObjectKey, p.Message, p.MessageZH
			out = append(out, f)
		}
	}
	return out
}
