package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	seg1 = "segments/recording-1/track-10/000001.webm"
	seg2 = "segments/recording-1/track-10/000002.webm"
	seg3 = "segments/recording-1/track-11/000003.webm"
)

func TestVerifyIntactBundle(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		kind SubjectKind
		id   int64
	}{{SubjectDecision, fixtureDecision}, {SubjectAgendaItem, fixtureItem}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			archive := f.bundle(t, tc.kind, tc.id)
			r := Verify(bytes.NewReader(archive), int64(len(archive)), f.pub)
			if !r.Valid() {
				t.Fatalf("got problems %v, want none", r.Problems)
			}
			var got []string
			for _, s := range r.Manifest.Segments {
				got = append(got, s.Path)
			}
			var want []string
			for _, track := range []string{"10", "11"} {
				for _, seq := range []string{"1", "2", "3"} {
					want = append(want, "segments/recording-1/track-"+track+"/00000"+seq+".webm")
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("segments: got %v, want %v", got, want)
			}
			if s := r.Manifest.Subject; s.Kind != tc.kind || s.ID != tc.id ||
				s.AgendaItemID != fixtureItem || s.MeetingID != fixtureMeeting {
				t.Errorf("subject: got %+v, want %s %d of item %d, meeting %d", s, tc.kind,
					tc.id, fixtureItem, fixtureMeeting)
			}
		})
	}
}

// TestVerifyFindsTampering tampers with a bundle in each way an inspector
// must catch and checks that the verifier names each problem.
func TestVerifyFindsTampering(t *testing.T) {
	f := newFixture(t)
	archive := f.bundle(t, SubjectDecision, fixtureDecision)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	otherPub := otherKey.Public().(ed25519.PublicKey)

	cases := []struct {
		name   string
		tamper func(t *testing.T) []byte
		key    ed25519.PublicKey // nil: the server's
		want   []Kind
		says   []string // each message, in order, contains this
	}{
		{"changed segment", edit(archive, func(t *testing.T, es []entry) []entry {
			es[find(t, es, seg2)].data[100] ^= 1
			return es
		}), nil, []Kind{KindChanged}, []string{"segment recording 1 track 10 seq 2 (" +
			seg2 + ") was changed: expected SHA-256 " + sumOf(segmentBytes(10, 2))}},
		{"missing segment", edit(archive, func(t *testing.T, es []entry) []entry {
			return slices.Delete(es, find(t, es, seg3), find(t, es, seg3)+1)
		}), nil, []Kind{KindMissing}, []string{"seq 3 (" + seg3 + ") is missing"}},
		{"segments reordered", edit(archive, func(t *testing.T, es []entry) []entry {
			i, j := find(t, es, seg1), find(t, es, seg2)
			es[i].data, es[j].data = es[j].data, es[i].data
			return es
		}), nil, []Kind{KindReordered, KindReordered},
			[]string{"seq 1 (" + seg1 + ") holds the bytes of segment recording 1 track 10 seq 2",
				"seq 2 (" + seg2 + ") holds the bytes of segment recording 1 track 10 seq 1"}},
		{"extra file", edit(archive, func(_ *testing.T, es []entry) []entry {
			return append(es, entry{"segments/recording-1/track-10/000009.webm", []byte("x")})
		}), nil, []Kind{KindExtra}, []string{"000009.webm, which the manifest does not list"}},
		{"file twice", edit(archive, func(t *testing.T, es []entry) []entry {
			return append(es, entry{seg1, []byte("another seq 1")})
		}), nil, []Kind{KindExtra}, []string{"holds " + seg1 + " twice"}},
		{"changed record", edit(archive, func(t *testing.T, es []entry) []entry {
			i := find(t, es, "records/decision-7.json")
			es[i].data = bytes.Replace(es[i].data, []byte("80000"), []byte("8000"), 1)
			return es
		}), nil, []Kind{KindChanged}, []string{"file records/decision-7.json was changed"}},
		{"edited manifest", edit(archive, func(t *testing.T, es []entry) []entry {
			i := find(t, es, ManifestName)
			es[i].data = bytes.Replace(es[i].data, []byte(`"start_ms": 12000`),
				[]byte(`"start_ms": 13000`), 1)
			return es
		}), nil, []Kind{KindSignature}, []string{"the manifest was edited after it was signed"}},
		{"manifest edited to hide a segment", edit(archive, hideSegment), nil,
			[]Kind{KindSignature, KindManifest, KindExtra},
			[]string{"does not match", "merkle_root", seg2 + ", which the manifest does not list"}},
		{"signature removed", edit(archive, func(t *testing.T, es []entry) []entry {
			return slices.Delete(es, find(t, es, SignatureName), find(t, es, SignatureName)+1)
		}), nil, []Kind{KindSignature}, []string{"the manifest is unsigned"}},
		{"wrong key", func(*testing.T) []byte { return archive }, otherPub,
			[]Kind{KindWrongKey}, []string{"signed by key " + EncodePublicKey(f.pub) +
				", not by the key given (" + EncodePublicKey(otherPub) + ")"}},
		{"re-signed with another key", edit(archive, resignWith(otherKey)), nil,
			[]Kind{KindWrongKey}, []string{"signed by key " + EncodePublicKey(otherPub)}},
		{"bit flipped in the file", func(t *testing.T) []byte {
			b := bytes.Clone(archive)
			at := bytes.Index(b, segmentBytes(11, 2))
			if at < 0 {
				t.Fatal("segment 11/2 is not stored as it is")
			}
			b[at+7] ^= 0x20
			return b
		}, nil, []Kind{KindChanged}, []string{"track 11 seq 2"}},
		{"every problem at once", edit(archive, func(t *testing.T, es []entry) []entry {
			es[find(t, es, seg1)].data = []byte("changed")
			es = slices.Delete(es, find(t, es, seg3), find(t, es, seg3)+1)
			return append(es, entry{"records/notes.txt", []byte("x")})
		}), nil, []Kind{KindExtra, KindChanged, KindMissing},
			[]string{"notes.txt", "seq 1", "seq 3"}},
		{"not a ZIP archive", func(*testing.T) []byte { return []byte("not a zip at all") },
			nil, []Kind{KindUnreadable}, []string{"not a ZIP archive"}},
		{"no manifest", edit(archive, func(t *testing.T, es []entry) []entry {
			return slices.Delete(es, find(t, es, ManifestName), find(t, es, ManifestName)+1)
		}), nil, []Kind{KindManifest}, []string{"holds no manifest.json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.tamper(t)
			key := c.key
			if key == nil {
				key = f.pub
			}
			r := Verify(bytes.NewReader(b), int64(len(b)), key)
			for _, p := range r.Problems {
				t.Log(p)
			}
			if got := kinds(r.Problems); !slices.Equal(got, c.want) {
				t.Fatalf("problems: got %v, want kinds %v\n%v", got, c.want, r.Problems)
			}
			for i, s := range c.says {
				if !strings.Contains(r.Problems[i].Message, s) {
					t.Errorf("problem %d: got %q, want it to say %q", i, r.Problems[i].Message, s)
				}
			}
		})
	}
}

