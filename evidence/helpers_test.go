package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"
	"time"
)

// The fixture: decision 7 is linked to agenda item 4 of meeting 2, which
// was discussed from 12 s to 31 s of recording 1. The recording has two
// tracks (10 and 11) of five 10-second segments each, so the bundle holds
// seq 1, 2 and 3 of both tracks.
const (
	fixtureDecision = 7
	fixtureItem     = 4
	fixtureMeeting  = 2
)

type fakeCatalog struct {
	decisions map[int64]int64 // decision id → linked agenda item, 0 for none
	items     map[int64]Item
}

func (c *fakeCatalog) DecisionItem(_ context.Context, id int64) (int64, error) {
	item, ok := c.decisions[id]
	if !ok {
		return 0, fmt.Errorf("decision %d: %w", id, ErrNotFound)
	}
	return item, nil
}

func (c *fakeCatalog) AgendaItem(_ context.Context, id int64) (Item, error) {
	it, ok := c.items[id]
	if !ok {
		return Item{}, fmt.Errorf("agenda item %d: %w", id, ErrNotFound)
	}
	return it, nil
}

// fakeObjects is an evidence store in memory. served, when set for a key,
// is what Open returns instead of the stored bytes (a store that lies).
type fakeObjects struct {
	stored map[string][]byte
	served map[string][]byte
}

func (o *fakeObjects) Stat(_ context.Context, key string) (ObjectInfo, error) {
	b, ok := o.stored[key]
	if !ok {
		return ObjectInfo{}, fmt.Errorf("%w: %s", ErrObjectMissing, key)
	}
	return ObjectInfo{Size: int64(len(b)), SHA256: sha256.Sum256(b), HasSHA256: true}, nil
}

func (o *fakeObjects) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if b, ok := o.served[key]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	b, ok := o.stored[key]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrObjectMissing, key)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

type fixture struct {
	catalog *fakeCatalog
	objects *fakeObjects
	key     ed25519.PrivateKey
	pub     ed25519.PublicKey
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{key: key, pub: pub, objects: &fakeObjects{stored: map[string][]byte{},
		served: map[string][]byte{}}}
	end := int64(31000)
	item := Item{ID: fixtureItem, MeetingID: fixtureMeeting,
		IndexPoints: []IndexPoint{{RecordingID: 1, StartMs: 12000, EndMs: &end}},
		Recordings:  []Recording{{ID: 1, State: "finished"}},
		Records: []Record{
			{Kind: RecordMeeting, ID: fixtureMeeting, Value: map[string]any{"title": "党委会"}},
			{Kind: RecordAgendaItem, ID: fixtureItem, Value: map[string]any{"seq": 1}},
			{Kind: RecordDecision, ID: fixtureDecision, Value: map[string]any{"amount": "80000"}},
			{Kind: RecordMatter, ID: 3, Value: map[string]any{"code": "QS-03"}},
		}}
	for _, track := range []int64{10, 11} {
		for seq := range 5 {
			key := fmt.Sprintf("meetings/2/recordings/1/tracks/%d/%06d.webm", track, seq)
			data := segmentBytes(track, seq)
			f.objects.stored[key] = data
			item.Segments = append(item.Segments, Segment{RecordingID: 1, TrackID: track,
				Seq: seq, ObjectKey: key, SHA256: sha256.Sum256(data), Size: int64(len(data)),
				MediaStartMs: int64(seq) * 10000, MediaEndMs: int64(seq+1) * 10000})
		}
	}
	f.catalog = &fakeCatalog{decisions: map[int64]int64{fixtureDecision: fixtureItem, 8: 0},
		items: map[int64]Item{fixtureItem: item}}
	return f
}

// segmentBytes is the content of one fake segment, different for each.
func segmentBytes(track int64, seq int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("[EBML track %d segment %d]", track, seq)), 200)
}

func (f *fixture) exporter() *Exporter {
	e := NewExporter(f.catalog, f.objects, f.key)
	e.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }
	return e
}

// bundle exports the subject into memory.
func (f *fixture) bundle(t testing.TB, kind SubjectKind, id int64) []byte {
	t.Helper()
	e := f.exporter()
	p, err := e.Plan(context.Background(), kind, id)
	if err != nil {
		t.Fatalf("plan %s %d: %v", kind, id, err)
	}
	var buf bytes.Buffer
	if err := e.Write(context.Background(), &buf, p); err != nil {
		t.Fatalf("write %s %d: %v", kind, id, err)
	}
	return buf.Bytes()
}

// entry is one file of an archive being rewritten.
type entry struct {
	name string
	data []byte
}

func readEntries(t testing.TB, archive []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("read archive: %v", err)
	}
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		out = append(out, entry{f.Name, data})
	}
	return out
}

func writeEntries(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewrite rebuilds an archive with its entries changed by edit, as
// someone holding the file could.
func rewrite(t testing.TB, archive []byte, edit func([]entry) []entry) []byte {
	t.Helper()
	return writeEntries(t, edit(readEntries(t, archive)))
}

func find(t testing.TB, entries []entry, name string) int {
	t.Helper()
	for i, e := range entries {
		if e.name == name {
			return i
		}
	}
	t.Fatalf("the archive holds no %s", name)
	return -1
}

func kinds(ps []Problem) []Kind {
	out := make([]Kind, len(ps))
	for i, p := range ps {
		out[i] = p.Kind
	}
	return out
}

func sumOf(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }
