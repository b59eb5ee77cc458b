package evidence

import (
	"slices"
	"strings"
	"testing"
)

func TestSelectSegments(t *testing.T) {
	var segs []Segment
	for _, track := range []int64{1, 2} {
		for seq := range 4 { // 0–10 s, 10–20 s, 20–30 s, 30–40 s
			segs = append(segs, Segment{RecordingID: 1, TrackID: track, Seq: seq,
				ObjectKey: "k.webm", MediaStartMs: int64(seq) * 10000,
				MediaEndMs: int64(seq+1) * 10000})
		}
	}
	segs = append(segs, Segment{RecordingID: 2, TrackID: 3, Seq: 0, ObjectKey: "k.mkv",
		MediaStartMs: 0, MediaEndMs: 10000})
	cases := []struct {
		name      string
		stretches []Stretch
		want      []string // recording/track/seq
	}{
		{"inside one segment", []Stretch{{1, 12000, 15000}}, []string{"1/1/1", "1/2/1"}},
		{"across two", []Stretch{{1, 15000, 25000}}, []string{"1/1/1", "1/1/2", "1/2/1", "1/2/2"}},
		{"ending where a segment starts", []Stretch{{1, 5000, 10000}}, []string{"1/1/0", "1/2/0"}},
		{"starting where a segment ends", []Stretch{{1, 30000, 31000}}, []string{"1/1/3", "1/2/3"}},
		{"an instant", []Stretch{{1, 20000, 20000}}, []string{"1/1/2", "1/2/2"}},
		{"after the recording", []Stretch{{1, 40000, 50000}}, nil},
		{"another recording", []Stretch{{2, 0, 500}}, []string{"2/3/0"}},
		{"two stretches, overlapping segments once", []Stretch{{1, 1000, 2000}, {1, 1500, 12000},
			{2, 0, 1}}, []string{"1/1/0", "1/1/1", "1/2/0", "1/2/1", "2/3/0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, s := range selectSegments(segs, c.stretches) {
				got = append(got, strings.TrimPrefix(strings.NewReplacer("recording-", "",
					"track-", "", "00000", "").Replace(s.Path), segmentsDir))
			}
			for i := range got { // drop the extension
				got[i] = strings.TrimSuffix(strings.TrimSuffix(got[i], ".webm"), ".mkv")
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSegmentPath(t *testing.T) {
	cases := []struct{ key, want string }{
		{"meetings/1/recordings/2/tracks/3/000004.webm", "segments/recording-2/track-3/000004.webm"},
		{"meetings/1/recordings/2/tracks/3/000004.MKV", "segments/recording-2/track-3/000004.mkv"},
		{"../../etc/passwd", "segments/recording-2/track-3/000004.bin"},
		{"weird/key.with space", "segments/recording-2/track-3/000004.bin"},
	}
	for _, c := range cases {
		got := segmentPath(Segment{RecordingID: 2, TrackID: 3, Seq: 4, ObjectKey: c.key})
		if got != c.want {
			t.Errorf("segmentPath of key %q: got %q, want %q", c.key, got, c.want)
		}
		if badPath(got) != "" {
			t.Errorf("segmentPath of key %q: %q %s", c.key, got, badPath(got))
		}
	}
}
