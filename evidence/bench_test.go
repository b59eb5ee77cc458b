package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkVerifyFile verifies a bundle of six 16 MiB segments. B/op
// stays a small fraction of the bundle's size: the verifier streams each
// file through SHA-256 rather than reading the bundle into memory.
func BenchmarkVerifyFile(b *testing.B) {
	f := newFixture(b)
	it := f.catalog.items[fixtureItem]
	for i, s := range it.Segments {
		data := bytes.Repeat([]byte{byte(i)}, 16<<20)
		f.objects.stored[s.ObjectKey] = data
		it.Segments[i].SHA256, it.Segments[i].Size = sha256.Sum256(data), int64(len(data))
	}
	e := f.exporter()
	p, err := e.Plan(context.Background(), SubjectAgendaItem, fixtureItem)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bundle.zip")
	if err := e.WriteFile(context.Background(), path, p); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if r, err := VerifyFile(path, f.pub); err != nil || !r.Valid() {
			b.Fatalf("verify: %v, %v", err, r.Problems)
		}
	}
}
