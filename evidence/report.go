package evidence

import (
	"fmt"
	"io"
)

// Kind sorts what Verify finds wrong with a bundle.
type Kind string

// The kinds of problem.
const (
	// KindUnreadable: the file is not a ZIP archive, or an entry cannot be
	// read.
	KindUnreadable Kind = "unreadable"
	// KindWrongKey: the manifest is signed, but by another key than the
	// one given.
	KindWrongKey Kind = "wrong-key"
	// KindSignature: the signature does not match manifest.json, which was
	// edited after signing (or the signature is damaged or absent).
	KindSignature Kind = "signature"
	// KindManifest: the manifest is absent, does not parse, or contradicts
	// itself.
	KindManifest Kind = "manifest"
	// KindMissing: a file the manifest lists is not in the bundle.
	KindMissing Kind = "missing"
	// KindChanged: a file's bytes are not the ones the manifest lists.
	KindChanged Kind = "changed"
	// KindReordered: a segment's file holds the bytes of another segment.
	KindReordered Kind = "reordered"
	// KindExtra: the bundle holds a file the manifest does not list, or a
	// file twice.
	KindExtra Kind = "extra"
)

// Problem is one thing wrong with a bundle.
type Problem struct {
	Kind    Kind   `json:"kind"`
	Path    string `json:"path"` // the file concerned, "" for the bundle as a whole
	Message string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("%-10s %s", p.Kind, p.Message) }

type problems []Problem

func (ps *problems) add(kind Kind, path, format string, args ...any) {
	*ps = append(*ps, Problem{Kind: kind, Path: path, Message: fmt.Sprintf(format, args...)})
}

// Report is the outcome of verifying one bundle.
type Report struct {
	Path string
	// Manifest is the bundle's manifest as read; nil when there is none
	// that parses. Trust it only when Valid.
	Manifest *Manifest
	// Bytes is the total size of the files checked.
	Bytes    int64
	Problems []Problem
}

// Valid reports whether the bundle is intact and signed by the key given.
func (r *Report) Valid() bool { return r.Manifest != nil && len(r.Problems) == 0 }

// Write prints the report for people: the verdict, then every problem, or
// what the valid bundle holds.
func (r *Report) Write(w io.Writer) error {
	if !r.Valid() {
		fmt.Fprintf(w, "%s: INVALID, %d problem(s)\n", r.Path, len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
		return nil
	}
	m := r.Manifest
	tracks := map[[2]int64]bool{}
	for _, s := range m.Segments {
		tracks[[2]int64{s.RecordingID, s.TrackID}] = true
	}
	_, err := fmt.Fprintf(w, "%s: valid\n"+
		"  evidence of %s (agenda item %d of meeting %d), made %s\n"+
		"  signed by   %s\n"+
		"  %d segments of %d track(s), %d files, %d bytes, all matching the manifest\n"+
		"  merkle root %s\n",
		r.Path, m.Subject, m.Subject.AgendaItemID, m.Subject.MeetingID,
		m.CreatedAt.Format("2006-01-02 15:04:05 MST"), m.SignerPublicKey,
		len(m.Segments), len(tracks), len(m.Files), r.Bytes, m.MerkleRoot)
	return err
}
