package capture

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The spool is the directory where the segmenter writes finished segment
// files. Beside each one the archiver writes a record naming where the
// segment belongs, so that a segment not yet stored when the server
// stopped (or crashed) is stored at the next start. Both files are removed
// once the segment is in the evidence store and catalogued.
const recordSuffix = ".record.json"

// spoolRecord is what the catalogue needs of a segment, in JSON.
type spoolRecord struct {
	Key          string    `json:"key"`
	TrackID      int64     `json:"track_id"`
	Seq          int       `json:"seq"`
	Ext          string    `json:"ext"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	MediaStartNs int64     `json:"media_start_ns"`
	MediaEndNs   int64     `json:"media_end_ns"`
	WallStart    time.Time `json:"wall_start"`
	WallEnd      time.Time `json:"wall_end"`
}

func newSpoolRecord(key string, trackID int64, seg Segment) spoolRecord {
	return spoolRecord{
		Key: key, TrackID: trackID, Seq: seg.Seq, Ext: seg.Ext, Size: seg.Size,
		SHA256: hex.EncodeToString(seg.SHA256[:]), MediaStartNs: int64(seg.MediaStart),
		MediaEndNs: int64(seg.MediaEnd), WallStart: seg.WallStart, WallEnd: seg.WallEnd,
	}
}

// segment rebuilds the segment a record describes; the file is the one the
// record was written beside.
func (r spoolRecord) segment(path string) (Segment, error) {
	seg := Segment{
		Seq: r.Seq, Path: path, Ext: r.Ext, Size: r.Size,
		MediaStart: time.Duration(r.MediaStartNs), MediaEnd: time.Duration(r.MediaEndNs),
		WallStart: r.WallStart, WallEnd: r.WallEnd,
	}
	sum, err := hex.DecodeString(r.SHA256)
	if err != nil || len(sum) != sha256.Size {
		return seg, fmt.Errorf("record of %s: sha256 %q is not 64 hex digits", path, r.SHA256)
	}
	copy(seg.SHA256[:], sum)
	return seg, nil
}

// writeRecord writes the record beside the segment file, synced, so that
// it exists whole or not at all.
func writeRecord(seg Segment, rec spoolRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	path := seg.Path + recordSuffix
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write spool record: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write spool record: %w", err)
	}
	return nil
}

// unspool removes a stored segment's file and record.
func unspool(path string) error {
	var errs []error
	for _, p := range []string{path, path + recordSuffix} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pendingSegment is a spooled segment found at start-up.
type pendingSegment struct {
	record spoolRecord
	seg    Segment
}

// readSpool lists the spooled segments whose file is intact: present, of
// the recorded size and SHA-256. Anything else is returned as a problem to
// report; nothing is deleted.
func readSpool(dir string) (pending []pendingSegment, problems []error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+recordSuffix))
	if err != nil {
		return nil, []error{err}
	}
	for _, recPath := range paths {
		p, err := readPending(strings.TrimSuffix(recPath, recordSuffix), recPath)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		pending = append(pending, p)
	}
	return pending, problems
}

func readPending(path, recPath string) (pendingSegment, error) {
	b, err := os.ReadFile(recPath)
	if err != nil {
		return pendingSegment{}, err
	}
	var rec spoolRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return pendingSegment{}, fmt.Errorf("spool record %s: %w", recPath, err)
	}
	seg, err := rec.segment(path)
	if err != nil {
		return pendingSegment{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return pendingSegment{}, fmt.Errorf("spooled segment of %s: %w", rec.Key, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return pendingSegment{}, fmt.Errorf("read spooled segment %s: %w", path, err)
	}
	if n != seg.Size || !equalSum(h.Sum(nil), seg.SHA256) {
		return pendingSegment{}, fmt.Errorf("spooled segment %s does not match its record "+
			"(%d bytes, want %d): left in the spool for inspection", path, n, seg.Size)
	}
	return pendingSegment{record: rec, seg: seg}, nil
}

func equalSum(b []byte, sum [32]byte) bool {
	return len(b) == len(sum) && string(b) == string(sum[:])
}
