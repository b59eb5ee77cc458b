package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

func newRecordingsCommand() *cobra.Command {
	var meeting int64
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "recordings --meeting ID",
		Short: "List a meeting's stored segments, with their hashes and links to watch them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if meeting <= 0 {
				return usagef("--meeting: give the id of a meeting")
			}
			if ttl < time.Second || ttl > storage.MaxPresignTTL {
				return usagef("--link-ttl %v: give a duration from 1s to %v, such as 1h",
					ttl, storage.MaxPresignTTL)
			}
			return withServices(cmd, needObjects, func(_ config, svc services) error {
				return listRecordings(cmd.Context(), svc, meeting, ttl, cmd.OutOrStdout())
			})
		},
	}
	cmd.Flags().Int64Var(&meeting, "meeting", 0, "meeting id")
	cmd.Flags().DurationVar(&ttl, "link-ttl", time.Hour, "how long the printed links work")
	return cmd
}

func listRecordings(ctx context.Context, svc services, meeting int64, ttl time.Duration,
	out io.Writer) error {
	if ok, err := svc.store.MeetingExists(ctx, meeting); err != nil {
		return err
	} else if !ok {
		return usagef("meeting %d does not exist", meeting)
	}
	segs, err := svc.store.MeetingSegments(ctx, meeting)
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		fmt.Fprintf(out, "meeting %d has no stored segments\n", meeting)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORDING\tSTATE\tTRACK\tSEQ\tMEDIA\tGAPS\tBYTES\tSHA-256\tOBJECT")
	for _, g := range segs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s–%s\t%s\t%d\t%s\t%s\n", g.RecordingID,
			g.RecordingState, g.TrackID, g.Seq, msClock(g.MediaStartMs), msClock(g.MediaEndMs),
			gapSummary(g.Gaps), g.Size, g.SHA256, g.ObjectKey)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printLinks(ctx, svc, segs, ttl, out)
}

// printLinks prints a link to each segment, or says that its object is
// missing and goes on; missing objects end the command with status 1.
func printLinks(ctx context.Context, svc services, segs []agenda.StoredSegment,
	ttl time.Duration, out io.Writer) error {
	fmt.Fprintf(out, "\nLinks to watch each segment (valid %v):\n", ttl)
	missing := 0
	for _, g := range segs {
		name := fmt.Sprintf("%d/%d/%06d", g.RecordingID, g.TrackID, g.Seq)
		u, err := svc.objects.PresignGet(ctx, g.ObjectKey, ttl)
		if errors.Is(err, storage.ErrNotFound) {
			missing++
			fmt.Fprintf(out, "%s  MISSING: no object %s in the evidence store\n", name,
				g.ObjectKey)
			continue
		}
		if err != nil {
			return fmt.Errorf("link segment %s: %w", name, err)
		}
		fmt.Fprintf(out, "%s  %s\n", name, u)
	}
	if missing > 0 {
		fmt.Fprintf(out, "\n%d of %d segments are missing from the evidence store; "+
			"`liuhen verify` reports them as %s\n", missing, len(segs),
			verify.CodeRecordingTampered)
		return fmt.Errorf("%w: %d segments missing", errFindings, missing)
	}
	return nil
}

func msClock(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	return fmt.Sprintf("%d:%02d.%d", int(d.Minutes()), int(d.Seconds())%60, (ms%1000)/100)
}

// gapSummary says where a segment lacks media, e.g. "video 0:09.9–0:14.0".
func gapSummary(gaps []agenda.SegmentGap) string {
	if len(gaps) == 0 {
		return "-"
	}
	parts := make([]string, len(gaps))
	for i, g := range gaps {
		kind := "audio"
		if g.Video {
			kind = "video"
		}
		parts[i] = fmt.Sprintf("%s %s–%s", kind, msClock(g.StartMs), msClock(g.EndMs))
	}
	return strings.Join(parts, ", ")
}
