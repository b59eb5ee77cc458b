package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/liuhen/liuhen/agenda"
	bundle "github.com/liuhen/liuhen/evidence"
	"github.com/liuhen/liuhen/storage"
)

// bundleCatalog reads what an evidence bundle holds from the agenda store.
type bundleCatalog struct{ store *agenda.Store }

// bundleObjects reads segments for an evidence bundle from the evidence
// store, which get returns (a server's store may open after it starts).
type bundleObjects struct {
	get func() (*storage.Store, error)
}

var (
	_ bundle.Catalog = bundleCatalog{}
	_ bundle.Objects = bundleObjects{}
)

func (c bundleCatalog) DecisionItem(ctx context.Context, id int64) (int64, error) {
	d, err := c.store.GetDecision(ctx, id)
	if err != nil {
		return 0, catalogError(err)
	}
	if d.AgendaItemID == nil {
		return 0, nil
	}
	return *d.AgendaItemID, nil
}

func (c bundleCatalog) AgendaItem(ctx context.Context, id int64) (bundle.Item, error) {
	it, err := c.store.GetAgendaItem(ctx, id)
	if err != nil {
		return bundle.Item{}, catalogError(err)
	}
	meeting, err := c.store.GetMeeting(ctx, it.MeetingID)
	if err != nil {
		return bundle.Item{}, err
	}
	body, err := c.store.GetBody(ctx, meeting.BodyID)
	if err != nil {
		return bundle.Item{}, err
	}
	out := bundle.Item{ID: it.ID, MeetingID: meeting.ID, Records: []bundle.Record{
		{Kind: bundle.RecordAgendaItem, ID: it.ID, Value: it},
		{Kind: bundle.RecordMeeting, ID: meeting.ID, Value: meeting},
		{Kind: bundle.RecordBody, ID: body.ID, Value: body},
	}}
	if err := c.addDecisions(ctx, &out, it); err != nil {
		return bundle.Item{}, err
	}
	if err := c.addRecordings(ctx, &out, it); err != nil {
		return bundle.Item{}, err
	}
	return out, nil
}

// catalogError turns the agenda's not-found into the bundle's.
func catalogError(err error) error {
	if errors.Is(err, agenda.ErrNotFound) {
		return fmt.Errorf("%w: %w", bundle.ErrNotFound, err)
	}
	return err
}

// addDecisions adds the decisions linked to the item, and their matters
// and the item's.
func (c bundleCatalog) addDecisions(ctx context.Context, out *bundle.Item,
	it agenda.AgendaItem) error {
	var matters []int64
	if it.MatterID != nil {
		matters = append(matters, *it.MatterID)
	}
	page := agenda.Page{Limit: agenda.MaxLimit}
	for {
		l, err := c.store.ListDecisions(ctx, agenda.DecisionFilter{MeetingID: &it.MeetingID}, page)
		if err != nil {
			return err
		}
		for _, d := range l.Items {
			if d.AgendaItemID != nil && *d.AgendaItemID == it.ID {
				out.Records = append(out.Records,
					bundle.Record{Kind: bundle.RecordDecision, ID: d.ID, Value: d})
				matters = append(matters, d.MatterID)
			}
		}
		if l.NextOffset == 0 {
			break
		}
		page.Offset = l.NextOffset
	}
	slices.Sort(matters)
	for _, id := range slices.Compact(matters) {
		m, err := c.store.GetMatter(ctx, id)
		if err != nil {
			return err
		}
		out.Records = append(out.Records, bundle.Record{Kind: bundle.RecordMatter, ID: id, Value: m})
	}
	return nil
}

// addRecordings adds the item's index points, the recordings they name
// and every segment of those recordings.
func (c bundleCatalog) addRecordings(ctx context.Context, out *bundle.Item,
	it agenda.AgendaItem) error {
	named := map[int64]bool{}
	for _, ip := range it.IndexPoints {
		named[ip.RecordingID] = true
		out.IndexPoints = append(out.IndexPoints, bundle.IndexPoint{
			RecordingID: ip.RecordingID, StartMs: ip.StartMs, EndMs: ip.EndMs})
	}
	if len(named) == 0 {
		return nil
	}
	recs, err := c.store.RecordingSummary(ctx, it.MeetingID)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if named[r.ID] {
			out.Recordings = append(out.Recordings, bundle.Recording{ID: r.ID, State: r.State})
			out.Records = append(out.Records,
				bundle.Record{Kind: bundle.RecordRecording, ID: r.ID, Value: r})
		}
	}
	segs, err := c.store.MeetingSegments(ctx, it.MeetingID)
	if err != nil {
		return err
	}
	for _, g := range segs {
		if !named[g.RecordingID] {
			continue
		}
		s := bundle.Segment{RecordingID: g.RecordingID, TrackID: g.TrackID, Seq: g.Seq,
			ObjectKey: g.ObjectKey, Size: g.Size, MediaStartMs: g.MediaStartMs,
			MediaEndMs: g.MediaEndMs}
		if n, err := hex.Decode(s.SHA256[:], []byte(g.SHA256)); err != nil || n != len(s.SHA256) {
			return fmt.Errorf("segment %s: catalogued SHA-256 %q is not 32 bytes of hex",
				g.ObjectKey, g.SHA256)
		}
		out.Segments = append(out.Segments, s)
	}
	return nil
}

func (o bundleObjects) Stat(ctx context.Context, key string) (bundle.ObjectInfo, error) {
	s, err := o.get()
	if err != nil {
		return bundle.ObjectInfo{}, objectsError(err)
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		return bundle.ObjectInfo{}, objectsError(err)
	}
	return bundle.ObjectInfo{Size: info.Size, SHA256: info.SHA256, HasSHA256: info.HasSHA256}, nil
}

func (o bundleObjects) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	s, err := o.get()
	if err != nil {
		return nil, objectsError(err)
	}
	rc, _, err := s.Get(ctx, key)
	if err != nil {
		return nil, objectsError(err)
	}
	return rc, nil
}

// objectsError turns the store's sentinels into the bundle's.
func objectsError(err error) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: %w", bundle.ErrObjectMissing, err)
	case errors.Is(err, storage.ErrUnavailable):
		return fmt.Errorf("%w: %w", bundle.ErrUnavailable, err)
	}
	return err
}
