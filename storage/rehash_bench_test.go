package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// BenchmarkRehash reads segment-sized objects back from the real MinIO and
// hashes them: 32 of 4 MiB with 4, 8, 16 and 32 reads at a time (verify
// --rehash runs 16 by default), and 64 of 2 MiB, 128 of 1 MiB and 256 of
// 512 KiB with 16, where the cost of each request weighs more. After each
// round of reads it hashes the same bytes in memory on one goroutine,
// outside the timer.
// Taking the two in turns keeps the comparison honest on a shared
// machine, where the speed of a core drifts by a tenth or more within a
// minute.
//
// It reports rehash's rate two ways against the raw rate of one core: by
// the clock (%-of-one-core: bytes per second of the whole run, on a
// machine whose cores MinIO may share), and by the CPU time this process
// spent on the reads (%-per-cpu-second: bytes per second of CPU, all of
// it counted — hashing, socket reads, HTTP, the runtime), which is what
// the rehash path itself costs a core whatever else runs beside it.
func BenchmarkRehash(b *testing.B) {
	s := openStore(b, 0)
	for _, set := range []struct {
		name          string
		objects, size int
		workers       []int
	}{
		{"size=4MiB", 32, 4 << 20, []int{4, 8, 16, 32}}, // 10 s of video at about 3 Mb/s
		{"size=2MiB", 64, 2 << 20, []int{16}},           // 10 s at about 1.7 Mb/s, 720p
		{"size=1MiB", 128, 1 << 20, []int{16}},          // 10 s at about 0.8 Mb/s
		{"size=512KiB", 256, 512 << 10, []int{16}},      // 10 s at 0.4 Mb/s, the demo's camera
	} {
		b.Run(set.name, func(b *testing.B) {
			benchmarkRehash(b, s, set.objects, set.size, set.workers)
		})
	}
}

// benchmarkRehash stores objects of size random bytes and rehashes them
// with each number of workers.
func benchmarkRehash(b *testing.B, s *Store, objects, size int, workers []int) {
	ctx := context.Background()
	blobs := make([][]byte, objects)
	keys := make([]string, objects)
	sums := make([][32]byte, objects)
	for i := range blobs {
		blobs[i] = make([]byte, size)
		rand.Read(blobs[i])
		keys[i] = fmt.Sprintf("bench/rehash/%d/%06d.webm", size, i)
		sums[i] = sha256.Sum256(blobs[i])
		if err := s.Put(ctx, keys[i], bytes.NewReader(blobs[i]), int64(size), sums[i],
			"video/webm"); err != nil {
			b.Fatalf("put %s: %v", keys[i], err)
		}
	}
	for _, workers := range workers {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var rawTime, cpuTime time.Duration
			b.SetBytes(int64(objects * size))
			for b.Loop() {
				cpuStart := processCPU(b)
				g, gctx := errgroup.WithContext(ctx)
				g.SetLimit(workers)
				for i, key := range keys {
					g.Go(func() error {
						sum, n, err := s.Rehash(gctx, key)
						if err == nil && (sum != sums[i] || n != int64(size)) {
							err = fmt.Errorf("rehash %s: got %x (%d bytes), want %x", key,
								sum, n, sums[i])
						}
						return err
					})
				}
				if err := g.Wait(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpuTime += processCPU(b) - cpuStart
				start := time.Now()
				for _, blob := range blobs {
					sha256.Sum256(blob)
				}
				rawTime += time.Since(start)
				b.StartTimer()
			}
			bytes := float64(objects*size) * float64(b.N)
			rate := bytes / b.Elapsed().Seconds() / 1e6
			raw := bytes / rawTime.Seconds() / 1e6
			perCPU := bytes / cpuTime.Seconds() / 1e6
			b.ReportMetric(rate, "rehash-MB/s")
			b.ReportMetric(raw, "sha256-MB/s/core")
			b.ReportMetric(100*rate/raw, "%-of-one-core")
			b.ReportMetric(perCPU, "rehash-MB/cpu-s")
			b.ReportMetric(100*perCPU/raw, "%-per-cpu-second")
		})
	}
}

// processCPU returns the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
