package evidence

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Exporter makes evidence bundles from the catalogue and the evidence
// store, signed with the server's key. It is safe for concurrent use.
type Exporter struct {
	catalog Catalog
	objects Objects
	key     ed25519.PrivateKey
	now     func() time.Time
}

// NewExporter returns an exporter that reads catalog and objects and
// signs with key.
func NewExporter(catalog Catalog, objects Objects, key ed25519.PrivateKey) *Exporter {
	return &Exporter{catalog: catalog, objects: objects, key: key, now: time.Now}
}

// PublicKey is the key a bundle's signature verifies with.
func (e *Exporter) PublicKey() ed25519.PublicKey {
	return e.key.Public().(ed25519.PublicKey)
}

// Plan is what one bundle will hold, checked against the catalogue and
// the store before any byte of it is written.
type Plan struct {
	Subject     Subject
	IndexPoints []Stretch
	Segments    []SegmentEntry
	records     []namedFile
}

type namedFile struct {
	path string
	data []byte
}

// FileName suggests a name for the bundle, such as liuhen-decision-7.zip.
func (p *Plan) FileName() string {
	return fmt.Sprintf("liuhen-%s-%d.zip", strings.ReplaceAll(string(p.Subject.Kind), "_", "-"),
		p.Subject.ID)
}

// SegmentBytes is the total size of the plan's segments.
func (p *Plan) SegmentBytes() int64 {
	var n int64
	for _, s := range p.Segments {
		n += s.Size
	}
	return n
}

// Plan resolves the decision or agenda item id into what its bundle holds
// and checks that every segment is in the store with its catalogued size
// (and SHA-256, when the store kept one). Errors match ErrNotFound for an
// unknown subject, ErrIncomplete when there is nothing to export yet,
// ErrSegmentMissing or ErrSegmentMismatch for segments that cannot go in,
// naming every such segment, and ErrUnavailable when the store is down.
func (e *Exporter) Plan(ctx context.Context, kind SubjectKind, id int64) (*Plan, error) {
	subject := Subject{Kind: kind, ID: id, AgendaItemID: id}
	if kind != SubjectDecision && kind != SubjectAgendaItem {
		return nil, fmt.Errorf("plan bundle: unknown subject kind %q", kind)
	}
	if kind == SubjectDecision {
		itemID, err := e.decisionItem(ctx, subject)
		if err != nil {
			return nil, err
		}
		subject.AgendaItemID = itemID
	}
	item, err := e.catalog.AgendaItem(ctx, subject.AgendaItemID)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("agenda item %d %w", subject.AgendaItemID, ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", subject, err)
	}
	subject.MeetingID = item.MeetingID
	p, err := planItem(subject, item)
	if err != nil {
		return nil, err
	}
	if err := e.checkObjects(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (e *Exporter) decisionItem(ctx context.Context, s Subject) (int64, error) {
	itemID, err := e.catalog.DecisionItem(ctx, s.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return 0, fmt.Errorf("%s %w", s, ErrNotFound)
	case err != nil:
		return 0, fmt.Errorf("read %s: %w", s, err)
	case itemID == 0:
		return 0, fmt.Errorf("%s %w: it is linked to no agenda item; link it to the item "+
			"that decided it with PATCH /api/v1/decisions/%d {\"agenda_item_id\": ID}",
			s, ErrIncomplete, s.ID)
	}
	return itemID, nil
}

// planItem picks the item's segments and encodes its records.
func planItem(subject Subject, item Item) (*Plan, error) {
	st, err := stretches(item)
	if err != nil {
		return nil, fmt.Errorf("%s %w: %w", subject, ErrIncomplete, err)
	}
	segs := selectSegments(item.Segments, st)
	if len(segs) == 0 {
		return nil, fmt.Errorf("%s %w: no stored segment overlaps the index points of "+
			"agenda item %d (%s)", subject, ErrIncomplete, item.ID, describe(st))
	}
	p := &Plan{Subject: subject, IndexPoints: st, Segments: segs}
	records := slices.Clone(item.Records)
	slices.SortFunc(records, func(a, b Record) int {
		return strings.Compare(recordPath(a), recordPath(b))
	})
	for _, r := range slices.CompactFunc(records, func(a, b Record) bool {
		return recordPath(a) == recordPath(b)
	}) {
		data, err := json.MarshalIndent(r.Value, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode %s %d: %w", r.Kind, r.ID, err)
		}
		p.records = append(p.records, namedFile{path: recordPath(r), data: append(data, '\n')})
	}
	return p, nil
}

func describe(st []Stretch) string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = fmt.Sprintf("recording %d from %d to %d ms", s.RecordingID, s.StartMs, s.EndMs)
	}
	return strings.Join(parts, "; ")
}

// checkObjects stats every segment of p and names each one that is
// missing or differs from its catalogue entry.
func (e *Exporter) checkObjects(ctx context.Context, p *Plan) error {
	var missing, differ []string
	for _, s := range p.Segments {
		info, err := e.objects.Stat(ctx, s.ObjectKey)
		if errors.Is(err, ErrObjectMissing) {
			missing = append(missing, fmt.Sprintf("%s, object %s", s, s.ObjectKey))
			continue
		} else if err != nil {
			return fmt.Errorf("check %s of %s: %w", s, p.Subject, err)
		}
		if why := mismatch(s, info); why != "" {
			differ = append(differ, why)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s cannot be exported: %w: %s", p.Subject, ErrSegmentMissing,
			strings.Join(missing, "; "))
	}
	if len(differ) > 0 {
		return fmt.Errorf("%s cannot be exported: %w: %s", p.Subject, ErrSegmentMismatch,
			strings.Join(differ, "; "))
	}
	return nil
}

func mismatch(s SegmentEntry, info ObjectInfo) string {
	if info.Size != s.Size {
		return fmt.Sprintf("%s: the store holds %d bytes, the catalogue %d", s, info.Size, s.Size)
	}
	if info.HasSHA256 && fmt.Sprintf("%x", info.SHA256) != s.SHA256 {
		return fmt.Sprintf("%s: the store holds SHA-256 %x, the catalogue %s", s,
			info.SHA256, s.SHA256)
	}
	return ""
}
