package evidence

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// validManifest is the manifest of the fixture's decision bundle.
func validManifest(t testing.TB) Manifest {
	t.Helper()
	f := newFixture(t)
	es := readEntries(t, f.bundle(t, SubjectDecision, fixtureDecision))
	return decodeManifest(t, es[find(t, es, ManifestName)].data)
}

func TestManifestCheck(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *Manifest)
		want []string // one problem containing each, in order
	}{
		{"valid", func(*Manifest) {}, nil},
		{"unknown format", func(m *Manifest) { m.Format = "liuhen-evidence-bundle/9" },
			[]string{`format "liuhen-evidence-bundle/9" is not`}},
		{"bad signer key", func(m *Manifest) { m.SignerPublicKey = "AAAA" },
			[]string{"signer_public_key: not an Ed25519 key: base64 of 3 bytes"}},
		{"segments out of order", func(m *Manifest) {
			m.Segments[0], m.Segments[1] = m.Segments[1], m.Segments[0]
		}, []string{"seq 1 (segments/recording-1/track-10/000001.webm) is listed after " +
			"segment recording 1 track 10 seq 2", "merkle_root"}},
		{"a segment twice", func(m *Manifest) {
			m.Segments = slices.Insert(m.Segments, 1, m.Segments[0])
		}, []string{"seq 1 (segments/recording-1/track-10/000001.webm) is listed after " +
			"segment recording 1 track 10 seq 1", "merkle_root"}},
		{"segment not in the file list", func(m *Manifest) { m.Files = m.Files[1:] },
			[]string{"seq 1 (segments/recording-1/track-10/000001.webm) is not in the file list"}},
		{"file list disagrees", func(m *Manifest) { m.Files[0].Size++ },
			[]string{"the file list gives size 5001"}},
		{"no segments", func(m *Manifest) { m.Segments = nil },
			[]string{"lists no segment", "merkle_root"}},
		{"wrong merkle root", func(m *Manifest) { m.MerkleRoot = strings.Repeat("0", 64) },
			[]string{"merkle_root 0000"}},
		{"path outside the bundle", func(m *Manifest) { m.Files[7].Path = "../evil.json" },
			[]string{`"../evil.json" must be clean`}},
		{"absolute path", func(m *Manifest) { m.Files[7].Path = "/etc/passwd" },
			[]string{"must be a relative path"}},
		{"windows path", func(m *Manifest) { m.Files[7].Path = `records\x.json` },
			[]string{"must not hold a backslash"}},
		{"path in another directory", func(m *Manifest) { m.Files[7].Path = "other/x.json" },
			[]string{"must be under segments/ or records/"}},
		{"file twice", func(m *Manifest) { m.Files = append(m.Files, m.Files[7]) },
			[]string{"lists " + m7 + " twice"}},
		{"bad digest", func(m *Manifest) { m.Files[7].SHA256 = strings.ToUpper(m.Files[7].SHA256) },
			[]string{"SHA-256 must be 64 hex digits"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := validManifest(t)
			c.edit(&m)
			got := m.check()
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems %v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				if got[i].Kind != KindManifest || !strings.Contains(got[i].Message, w) {
					t.Errorf("problem %d: got %v, want a manifest problem saying %q", i, got[i], w)
				}
			}
		})
	}
}

// m7 is the path of Files[7] of the fixture's bundle: six segments, then
// the records in order of their paths.
const m7 = "records/decision-7.json"

// TestManifestLists checks the file list: the segments in order, then the
// records, each with the size and SHA-256 of its bytes in the archive.
func TestManifestLists(t *testing.T) {
	f := newFixture(t)
	es := readEntries(t, f.bundle(t, SubjectDecision, fixtureDecision))
	m := decodeManifest(t, es[find(t, es, ManifestName)].data)
	var got []string
	for _, fe := range m.Files {
		data := es[find(t, es, fe.Path)].data
		if fe.Size != int64(len(data)) || fe.SHA256 != sumOf(data) {
			t.Errorf("%s: listed as %d bytes %s, holds %d bytes %s", fe.Path, fe.Size,
				fe.SHA256, len(data), sumOf(data))
		}
		got = append(got, fe.Path)
	}
	want := []string{seg1, seg2, "segments/recording-1/track-10/000003.webm",
		"segments/recording-1/track-11/000001.webm", "segments/recording-1/track-11/000002.webm",
		seg3, "records/agenda-item-4.json", "records/decision-7.json", "records/matter-3.json",
		"records/meeting-2.json"}
	if !slices.Equal(got, want) {
		t.Errorf("files: got %v, want %v", got, want)
	}
	for i, s := range m.Segments {
		if s.SHA256 != sumOf(segmentBytes(s.TrackID, s.Seq)) || s.MediaStartMs != int64(s.Seq)*10000 {
			t.Errorf("segment %d: got %+v, want the catalogued hash and times", i, s)
		}
	}
	if !bytes.Contains(es[find(t, es, "records/decision-7.json")].data, []byte(`"80000"`)) {
		t.Errorf("the decision record does not hold the catalogued value")
	}
}
