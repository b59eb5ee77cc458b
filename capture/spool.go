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
	records []pendingSegment       // segments with a record, each to be stored
	pending map[string]spooledFile // segment files with a record, by path
	// pendingBytes is the size of the files in pending.
	pendingBytes int64
	// asideCount and asideBytes are the segments set aside as unstorable:
	// kept for inspection, no longer pending, so not counted in the bound.
	asideCount int
	asideBytes int64
	strays     []string // files no record names: a segment cut off by a crash, temporaries
}

// scanSpool lists the spool and reads each segment's record, once. It
// does not read the segments, so that a start does not wait for them to
// be hashed (checkSpooled does that).
func scanSpool(dir string) (spoolContents, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return spoolContents{}, fmt.Errorf("scan spool: %w", err)
	}
	c := spoolContents{pending: map[string]spooledFile{}}
	var aside map[string]bool
	c.records, aside = readRecords(dir, entries)
	tracks := make(map[string]int64, len(c.records)) // of the files that have a record
	for _, p := range c.records {
		tracks[p.path] = p.record.TrackID
	}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || strings.HasSuffix(name, recordSuffix) ||
			strings.HasSuffix(name, unstorableSuffix) || strings.HasSuffix(name, ".json.tmp") {
			continue
		}
		var size int64
		if info, err := e.Info(); err == nil {
			size = info.Size()
		}
		trackID, recorded := tracks[path]
		switch {
		case recorded:
			c.pending[path] = spooledFile{size: size, trackID: trackID}
			c.pendingBytes += size
		case aside[path]:
			c.asideCount++
			c.asideBytes += size
		default:
			c.strays = append(c.strays, path)
		}
	}
	return c, nil
}

// readRecords reads the segment records among a spool's entries, and
// names the segment files set aside as unstorable.
func readRecords(dir string, entries []os.DirEntry) ([]pendingSegment, map[string]bool) {
	var records []pendingSegment
	aside := map[string]bool{}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		switch {
		case !e.Type().IsRegular():
		case strings.HasSuffix(name, recordSuffix):
			records = append(records, readRecord(strings.TrimSuffix(path, recordSuffix)))
		case strings.HasSuffix(name, unstorableSuffix):
			aside[strings.TrimSuffix(path, unstorableSuffix)] = true
		}
	}
	return records, aside
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

// pendingSegment is a spooled segment found at start-up: the record
// beside its file and the segment it describes, or why the record could
// not be read (an error matching os.ErrNotExist when it is gone).
type pendingSegment struct {
	path   string // of the segment file
	record spoolRecord
	seg    Segment
	err    error
}

// readRecord reads the record of the segment file at path.
func readRecord(path string) pendingSegment {
	p := pendingSegment{path: path}
	b, err := os.ReadFile(path + recordSuffix)
	if err != nil {
		p.err = err
		return p
	}
	if err := json.Unmarshal(b, &p.record); err != nil {
		p.err = fmt.Errorf("spool record %s: %w", path+recordSuffix, err)
		return p
	}
	p.seg, p.err = p.record.segment(path)
	return p
}

// checkSpooled checks that a pending segment's record was read and that
// its file is intact: present, of the recorded size and SHA-256. Anything
// else is an error to report; nothing is deleted.
func checkSpooled(p pendingSegment) error {
	if p.err != nil {
		return p.err
	}
	f, err := os.Open(p.path)
	if err != nil {
		return fmt.Errorf("spooled segment of %s: %w", p.record.Key, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("read spooled segment %s: %w", p.path, err)
	}
	if n != p.seg.Size || !equalSum(h.Sum(nil), p.seg.SHA256) {
		return fmt.Errorf("spooled segment %s does not match its record "+
			"(%d bytes, want %d): left in the spool for inspection", p.path, n, p.seg.Size)
	}
	return nil
}

func equalSum(b []byte, sum [32]byte) bool {
	return len(b) == len(sum) && string(b) == string(sum[:])
}
