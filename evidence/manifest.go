package evidence

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"
)

// Format names the version of the bundle layout in Manifest.Format.
const Format = "liuhen-evidence-bundle/1"

// Names of the two files of a bundle that the manifest does not list.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

// Directories of the files the manifest lists.
const (
	segmentsDir = "segments/"
	recordsDir  = "records/"
)

// SubjectKind is what a bundle is the evidence of.
type SubjectKind string

// The kinds of subject.
const (
	SubjectDecision   SubjectKind = "decision"
	SubjectAgendaItem SubjectKind = "agenda_item"
)

// Subject is the decision or agenda item a bundle is the evidence of.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	ID   int64       `json:"id"`
	// AgendaItemID is the agenda item whose stretch the segments cover; for
	// an agenda item, its own id.
	AgendaItemID int64 `json:"agenda_item_id"`
	MeetingID    int64 `json:"meeting_id"`
}

// String names the subject for people, such as "decision 7".
func (s Subject) String() string {
	if s.Kind == SubjectAgendaItem {
		return fmt.Sprintf("agenda item %d", s.ID)
	}
	return fmt.Sprintf("%s %d", s.Kind, s.ID)
}

// Manifest is manifest.json: what the bundle holds, signed as a whole.
type Manifest struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Subject   Subject   `json:"subject"`
	// SignerPublicKey is the base64 Ed25519 public key whose private key
	// signed the manifest (see EncodePublicKey).
	SignerPublicKey string `json:"signer_public_key"`
	// IndexPoints are the stretches of the recordings the agenda item was
	// discussed in; the segments are those that overlap them.
	IndexPoints []Stretch `json:"index_points"`
	// Segments in recording, track and sequence order.
	Segments []SegmentEntry `json:"segments"`
	// MerkleRoot is the hex MerkleRoot of the segments' SHA-256, in order.
	MerkleRoot string `json:"merkle_root"`
	// Files lists every file of the bundle but the manifest and its
	// signature: the segments, then the records.
	Files []FileEntry `json:"files"`
}

// Stretch is an index point: milliseconds of a recording's media time.
type Stretch struct {
	RecordingID int64 `json:"recording_id"`
	StartMs     int64 `json:"start_ms"`
	EndMs       int64 `json:"end_ms"`
}

// SegmentEntry is one master segment in the bundle, as catalogued when it
// was recorded.
type SegmentEntry struct {
	Path         string `json:"path"`
	RecordingID  int64  `json:"recording_id"`
	TrackID      int64  `json:"track_id"`
	Seq          int    `json:"seq"`
	MediaStartMs int64  `json:"media_start_ms"`
	MediaEndMs   int64  `json:"media_end_ms"`
	Size         int64  `json:"size"`
	// SHA256 is the hex digest Liuhen computed while recording the segment.
	SHA256 string `json:"sha256"`
	// ObjectKey is where the segment is stored in the evidence store.
	ObjectKey string `json:"object_key"`
}

// String names the segment for people.
func (s SegmentEntry) String() string {
	return fmt.Sprintf("segment recording %d track %d seq %d (%s)",
		s.RecordingID, s.TrackID, s.Seq, s.Path)
}

// FileEntry is one file of the bundle with its size and hex SHA-256.
type FileEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// compareSegments orders segments by recording, track and sequence.
func compareSegments(a, b SegmentEntry) int {
	return cmp.Or(cmp.Compare(a.RecordingID, b.RecordingID),
		cmp.Compare(a.TrackID, b.TrackID), cmp.Compare(a.Seq, b.Seq))
}

// segmentRoot is the Merkle root over the manifest's segment digests; ok
// is false when one of them is not hex of 32 bytes.
func (m *Manifest) segmentRoot() (root [32]byte, ok bool) {
	digests := make([][32]byte, len(m.Segments))
	for i, s := range m.Segments {
		d, err := parseDigest(s.SHA256)
		if err != nil {
			return root, false
		}
		digests[i] = d
	}
	return MerkleRoot(digests), true
}

