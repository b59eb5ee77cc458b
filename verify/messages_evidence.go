package verify

import (
	"fmt"
	"strings"
)

// trackGaps collects the runs of missing seq numbers of one track.
type trackGaps struct {
	RecordingID, TrackID int64
	SessionID            string
	Ranges               [][2]int64
}

func (g *trackGaps) problem() evidenceProblem {
	var runs []string
	for _, r := range g.Ranges {
		if r[0] == r[1] {
			runs = append(runs, fmt.Sprint(r[0]))
		} else {
			runs = append(runs, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
	}
	return evidenceProblem{
		RecordingID: g.RecordingID,
		Message: fmt.Sprintf("track %d (session %s) of recording %d lacks the segments "+
			"numbered %s: they were removed from the evidence, or never stored",
			g.TrackID, g.SessionID, g.RecordingID, strings.Join(runs, ", ")),
		MessageZH: fmt.Sprintf("录像 %d 的轨道 %d（会话 %s）缺少序号为 %s 的分段："+
			"分段已从证据中被删除，或从未存储", g.RecordingID, g.TrackID, g.SessionID,
			strings.Join(runs, "、")),
	}
}

// msgObjectMissing tells that the objects of the segments from first to
// last, of one track, are missing; first and last are the same segment
// when one is.
func msgObjectMissing(first, last segmentRow) [2]string {
	if first.Seq == last.Seq {
		return [2]string{
			fmt.Sprintf("segment %d of track %d (object %s) is missing from the object "+
				"store: it was removed, or never left the local spool", first.Seq,
				first.TrackID, first.Key),
			fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）在对象存储中缺失：已被删除，或仍未从本地缓存上传",
				first.TrackID, first.Seq, first.Key),
		}
	}
	return [2]string{
		fmt.Sprintf("segments %d to %d of track %d (objects %s to %s) are missing from "+
			"the object store: they were removed, or never left the local spool",
			first.Seq, last.Seq, first.TrackID, first.Key, last.Key),
		fmt.Sprintf("轨道 %d 的第 %d 至 %d 段（对象 %s 至 %s）在对象存储中缺失：已被删除，"+
			"或仍未从本地缓存上传", first.TrackID, first.Seq, last.Seq, first.Key, last.Key),
	}
}

func msgObjectSize(s segmentRow, size int64) [2]string {
	return [2]string{
		fmt.Sprintf("segment %d of track %d (object %s) holds %d bytes, but %d were "+
			"recorded: the object was replaced or truncated", s.Seq, s.TrackID, s.Key,
			size, s.Size),
		fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）大小为 %d 字节，登记为 %d 字节："+
			"对象已被替换或截断", s.TrackID, s.Seq, s.Key, size, s.Size),
	}
}

func msgObjectUnreadable(s segmentRow, err error) [2]string {
	return [2]string{
		fmt.Sprintf("segment %d of track %d (object %s) is stored, but the object store "+
			"cannot read its bytes back: they are damaged where it keeps them (%v)", s.Seq,
			s.TrackID, s.Key, err),
		fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）仍在对象存储中，但其内容无法读回："+
			"存储的数据已损坏（%v）", s.TrackID, s.Seq, s.Key, err),
	}
}

func msgObjectHash(s segmentRow, sum [32]byte) [2]string {
	return [2]string{
		fmt.Sprintf("segment %d of track %d (object %s) no longer hashes to its recorded "+
			"SHA-256 (recorded %x, now %x): the object's bytes were altered", s.Seq,
			s.TrackID, s.Key, s.SHA256, sum),
		fmt.Sprintf("轨道 %d 的第 %d 段（对象 %s）的 SHA-256 与登记值不符（登记 %x，现为 %x）："+
			"对象内容已被篡改", s.TrackID, s.Seq, s.Key, s.SHA256, sum),
	}
}