func edit(archive []byte, fn func(*testing.T, []entry) []entry) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		return rewrite(t, archive, func(es []entry) []entry { return fn(t, es) })
	}
}

// hideSegment removes a segment from the manifest's lists, as someone who
// wants it to go unnoticed would, and leaves its file where it was.
func hideSegment(t *testing.T, es []entry) []entry {
	i := find(t, es, ManifestName)
	m := decodeManifest(t, es[i].data)
	m.Segments = slices.DeleteFunc(m.Segments, func(s SegmentEntry) bool { return s.Path == seg2 })
	m.Files = slices.DeleteFunc(m.Files, func(f FileEntry) bool { return f.Path == seg2 })
	es[i].data = encodeManifest(t, m)
	return es
}

// resignWith rewrites the manifest naming key as its signer and signs it.
func resignWith(key ed25519.PrivateKey) func(*testing.T, []entry) []entry {
	return func(t *testing.T, es []entry) []entry {
		i := find(t, es, ManifestName)
		m := decodeManifest(t, es[i].data)
		m.SignerPublicKey = EncodePublicKey(key.Public().(ed25519.PublicKey))
		es[i].data = encodeManifest(t, m)
		es[find(t, es, SignatureName)].data = ed25519.Sign(key, es[i].data)
		return es
	}
}

func decodeManifest(t testing.TB, data []byte) Manifest {
	t.Helper()
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("decode manifest: %v", err)
	}
	return m
}

func encodeManifest(t testing.TB, m Manifest) []byte {
	t.Helper()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestVerifyFile(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(path, f.bundle(t, SubjectAgendaItem, fixtureItem), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := VerifyFile(path, f.pub)
	if err != nil || !r.Valid() {
		t.Fatalf("VerifyFile: got %v, %v; want a valid report", r, err)
	}
	var out strings.Builder
	if err := r.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{path + ": valid", "agenda item 4", "6 segments of 2 track(s)",
		r.Manifest.MerkleRoot} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report %q: want it to say %q", out.String(), want)
		}
	}
	if _, err := VerifyFile(filepath.Join(t.TempDir(), "none.zip"), f.pub); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("VerifyFile of no file: got %v, want an error matching fs.ErrNotExist", err)
	}
}
