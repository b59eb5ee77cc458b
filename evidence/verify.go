package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxManifest bounds the manifest read into memory: about 100,000
// segments, far more than any agenda item has.
const maxManifest = 64 << 20

// VerifyFile checks the bundle at path against the public key it should
// be signed with, offline: it needs neither the server nor the database.
// It reads the ZIP archive's directory, then streams each file through
// SHA-256, so memory does not grow with the bundle. The report lists
// every problem found; the error is only for a file that cannot be
// opened at all.
func VerifyFile(path string, key ed25519.PublicKey) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	r := Verify(f, st.Size(), key)
	r.Path = path
	return r, nil
}

// Verify is VerifyFile over a bundle of size bytes read from ra.
func Verify(ra io.ReaderAt, size int64, key ed25519.PublicKey) *Report {
	v := &verifier{report: &Report{}, key: key}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		v.problems.add(KindUnreadable, "", "the file is not a ZIP archive, or a damaged "+
			"one: %v", err)
		return v.done()
	}
	v.index(zr)
	raw, ok := v.readManifest()
	if !ok {
		return v.done()
	}
	v.checkSignature(raw)
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		v.problems.add(KindManifest, ManifestName, "%s does not parse as JSON: %v",
			ManifestName, err)
		return v.done()
	}
	v.report.Manifest = &m
	v.problems = append(v.problems, m.check()...)
	v.checkFiles(zr, &m)
	return v.done()
}

type verifier struct {
	report   *Report
	key      ed25519.PublicKey
	problems problems
	entries  map[string]*zip.File
}

func (v *verifier) done() *Report {
	v.report.Problems = v.problems
	return v.report
}

// index maps the archive's files by name; a name twice is a problem, since
// tools disagree on which of the two they extract.
func (v *verifier) index(zr *zip.Reader) {
	v.entries = make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if _, dup := v.entries[f.Name]; dup {
			v.problems.add(KindExtra, f.Name, "the bundle holds %s twice: an inspector "+
				"cannot tell which copy is meant", f.Name)
			continue
		}
		v.entries[f.Name] = f
	}
}

func (v *verifier) readManifest() ([]byte, bool) {
	f := v.entries[ManifestName]
	if f == nil {
		v.problems.add(KindManifest, ManifestName, "the bundle holds no %s: it is not a "+
			"Liuhen evidence bundle, or the manifest was removed", ManifestName)
		return nil, false
	}
	raw, err := readEntry(f, maxManifest)
	if err != nil {
		v.problems.add(KindUnreadable, ManifestName, "cannot read %s: %v", ManifestName, err)
		return nil, false
	}
	return raw, true
}

// checkSignature tells an edited manifest from one signed by another key:
// a signature that fails under the key given but holds under the signer
// key the manifest names comes from that other key.
func (v *verifier) checkSignature(raw []byte) {
	given := EncodePublicKey(v.key)
	f := v.entries[SignatureName]
	if f == nil {
		v.problems.add(KindSignature, SignatureName, "the bundle holds no %s: the "+
			"manifest is unsigned", SignatureName)
		return
	}
	sig, err := readEntry(f, ed25519.SignatureSize)
	if err != nil || len(sig) != ed25519.SignatureSize {
		v.problems.add(KindSignature, SignatureName, "%s is not a %d-byte Ed25519 "+
			"signature", SignatureName, ed25519.SignatureSize)
		return
	}
	if ed25519.Verify(v.key, raw, sig) {
		return
	}
	var claim struct {
		Signer string `json:"signer_public_key"`
	}
	_ = json.Unmarshal(raw, &claim)
	signer, err := ParsePublicKey(claim.Signer)
	if err == nil && claim.Signer != given && ed25519.Verify(signer, raw, sig) {
		v.problems.add(KindWrongKey, SignatureName, "the manifest is signed by key %s, "+
			"not by the key given (%s): check that you were given the right key, and "+
			"that it is the server's (GET /api/v1/signing-key)", claim.Signer, given)
		return
	}
	v.problems.add(KindSignature, ManifestName, "the signature in %s does not match %s "+
		"under key %s: the manifest was edited after it was signed, or the signature "+
		"was damaged; nothing the manifest says can be trusted", SignatureName,
		ManifestName, given)
}

