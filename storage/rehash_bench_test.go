package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// BenchmarkRehash reads segment-sized objects back from the real MinIO and
// hashes them, with 4, 8 and 16 reads at a time (verify --rehash runs 8 by
// default), and in the same run hashes the same bytes in memory on one
// core. It reports both rates and rehash's share of the raw rate of one
// core.
func BenchmarkRehash(b *testing.B) {
	const objects, size = 32, 4 << 20 // a 10 s segment at about 3 Mb/s
	s := openStore(b, 0)
	ctx := context.Background()
	blobs := make([][]byte, objects)
	keys := make([]string, objects)
	sums := make([][32]byte, objects)
	for i := range blobs {
		blobs[i] = make([]byte, size)
		rand.Read(blobs[i])
		keys[i] = fmt.Sprintf("bench/rehash/%06d.webm", i)
		sums[i] = sha256.Sum256(blobs[i])
		if err := s.Put(ctx, keys[i], bytes.NewReader(blobs[i]), size, sums[i],
			"video/webm"); err != nil {
			b.Fatalf("put %s: %v", keys[i], err)
		}
	}
	for _, workers := range []int{4, 8, 16} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			raw := rawSHA256Rate(blobs)
			b.SetBytes(objects * size)
			b.ResetTimer()
			for b.Loop() {
				g, gctx := errgroup.WithContext(ctx)
				g.SetLimit(workers)
				for i, key := range keys {
					g.Go(func() error {
						sum, n, err := s.Rehash(gctx, key)
						if err == nil && (sum != sums[i] || n != size) {
							err = fmt.Errorf("rehash %s: got %x (%d bytes), want %x", key,
								sum, n, sums[i])
						}
						return err
					})
				}
				if err := g.Wait(); err != nil {
					b.Fatal(err)
				}
			}
			rate := float64(objects*size) * float64(b.N) / b.Elapsed().Seconds() / 1e6
			b.ReportMetric(rate, "rehash-MB/s")
			b.ReportMetric(raw, "sha256-MB/s/core")
			b.ReportMetric(100*rate/raw, "%-of-one-core")
		})
	}
}

// rawSHA256Rate hashes blobs in memory on one goroutine, three times over,
// and returns the rate in MB/s.
func rawSHA256Rate(blobs [][]byte) float64 {
	start := time.Now()
	var total int
	for range 3 {
		for _, blob := range blobs {
			sha256.Sum256(blob)
			total += len(blob)
		}
	}
	return float64(total) / time.Since(start).Seconds() / 1e6
}
