package verify

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
)

// ruleCase breaks one thing in a compliant world and says which findings
// that must give; an empty want is a compliant case that keeps every rule
// quiet.
type ruleCase struct {
	name   string
	breaks func(f *fixture, w world)
	opts   Options
	want   []string          // finding codes, in report order
	sev    map[string]string // code → severity, when it matters
	check  func(tb testing.TB, rep Report, w world)
}

func TestRules(t *testing.T) {
	pool := testenv.Database(t)
	f := newFixture(t, pool)
	groups := map[string][]ruleCase{
		CodeNoMeeting:            noMeetingCases(),
		CodeSplitSpending:        splitInWorldCases(),
		CodeWrongBody:            append(wrongBodyCases(), wrongBodyModelCases()...),
		CodeStageSkipped:         stageSkippedCases(),
		CodeNoQuorum:             noQuorumCases(),
		CodeVoteShort:            voteShortCases(),
		CodeRecusalMissed:        recusalCases(),
		CodeLeaderNotLast:        leaderCases(),
		CodeDecidedBeforeMeeting: append(decidedBeforeCases(), paidBeforeCases()...),
		CodeBackdated:            backdatedCases(),
		CodeNoRecording:          append(noRecordingCases(), shortRecordingCases()...),
		CodeRecordingInterrupted: append(interruptedCases(), gapCases()...),
		CodeItemNotCovered:       append(itemNotCoveredCases(), itemInGapCases()...),
		CodeRecordingTampered:    tamperedCases(),
	}
	for _, code := range allCodes {
		if len(groups[code]) == 0 {
			t.Errorf("%s: no cases", code)
		}
	}
	for _, code := range allCodes {
		t.Run(code, func(t *testing.T) {
			for _, tc := range groups[code] {
				t.Run(tc.name, func(t *testing.T) { runRuleCase(t, f, tc) })
			}
		})
	}
}

func runRuleCase(t *testing.T, f *fixture, tc ruleCase) {
	w := f.compliant()
	if tc.breaks != nil {
		tc.breaks(f, w)
	}
	opts := tc.opts
	opts.Unit = w.unitCode
	rep, err := Run(context.Background(), f.pool, f.store, opts)
	if err != nil {
		t.Fatalf("Run: got error %v, want none", err)
	}
	if got := codesOf(rep.Findings); !slices.Equal(got, tc.want) {
		t.Fatalf("findings: got %v, want %v\n%s", got, tc.want, messages(rep))
	}
	wantPassed := 1
	if len(tc.want) > 0 {
		wantPassed = 0
	}
	if rep.Checked != 1 || rep.Passed != wantPassed {
		t.Errorf("checked/passed: got %d/%d, want 1/%d", rep.Checked, rep.Passed, wantPassed)
	}
	for _, fd := range rep.Findings {
		checkFinding(t, fd, w)
		if want, ok := tc.sev[fd.Code]; ok && fd.Severity != want {
			t.Errorf("%s severity: got %s, want %s", fd.Code, fd.Severity, want)
		}
	}
	if tc.check != nil {
		tc.check(t, rep, w)
	}
}

// checkFinding checks what every finding must carry.
func checkFinding(tb testing.TB, fd Finding, w world) {
	tb.Helper()
	if fd.DecisionID != w.decision || fd.UnitCode != w.unitCode || fd.DecisionTitle == "" ||
		fd.MatterCode == "" {
		tb.Errorf("%s: got decision %d unit %q title %q matter %q, want decision %d "+
			"unit %q and a title and matter", fd.Code, fd.DecisionID, fd.UnitCode,
			fd.DecisionTitle, fd.MatterCode, w.decision, w.unitCode)
	}
	if !strings.Contains(fd.Message, "missing evidence") && fd.Code != CodeRecordingTampered &&
		fd.Code != CodeRecordingInterrupted {
		tb.Errorf("%s message: got %q, want it to name the missing evidence", fd.Code,
			fd.Message)
	}
	if fd.MessageZH == "" || fd.MessageZH == fd.Message {
		tb.Errorf("%s: got Chinese message %q, want a translation", fd.Code, fd.MessageZH)
	}
	if !slices.Contains([]string{SeverityHigh, SeverityMedium, SeverityLow}, fd.Severity) {
		tb.Errorf("%s: got severity %q, want high, medium or low", fd.Code, fd.Severity)
	}
}

