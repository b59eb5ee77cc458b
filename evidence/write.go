package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// archiveComment is the ZIP archive's comment, which unzip -l and most
// archive tools show.
const archiveComment = "Liuhen evidence bundle (" + Format + "). Verify it offline with: " +
	"liuhen verify-bundle FILE --public-key KEY"

// Write writes the bundle of p to w as a ZIP archive: the segments as
// read from the store (stored, not compressed), the records, then
// manifest.json and its signature manifest.sig. Each segment is hashed
// while it is copied; when its bytes are not the catalogued ones, Write
// stops with an error matching ErrSegmentMismatch and leaves the archive
// unfinished (no manifest, no central directory), so what was written is
// no bundle at all. The caller discards it.
func (e *Exporter) Write(ctx context.Context, w io.Writer, p *Plan) error {
	created := e.now().UTC().Truncate(time.Second)
	zw := zip.NewWriter(w)
	if err := zw.SetComment(archiveComment); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	files := make([]FileEntry, 0, len(p.Segments)+len(p.records))
	for _, s := range p.Segments {
		f, err := e.copySegment(ctx, zw, s, created, p.Subject)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	for _, r := range p.records {
		f, err := addFile(zw, r.path, zip.Deflate, bytes.NewReader(r.data), created)
		if err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
		files = append(files, f)
	}
	if err := e.sign(zw, p.manifest(created, files, e.PublicKey()), created); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// copySegment copies one segment from the store into the archive and
// checks its size and SHA-256 against the catalogue.
func (e *Exporter) copySegment(ctx context.Context, zw *zip.Writer, s SegmentEntry,
	created time.Time, subject Subject) (FileEntry, error) {
	rc, err := e.objects.Open(ctx, s.ObjectKey)
	if errors.Is(err, ErrObjectMissing) {
		return FileEntry{}, fmt.Errorf("%s cannot be exported: %w: %s, object %s",
			subject, ErrSegmentMissing, s, s.ObjectKey)
	} else if err != nil {
		return FileEntry{}, fmt.Errorf("read %s: %w", s, err)
	}
	defer rc.Close()
	// One byte more than catalogued is enough to tell a longer object.
	f, err := addFile(zw, s.Path, zip.Store, io.LimitReader(rc, s.Size+1), created)
	if err != nil {
		return FileEntry{}, fmt.Errorf("copy %s: %w", s, err)
	}
	if f.SHA256 != s.SHA256 || f.Size != s.Size {
		return FileEntry{}, fmt.Errorf("%s cannot be exported: %w: %s, object %s: the "+
			"bytes read from the store have SHA-256 %s (%d bytes), but %s (%d bytes) was "+
			"catalogued when it was recorded; the bundle was not written",
			subject, ErrSegmentMismatch, s, s.ObjectKey, f.SHA256, f.Size, s.SHA256, s.Size)
	}
	return f, nil
}

// addFile adds one file to the archive, hashing it on the way.
func addFile(zw *zip.Writer, name string, method uint16, r io.Reader,
	modified time.Time) (FileEntry, error) {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
	if err != nil {
		return FileEntry{}, fmt.Errorf("add %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return FileEntry{}, fmt.Errorf("add %s: %w", name, err)
	}
	return FileEntry{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func (p *Plan) manifest(created time.Time, files []FileEntry, pub ed25519.PublicKey) Manifest {
	m := Manifest{Format: Format, CreatedAt: created, Subject: p.Subject,
		SignerPublicKey: EncodePublicKey(pub), IndexPoints: p.IndexPoints,
		Segments: p.Segments, Files: files}
	root, _ := m.segmentRoot() // the digests came from the catalogue's bytes
	m.MerkleRoot = hex.EncodeToString(root[:])
	return m
}

// sign adds manifest.json and manifest.sig, the 64-byte Ed25519 signature
// (RFC 8032) of manifest.json's bytes exactly as stored.
func (e *Exporter) sign(zw *zip.Writer, m Manifest, created time.Time) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	data = append(data, '\n')
	if _, err := addFile(zw, ManifestName, zip.Deflate, bytes.NewReader(data), created); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	sig := ed25519.Sign(e.key, data)
	if _, err := addFile(zw, SignatureName, zip.Store, bytes.NewReader(sig), created); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// WriteFile writes the bundle of p to path. It writes a temporary file
// beside path and renames it into place only once the bundle is whole, so
// path never holds half a bundle; a file already at path is replaced.
func (e *Exporter) WriteFile(ctx context.Context, path string, p *Plan) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return fmt.Errorf("create bundle %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	bw := bufio.NewWriterSize(tmp, 1<<20)
	err = e.Write(ctx, bw, p)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write bundle %s: %w", path, cerr)
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write bundle %s: %w", path, err)
	}
	return nil
}
