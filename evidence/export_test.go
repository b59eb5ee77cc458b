package evidence

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const key2 = "meetings/2/recordings/1/tracks/10/000002.webm"

// TestPlanRefuses checks each kind of subject that cannot be exported:
// the error matches its sentinel and names what is missing.
func TestPlanRefuses(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fixture)
		kind  SubjectKind
		id    int64
		want  error
		says  string
	}{
		{"unknown decision", nil, SubjectDecision, 99, ErrNotFound, "decision 99 does not exist"},
		{"unknown agenda item", nil, SubjectAgendaItem, 99, ErrNotFound,
			"agenda item 99 does not exist"},
		{"decision linked to no agenda item", nil, SubjectDecision, 8, ErrIncomplete,
			"decision 8 cannot be exported: it is linked to no agenda item; link it"},
		{"item without index points", func(f *fixture) {
			f.item(func(it *Item) { it.IndexPoints = nil })
		}, SubjectDecision, fixtureDecision, ErrIncomplete,
			"decision 7 cannot be exported: agenda item 4 has no index points"},
		{"index point without an end", func(f *fixture) {
			f.item(func(it *Item) { it.IndexPoints[0].EndMs = nil })
		}, SubjectAgendaItem, fixtureItem, ErrIncomplete,
			"index point in recording 1 starting at 12000 ms has no end"},
		{"recording still going on", func(f *fixture) {
			f.item(func(it *Item) { it.Recordings[0].State = "recording" })
		}, SubjectAgendaItem, fixtureItem, ErrIncomplete,
			"recording 1, in which agenda item 4 is marked, is still being recorded"},
		{"no segment in the stretch", func(f *fixture) {
			f.item(func(it *Item) { it.IndexPoints[0].StartMs = 60000; *it.IndexPoints[0].EndMs = 70000 })
		}, SubjectAgendaItem, fixtureItem, ErrIncomplete,
			"no stored segment overlaps the index points of agenda item 4 (recording 1 from 60000 to 70000 ms)"},
		{"segment missing from the store", func(f *fixture) {
			delete(f.objects.stored, key2)
			delete(f.objects.stored, "meetings/2/recordings/1/tracks/11/000003.webm")
		}, SubjectDecision, fixtureDecision, ErrSegmentMissing,
			"track 10 seq 2 (segments/recording-1/track-10/000002.webm), object " + key2 +
				"; segment recording 1 track 11 seq 3"},
		{"segment of another size", func(f *fixture) {
			f.objects.stored[key2] = append(f.objects.stored[key2], 'x')
		}, SubjectDecision, fixtureDecision, ErrSegmentMismatch,
			"seq 2 (segments/recording-1/track-10/000002.webm): the store holds 5001 bytes, the catalogue 5000"},
		{"segment the store hashed otherwise", func(f *fixture) {
			f.objects.stored[key2][0] ^= 1
		}, SubjectDecision, fixtureDecision, ErrSegmentMismatch,
			"the store holds SHA-256 " + sumOf(flipped(segmentBytes(10, 2)))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.setup != nil {
				c.setup(f)
			}
			_, err := f.exporter().Plan(context.Background(), c.kind, c.id)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("got error %v, want one matching %q that says %q", err, c.want, c.says)
			}
		})
	}
}

// item edits the fixture's agenda item.
func (f *fixture) item(edit func(*Item)) {
	it := f.catalog.items[fixtureItem]
	it.IndexPoints = append([]IndexPoint(nil), it.IndexPoints...)
	end := *it.IndexPoints[0].EndMs
	it.IndexPoints[0].EndMs = &end
	it.Recordings = append([]Recording(nil), it.Recordings...)
	edit(&it)
	f.catalog.items[fixtureItem] = it
}

func flipped(b []byte) []byte {
	b[0] ^= 1
	return b
}

// TestWriteRefusesChangedBytes has the store send other bytes than it
// stated (same size, no stored checksum to give them away): the export
// notices while copying and leaves no file behind.
func TestWriteRefusesChangedBytes(t *testing.T) {
	f := newFixture(t)
	e := f.exporter()
	p, err := e.Plan(context.Background(), SubjectDecision, fixtureDecision)
	if err != nil {
		t.Fatal(err)
	}
	f.objects.served[key2] = flipped(segmentBytes(10, 2))
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.zip")
	err = e.WriteFile(context.Background(), path, p)
	want := "seq 2 (segments/recording-1/track-10/000002.webm), object " + key2 +
		": the bytes read from the store have SHA-256 " + sumOf(flipped(segmentBytes(10, 2)))
	if !errors.Is(err, ErrSegmentMismatch) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got error %v, want ErrSegmentMismatch saying %q", err, want)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("got %v left in the directory, want nothing", left)
	}

	f.objects.served[key2] = segmentBytes(10, 2)[:4999] // shorter than catalogued
	if err := e.WriteFile(context.Background(), path, p); !errors.Is(err, ErrSegmentMismatch) {
		t.Errorf("short segment: got %v, want ErrSegmentMismatch", err)
	}
	delete(f.objects.served, key2)
	if err := e.WriteFile(context.Background(), path, p); err != nil {
		t.Fatalf("write intact bundle: %v", err)
	}
	if r, err := VerifyFile(path, f.pub); err != nil || !r.Valid() {
		t.Errorf("verify written bundle: got %v, %v; want valid", r, err)
	}
}