func messages(rep Report) string {
	var b strings.Builder
	for _, fd := range rep.Findings {
		b.WriteString(fd.Code + ": " + fd.Message + "\n")
	}
	return b.String()
}

// wantMsg checks that the first finding with code has a message, and its
// Chinese one, containing each part of en and zh.
func wantMsg(code string, en []string, zh ...string) func(testing.TB, Report, world) {
	return func(tb testing.TB, rep Report, _ world) {
		tb.Helper()
		for _, fd := range rep.Findings {
			if fd.Code != code {
				continue
			}
			for _, p := range en {
				if !strings.Contains(fd.Message, p) {
					tb.Errorf("%s message: got %q, want it to contain %q", code, fd.Message, p)
				}
			}
			for _, p := range zh {
				if !strings.Contains(fd.MessageZH, p) {
					tb.Errorf("%s Chinese message: got %q, want it to contain %q", code,
						fd.MessageZH, p)
				}
			}
			return
		}
		tb.Errorf("got no %s finding, want one", code)
	}
}

// wantIn checks that the only finding's message contains each part.
func wantIn(parts ...string) func(testing.TB, Report, world) {
	return func(tb testing.TB, rep Report, _ world) {
		tb.Helper()
		for _, p := range parts {
			if !strings.Contains(rep.Findings[0].Message, p) {
				tb.Errorf("message: got %q, want it to contain %q", rep.Findings[0].Message, p)
			}
		}
	}
}

func unlink(f *fixture, w world) {
	f.exec(`UPDATE decisions SET agenda_item_id = NULL WHERE id = $1`, w.decision)
}

func setAmount(amount string) func(*fixture, world) {
	return func(f *fixture, w world) {
		unlink(f, w)
		f.exec(`UPDATE decisions SET amount = NULLIF($2, '')::numeric WHERE id = $1`,
			w.decision, amount)
	}
}

func noMeetingCases() []ruleCase {
	return []ruleCase{
		{name: "fires for a linked-to-nothing decision over the threshold",
			breaks: unlink, want: []string{CodeNoMeeting},
			check: wantIn("party committee meeting", "80000.00", "50000.00")},
		{name: "fires for an amount exactly at the threshold",
			breaks: setAmount("50000"), want: []string{CodeNoMeeting}},
		{name: "fires when no amount is registered under a threshold",
			breaks: setAmount(""), want: []string{CodeNoMeeting},
			check: wantIn("no amount registered")},
		{name: "quiet for an amount under the threshold", breaks: setAmount("49999.99"),
			check: func(tb testing.TB, rep Report, _ world) {
				if rep.Decisions[0].NeedsMeeting {
					tb.Errorf("needs meeting: got true, want false")
				}
			}},
		{name: "quiet for a matter that needs no meeting",
			breaks: func(f *fixture, w world) {
				unlink(f, w)
				f.exec(`UPDATE matters SET required_body_kind = NULL WHERE id = $1`, w.matter)
			}},
		{name: "quiet for a compliant decision"},
	}
}

