package verify

import (
	"testing"
	"time"
)

// setMeetingLength makes the world's meeting last d from its start.
func setMeetingLength(d time.Duration) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE meetings SET ended_at = started_at + $2 * interval '1 millisecond'
			WHERE id = $1`, w.meeting, d.Milliseconds())
	}
}

// secondTrack adds a track to the world's recording with one segment over
// startMS-endMS.
func secondTrack(startMS, endMS int64) func(*fixture, world) {
	return func(f *fixture, w world) {
		track := f.track(w.record, "finished", meetingStart)
		f.segment(track, 0, startMS, endMS, meetingStart)
	}
}

func shortRecordingCases() []ruleCase {
	return []ruleCase{
		{name: "fires medium for a recording of 30 s of a two-minute meeting",
			breaks: setMeetingLength(2 * time.Minute), want: []string{CodeNoRecording},
			sev: map[string]string{CodeNoRecording: SeverityMedium},
			check: wantMsg(CodeNoRecording, []string{"cover 30s of the 2m0s", "25%",
				"less than 50%"}, "录像仅覆盖 30s")},
		{name: "fires for segments outside the meeting's span",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE meetings SET started_at = started_at + interval '1 hour',
					ended_at = started_at + interval '1 hour 40 seconds' WHERE id = $1`,
					w.meeting)
			},
			want: []string{CodeNoRecording}, check: wantMsg(CodeNoRecording,
				[]string{"cover 0s of the 40s"})},
		{name: "quiet for a recording of half the meeting",
			breaks: setMeetingLength(time.Minute)},
		{name: "quiet for two recordings that together cover most of it",
			breaks: both(setMeetingLength(80*time.Second), func(f *fixture, w world) {
				rec := f.recording(w.meeting, "finished", meetingStart.Add(50*time.Second))
				track := f.track(rec, "finished", meetingStart.Add(50*time.Second))
				f.segment(track, 0, 0, 20000, meetingStart.Add(50*time.Second))
			})},
		{name: "quiet for a meeting without an end",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE meetings SET ended_at = NULL WHERE id = $1`, w.meeting)
			}},
	}
}

func gapCases() []ruleCase {
	gap5s := func(f *fixture, w world) { f.gap(w.keys[2], "audio", 21000, 26000) }
	return []ruleCase{
		{name: "fires medium for a gap of five seconds", breaks: gap5s,
			want: []string{CodeRecordingInterrupted},
			sev:  map[string]string{CodeRecordingInterrupted: SeverityMedium},
			check: func(tb testing.TB, rep Report, w world) {
				wantMsg(CodeRecordingInterrupted, []string{"0:00:21-0:00:26 (audio; segment " +
					w.keys[2]}, "音频")(tb, rep, w)
				if got := rep.Findings[0].ObjectKey; got != w.keys[2] {
					tb.Errorf("object key: got %q, want %q", got, w.keys[2])
				}
			}},
		{name: "fires once for audio and video lost together",
			breaks: both(gap5s, func(f *fixture, w world) {
				f.gap(w.keys[2], "video", 20000, 24000)
			}),
			want: []string{CodeRecordingInterrupted},
			check: wantMsg(CodeRecordingInterrupted, []string{"in 1 stretch",
				"0:00:20-0:00:26 (audio and video"})},
		{name: "fires for the part no other track covers",
			breaks: both(gap5s, secondTrack(0, 21000)), // joins up to 0:00:22
			want:   []string{CodeRecordingInterrupted},
			check:  wantMsg(CodeRecordingInterrupted, []string{"0:00:22-0:00:26"})},
		{name: "quiet for a gap of three seconds",
			breaks: func(f *fixture, w world) { f.gap(w.keys[2], "audio", 21000, 24000) }},
		{name: "quiet for a gap another track covers",
			breaks: both(gap5s, secondTrack(0, 30000))},
	}
}

func itemInGapCases() []ruleCase {
	gapInItem := func(f *fixture, w world) { f.gap(w.keys[1], "audio", 13000, 17000) }
	return []ruleCase{
		{name: "fires for an index point in a gap", breaks: gapInItem,
			want: []string{CodeRecordingInterrupted, CodeItemNotCovered},
			check: func(tb testing.TB, rep Report, w world) {
				wantMsg(CodeItemNotCovered, []string{"media of 0:00:13-0:00:17 is lost",
					w.keys[1]}, "音视频缺失")(tb, rep, w)
				if got := rep.Findings[1].ObjectKey; got != w.keys[1] {
					tb.Errorf("object key: got %q, want %q", got, w.keys[1])
				}
			}},
		{name: "fires for an open index point that starts in a gap",
			breaks: both(gapInItem, func(f *fixture, w world) {
				f.exec(`UPDATE index_points SET start_ms = 15000, end_ms = NULL WHERE id = $1`,
					w.indexPoint)
			}),
			want: []string{CodeRecordingInterrupted, CodeItemNotCovered}},
		{name: "quiet for a gap outside the index point",
			breaks: func(f *fixture, w world) { f.gap(w.keys[0], "audio", 2000, 8000) },
			want:   []string{CodeRecordingInterrupted}},
		{name: "quiet for a gap in the item that another track covers",
			breaks: both(gapInItem, secondTrack(10000, 20000))},
	}
}