// check returns what is wrong inside the manifest itself, whatever the
// files of the bundle hold: an unknown format, a bad key, paths an
// inspector could not safely extract, segments out of order, a segment
// the file list disagrees with, a Merkle root that is not the root of the
// listed digests.
func (m *Manifest) check() []Problem {
	var ps problems
	if m.Format != Format {
		ps.add(KindManifest, ManifestName, "format %q is not %q: this verifier "+
			"reads only that version", m.Format, Format)
	}
	if _, err := ParsePublicKey(m.SignerPublicKey); err != nil {
		ps.add(KindManifest, ManifestName, "signer_public_key: %v", err)
	}
	if len(m.Segments) == 0 {
		ps.add(KindManifest, ManifestName, "the manifest lists no segment")
	}
	files := m.checkFiles(&ps)
	m.checkSegments(&ps, files)
	root, ok := m.segmentRoot()
	if ok && hex.EncodeToString(root[:]) != m.MerkleRoot {
		ps.add(KindManifest, ManifestName, "merkle_root %s is not the root of the "+
			"listed segments' SHA-256, which is %x", m.MerkleRoot, root)
	}
	return ps
}

// checkFiles checks the file list and returns it by path.
func (m *Manifest) checkFiles(ps *problems) map[string]FileEntry {
	files := make(map[string]FileEntry, len(m.Files))
	for _, f := range m.Files {
		if reason := badPath(f.Path); reason != "" {
			ps.add(KindManifest, f.Path, "file path %q %s", f.Path, reason)
		}
		if _, dup := files[f.Path]; dup {
			ps.add(KindManifest, f.Path, "the manifest lists %s twice", f.Path)
		}
		if _, err := parseDigest(f.SHA256); err != nil || f.Size < 0 {
			ps.add(KindManifest, f.Path, "%s: the size must not be negative and the "+
				"SHA-256 must be 64 hex digits", f.Path)
		}
		files[f.Path] = f
	}
	return files
}

// checkSegments checks that the segments are in order, each once, and
// that each agrees with its file entry.
func (m *Manifest) checkSegments(ps *problems, files map[string]FileEntry) {
	for i, s := range m.Segments {
		if i > 0 && compareSegments(m.Segments[i-1], s) >= 0 {
			ps.add(KindManifest, s.Path, "%s is listed after %s: segments must be in "+
				"recording, track and sequence order, each once", s, m.Segments[i-1])
		}
		if !strings.HasPrefix(s.Path, segmentsDir) {
			ps.add(KindManifest, s.Path, "%s is not under %s", s, segmentsDir)
		}
		f, ok := files[s.Path]
		switch {
		case !ok:
			ps.add(KindManifest, s.Path, "%s is not in the file list", s)
		case f.SHA256 != s.SHA256 || f.Size != s.Size:
			ps.add(KindManifest, s.Path, "%s: the file list gives size %d and SHA-256 %s, "+
				"the segment list size %d and SHA-256 %s", s, f.Size, f.SHA256, s.Size, s.SHA256)
		}
	}
}

// badPath says why p cannot name a file of a bundle, or "" when it can:
// a relative, clean, slash-separated path under segments/ or records/,
// which extracts nowhere else.
func badPath(p string) string {
	switch {
	case p == "" || strings.HasPrefix(p, "/"):
		return "must be a relative path"
	case strings.ContainsAny(p, "\\:\x00"):
		return "must not hold a backslash, a colon or a NUL"
	case path.Clean(p) != p || strings.Contains(p, ".."):
		return "must be clean, without . or .. elements"
	case !strings.HasPrefix(p, segmentsDir) && !strings.HasPrefix(p, recordsDir):
		return "must be under " + segmentsDir + " or " + recordsDir
	}
	return ""
}

// parseDigest reads a hex SHA-256.
func parseDigest(s string) ([32]byte, error) {
	var d [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(d) || strings.ToLower(s) != s {
		return d, fmt.Errorf("%q is not a SHA-256 in 64 lowercase hex digits", s)
	}
	copy(d[:], b)
	return d, nil
}