func wrongBodyCases() []ruleCase {
	return []ruleCase{
		{name: "fires for a body of another kind",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE meeting_bodies SET kind = 'government_executive'
					WHERE id = $1`, w.body)
			},
			want:  []string{CodeWrongBody},
			check: wantIn("government executive meeting")},
		{name: "fires for a body of another unit",
			breaks: func(f *fixture, w world) {
				village := f.unit(f.unique("V"), "village", &w.unit)
				body := f.body(village, "party_committee")
				f.exec(`UPDATE meetings SET body_id = $2 WHERE id = $1`, w.meeting, body)
			},
			want:  []string{CodeWrongBody},
			check: wantIn("not by a body of the deciding unit " + "T-")},
		{name: "quiet for the right body of the deciding unit"},
	}
}

func decidedBeforeCases() []ruleCase {
	setDecided := func(at func(w world) time.Time) func(*fixture, world) {
		return func(f *fixture, w world) {
			f.exec(`UPDATE decisions SET decided_at = $2 WHERE id = $1`, w.decision, at(w))
		}
	}
	return []ruleCase{
		{name: "fires high for a decision before the meeting started",
			breaks: setDecided(func(world) time.Time { return meetingStart.Add(-time.Hour) }),
			want:   []string{CodeDecidedBeforeMeeting},
			sev:    map[string]string{CodeDecidedBeforeMeeting: SeverityHigh},
			check:  wantIn("1h0m0s before meeting")},
		{name: "fires medium against the planned start of an unstarted meeting",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE meetings SET started_at = NULL WHERE id = $1`, w.meeting)
				setDecided(func(world) time.Time { return meetingStart.Add(-time.Hour) })(f, w)
			},
			want:  []string{CodeDecidedBeforeMeeting},
			sev:   map[string]string{CodeDecidedBeforeMeeting: SeverityMedium},
			check: wantIn("planned start")},
		{name: "fires low for a date without time on the meeting day",
			breaks: setDecided(func(world) time.Time {
				s := meetingStart.In(time.Local)
				return time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.Local)
			}),
			want:  []string{CodeDecidedBeforeMeeting},
			sev:   map[string]string{CodeDecidedBeforeMeeting: SeverityLow},
			check: wantIn("date only")},
		{name: "quiet for a decision at the very start",
			breaks: setDecided(func(world) time.Time { return meetingStart })},
	}
}

// dropRecording removes the world's recording and all that hangs on it.
func dropRecording(f *fixture, w world) {
	f.exec(`DELETE FROM index_points WHERE recording_id = $1`, w.record)
	dropSegments(f, w.track)
	f.exec(`DELETE FROM tracks WHERE id = $1`, w.track)
	f.exec(`DELETE FROM recordings WHERE id = $1`, w.record)
}

// dropSegments removes the segments of track, with their gaps.
func dropSegments(f *fixture, track int64) {
	f.exec(`DELETE FROM segment_gaps WHERE segment_id IN (
		SELECT id FROM segments WHERE track_id = $1)`, track)
	f.exec(`DELETE FROM segments WHERE track_id = $1`, track)
}

func setState(state string) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE recordings SET state = $2 WHERE id = $1`, w.record, state)
	}
}

func noRecordingCases() []ruleCase {
	return []ruleCase{
		{name: "fires for a meeting without recordings", breaks: dropRecording,
			want: []string{CodeNoRecording}, check: wantIn("no recording at all")},
		{name: "fires for a recording still open",
			breaks: func(f *fixture, w world) {
				setState("recording")(f, w)
				f.store.remove(w.keys[0]) // still uploading: not counted as tampered
			},
			want: []string{CodeNoRecording}, check: wantIn("1 still recording")},
		{name: "fires for an interrupted recording only", breaks: setState("interrupted"),
			want: []string{CodeNoRecording, CodeRecordingInterrupted}},
		{name: "fires for a finished recording without media",
			breaks: func(f *fixture, w world) { dropSegments(f, w.track) },
			want:   []string{CodeNoRecording, CodeItemNotCovered},
			check:  wantIn("1 finished without media")},
		{name: "quiet when the matter does not ask for a recording",
			breaks: func(f *fixture, w world) {
				dropRecording(f, w)
				f.exec(`UPDATE matters SET must_record = false WHERE id = $1`, w.matter)
			}},
		{name: "quiet for a finished recording"},
	}
}

func interruptedCases() []ruleCase {
	return []ruleCase{
		{name: "fires medium for an interrupted recording beside a finished one",
			breaks: func(f *fixture, w world) {
				rec := f.recording(w.meeting, "interrupted", meetingStart.Add(-time.Hour))
				track := f.track(rec, "interrupted", meetingStart.Add(-time.Hour))
				f.segment(track, 0, 0, 5000, meetingStart.Add(-time.Hour))
			},
			want: []string{CodeRecordingInterrupted},
			sev:  map[string]string{CodeRecordingInterrupted: SeverityMedium},
			check: func(tb testing.TB, rep Report, w world) {
				got := rep.Findings[0].RecordingID
				if got == nil || *got == w.record {
					tb.Errorf("recording: got %q, want the interrupted one, not %d", optID(got), w.record)
				}
			}},
		{name: "quiet without interruptions"},
	}
}

func moveIndexPoint(start, end int64) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE index_points SET start_ms = $2, end_ms = $3 WHERE id = $1`,
			w.indexPoint, start, end)
	}
}

