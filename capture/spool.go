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
//
// A segment that no retry can store keeps its file, and its record is
// renamed with unstorableSuffix, so that later starts do not retry it; an
// operator inspects it and may rename the record back.
const (
	recordSuffix     = ".record.json"
	unstorableSuffix = ".unstorable.json"
)

// DefaultSpoolMaxBytes bounds the spool when Config.SpoolMaxBytes is 0:
// about 45 minutes of a 6 Mbit/s publisher.
const DefaultSpoolMaxBytes = 2 << 30

// spoolContents is what a start finds in the spool.
type spoolContents struct {
	records []string               // paths of segment records, each to be stored
	pending map[string]spooledFile // segment files with a record, by path
	// asideCount and asideBytes are the segments set aside as unstorable:
	// kept for inspection, no longer pending, so not counted in the bound.
	asideCount int
	asideBytes int64
	strays     []string // files no record names: a segment cut off by a crash, temporaries
}

// scanSpool lists the spool. It reads directory entries and the small
// records, not the segments, so that a start does not wait for them to be
// hashed (readPending does that).
func scanSpool(dir string) (spoolContents, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return spoolContents{}, fmt.Errorf("scan spool: %w", err)
	}
	c := spoolContents{pending: map[string]spooledFile{}}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		names[e.Name()] = true
	}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || strings.HasSuffix(name, unstorableSuffix) ||
			strings.HasSuffix(name, ".json.tmp") {
			continue
		}
		if strings.HasSuffix(name, recordSuffix) {
			c.records = append(c.records, path)
			continue
		}
		var size int64
		if info, err := e.Info(); err == nil {
			size = info.Size()
		}
		switch {
		case names[name+recordSuffix]:
			c.pending[path] = spooledFile{size: size, trackID: recordTrack(path)}
		case names[name+unstorableSuffix]:
			c.asideCount++
			c.asideBytes += size
		default:
			c.strays = append(c.strays, path)
		}
	}
	return c, nil
}

// recordTrack reads the track of a segment's record; 0 when the record
// cannot be read (recovery reports it).
func recordTrack(path string) int64 {
	b, err := os.ReadFile(path + recordSuffix)
	if err != nil {
		return 0
	}
	var rec struct {
		TrackID int64 `json:"track_id"`
	}
	_ = json.Unmarshal(b, &rec)
	return rec.TrackID
}

// setAside renames a segment's record so that no start retries it; the
// segment file stays beside it.
func setAside(path string) error {
	if err := os.Rename(path+recordSuffix, path+unstorableSuffix); err != nil {
		return fmt.Errorf("set aside spool record: %w", err)
	}
	return nil
}

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
	Gaps         []Gap     `json:"gaps,omitempty"`
}

func newSpoolRecord(key string, trackID int64, seg Segment) spoolRecord {
	return spoolRecord{
		Key: key, TrackID: trackID, Seq: seg.Seq, Ext: seg.Ext, Size: seg.Size,
		SHA256: hex.EncodeToString(seg.SHA256[:]), MediaStartNs: int64(seg.MediaStart),
		MediaEndNs: int64(seg.MediaEnd), WallStart: seg.WallStart, WallEnd: seg.WallEnd,
		Gaps: seg.Gaps,
	}
}

// segment rebuilds the segment a record describes; the file is the one the
// record was written beside.
func (r spoolRecord) segment(path string) (Segment, error) {
	seg := Segment{
		Seq: r.Seq, Path: path, Ext: r.Ext, Size: r.Size,
		MediaStart: time.Duration(r.MediaStartNs), MediaEnd: time.Duration(r.MediaEndNs),
		WallStart: r.WallStart, WallEnd: r.WallEnd, Gaps: r.Gaps,
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

// readPending reads a segment record and checks that the segment file is
// intact: present, of the recorded size and SHA-256. Anything else is an
// error to report; nothing is deleted.
func readPending(recPath string) (pendingSegment, error) {
	path := strings.TrimSuffix(recPath, recordSuffix)
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