// fileResult is the size and SHA-256 of a file as found in the bundle.
type fileResult struct {
	size int64
	sum  string
}

// checkFiles hashes every file of the archive and compares each with the
// manifest: extra files, missing ones, changed ones, and segments whose
// files hold another segment's bytes.
func (v *verifier) checkFiles(zr *zip.Reader, m *Manifest) {
	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	found := map[string]fileResult{}
	for _, f := range zr.File {
		if f.Name == ManifestName || f.Name == SignatureName || isDirectory(f) {
			continue
		}
		if !listed[f.Name] {
			v.problems.add(KindExtra, f.Name, "the bundle holds %s, which the manifest does "+
				"not list", f.Name)
			continue
		}
		if _, seen := found[f.Name]; seen || v.entries[f.Name] != f {
			continue // the duplicate was reported by index
		}
		res, err := hashEntry(f)
		if err != nil {
			v.problems.add(KindUnreadable, f.Name, "cannot read %s: %v", f.Name, err)
		}
		found[f.Name] = res
		v.report.Bytes += res.size
	}
	v.compareSegments(m, found)
	v.compareRecords(m, found)
}

func (v *verifier) compareSegments(m *Manifest, found map[string]fileResult) {
	owner := make(map[string]SegmentEntry, len(m.Segments))
	for _, s := range m.Segments {
		owner[s.SHA256] = s
	}
	for _, s := range m.Segments {
		got, ok := found[s.Path]
		switch {
		case !ok:
			v.problems.add(KindMissing, s.Path, "%s is missing from the bundle; the "+
				"manifest lists it with SHA-256 %s (%d bytes)", s, s.SHA256, s.Size)
		case got.sum == s.SHA256 && got.size == s.Size:
		case owner[got.sum].Path != "" && owner[got.sum].Path != s.Path:
			v.problems.add(KindReordered, s.Path, "%s holds the bytes of %s: the segments "+
				"were reordered or renamed", s, owner[got.sum])
		default:
			v.problems.add(KindChanged, s.Path, "%s was changed: expected SHA-256 %s (%d "+
				"bytes), actual %s (%d bytes)", s, s.SHA256, s.Size, got.sum, got.size)
		}
	}
}

// compareRecords compares the files that are not segments: the records.
func (v *verifier) compareRecords(m *Manifest, found map[string]fileResult) {
	segments := make(map[string]bool, len(m.Segments))
	for _, s := range m.Segments {
		segments[s.Path] = true
	}
	for _, f := range m.Files {
		if segments[f.Path] {
			continue // compareSegments had it
		}
		got, ok := found[f.Path]
		switch {
		case !ok:
			v.problems.add(KindMissing, f.Path, "file %s is missing from the bundle; the "+
				"manifest lists it with SHA-256 %s (%d bytes)", f.Path, f.SHA256, f.Size)
		case got.sum != f.SHA256 || got.size != f.Size:
			v.problems.add(KindChanged, f.Path, "file %s was changed: expected SHA-256 %s "+
				"(%d bytes), actual %s (%d bytes)", f.Path, f.SHA256, f.Size, got.sum, got.size)
		}
	}
}

func isDirectory(f *zip.File) bool {
	return strings.HasSuffix(f.Name, "/") && f.UncompressedSize64 == 0
}

// hashEntry streams one file of the archive through SHA-256. A CRC-32
// that does not match is not an error here: the SHA-256 comparison says
// more about the same bytes.
func hashEntry(f *zip.File) (fileResult, error) {
	rc, err := f.Open()
	if err != nil {
		return fileResult{}, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if errors.Is(err, zip.ErrChecksum) {
		err = nil
	}
	return fileResult{size: n, sum: hex.EncodeToString(h.Sum(nil))}, err
}

// readEntry reads a small file of the archive whole, refusing one larger
// than limit. As in hashEntry, a bad CRC-32 is left to the signature.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil && !errors.Is(err, zip.ErrChecksum) {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return buf.Bytes(), nil
}