// moveSegment changes the media range of segment seq of the world's track.
func moveSegment(seq int, start, end int64) func(*fixture, world) {
	return func(f *fixture, w world) {
		f.exec(`UPDATE segments SET media_start_ms = $3, media_end_ms = $4
			WHERE track_id = $1 AND seq = $2`, w.track, seq, start, end)
	}
}

func itemNotCoveredCases() []ruleCase {
	return []ruleCase{
		{name: "fires for an item without index point",
			breaks: func(f *fixture, w world) {
				f.exec(`DELETE FROM index_points WHERE id = $1`, w.indexPoint)
			},
			want: []string{CodeItemNotCovered}, check: wantIn("has no index point")},
		{name: "fires for an index point past the last segment",
			breaks: moveIndexPoint(25000, 40000),
			want:   []string{CodeItemNotCovered}, check: wantIn("0:00:25-0:00:40")},
		{name: "fires for an index point over a hole between segments",
			breaks: moveSegment(1, 14000, 20000), want: []string{CodeItemNotCovered}},
		{name: "fires for an index point in another meeting's recording",
			breaks: func(f *fixture, w world) {
				other := f.meeting(w.body, meetingStart.Add(24*time.Hour), nil)
				rec := f.recording(other, "finished", meetingStart)
				f.segment(f.track(rec, "finished", meetingStart), 0, 0, 60000, meetingStart)
				f.exec(`UPDATE index_points SET recording_id = $2 WHERE id = $1`,
					w.indexPoint, rec)
			},
			want: []string{CodeItemNotCovered}, check: wantIn("belongs to meeting")},
		{name: "fires for an index point in a recording without segments",
			breaks: func(f *fixture, w world) {
				rec := f.recording(w.meeting, "finished", meetingStart)
				f.exec(`UPDATE index_points SET recording_id = $2 WHERE id = $1`,
					w.indexPoint, rec)
			},
			want: []string{CodeItemNotCovered}, check: wantIn("no stored segments")},
		{name: "quiet for a hole of half a second between segments",
			breaks: func(f *fixture, w world) {
				moveSegment(1, 10500, 20000)(f, w)
				moveIndexPoint(8000, 18000)(f, w)
			}},
		{name: "quiet for an open index point whose start is covered",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE index_points SET end_ms = NULL WHERE id = $1`, w.indexPoint)
			}},
		{name: "quiet for an index point inside the segments"},
	}
}

func tamperedCases() []ruleCase {
	rehash := Options{Rehash: true}
	return []ruleCase{
		{name: "fires for a missing object",
			breaks: func(f *fixture, w world) { f.store.remove(w.keys[1]) },
			want:   []string{CodeRecordingTampered},
			check: func(tb testing.TB, rep Report, w world) {
				if got := rep.Findings[0].ObjectKey; got != w.keys[1] {
					tb.Errorf("object key: got %q, want %q", got, w.keys[1])
				}
				wantIn("missing from the object store")(tb, rep, w)
			}},
		{name: "fires once for objects missing one after another",
			breaks: func(f *fixture, w world) {
				f.store.remove(w.keys[0])
				f.store.remove(w.keys[1])
			},
			want: []string{CodeRecordingTampered},
			check: func(tb testing.TB, rep Report, w world) {
				if got := rep.Findings[0].ObjectKey; got != w.keys[0] {
					tb.Errorf("object key: got %q, want the first, %q", got, w.keys[0])
				}
				wantIn("segments 0 to 1 of track", w.keys[1])(tb, rep, w)
			}},
		{name: "fires for each run of missing objects",
			breaks: func(f *fixture, w world) {
				f.store.remove(w.keys[0])
				f.store.remove(w.keys[2])
			},
			want: []string{CodeRecordingTampered, CodeRecordingTampered},
			check: func(tb testing.TB, rep Report, w world) {
				for i, want := range []string{w.keys[0], w.keys[2]} {
					if got := rep.Findings[i].ObjectKey; got != want {
						tb.Errorf("finding %d: object key %q, want %q", i, got, want)
					}
				}
			}},
		{name: "fires for a missing object and a resized one beside it",
			breaks: func(f *fixture, w world) {
				f.store.remove(w.keys[0])
				f.store.put(w.keys[1], []byte("short"))
			},
			want: []string{CodeRecordingTampered, CodeRecordingTampered}},
		{name: "fires for an object of another size",
			breaks: func(f *fixture, w world) { f.store.put(w.keys[0], []byte("short")) },
			want:   []string{CodeRecordingTampered}, check: wantIn("holds 5 bytes")},
		{name: "fires with rehash for a missing object", opts: rehash,
			breaks: func(f *fixture, w world) { f.store.remove(w.keys[1]) },
			want:   []string{CodeRecordingTampered},
			check:  wantIn("missing from the object store")},
		{name: "fires with rehash for an object of another size", opts: rehash,
			breaks: func(f *fixture, w world) { f.store.put(w.keys[0], []byte("short")) },
			want:   []string{CodeRecordingTampered}, check: wantIn("holds 5 bytes")},
		{name: "fires with rehash for an object the store cannot read back", opts: rehash,
			breaks: func(f *fixture, w world) {
				f.store.mu.Lock()
				f.store.damaged[w.keys[1]] = true
				f.store.mu.Unlock()
			},
			want: []string{CodeRecordingTampered},
			check: func(tb testing.TB, rep Report, w world) {
				wantIn("cannot read its bytes back", "bit rot")(tb, rep, w)
				if got := rep.Findings[0].ObjectKey; got != w.keys[1] {
					tb.Errorf("object key %q, want %q", got, w.keys[1])
				}
			}},
		{name: "fires with rehash for altered bytes of the same size", opts: rehash,
			breaks: alterBytes(2), want: []string{CodeRecordingTampered},
			check: wantIn("no longer hashes")},
		{name: "fires for a hole in the segment numbers",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE segments SET seq = 5 WHERE track_id = $1 AND seq = 2`, w.track)
			},
			want: []string{CodeRecordingTampered}, check: wantIn("numbered 2-4")},
		{name: "fires for segments not starting at zero",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE segments SET seq = seq + 10 WHERE track_id = $1`, w.track)
			},
			want: []string{CodeRecordingTampered}, check: wantIn("numbered 0-9")},
		{name: "fires for segments removed from the end",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE tracks SET segments_written = 5 WHERE id = $1`, w.track)
			},
			want: []string{CodeRecordingTampered}, check: wantIn("numbered 3-4")},
		{name: "quiet when every segment written is there",
			breaks: func(f *fixture, w world) {
				f.exec(`UPDATE tracks SET segments_written = 3 WHERE id = $1`, w.track)
			}},
		{name: "quiet without rehash for altered bytes of the same size",
			breaks: alterBytes(2)},
		{name: "quiet with rehash for intact objects", opts: rehash},
	}
}

func alterBytes(seg int) func(*fixture, world) {
	return func(f *fixture, w world) {
		data, err := f.store.get(context.Background(), w.keys[seg])
		if err != nil {
			f.tb.Fatalf("fake store: %v", err)
		}
		altered := append([]byte(nil), data...)
		altered[0] ^= 0xff
		f.store.put(w.keys[seg], altered)
	}
}
