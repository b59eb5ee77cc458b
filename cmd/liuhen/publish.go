package main

import (
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/internal/publish"
)

func newPublishCommand() *cobra.Command {
	var opts publish.Options
	cmd := &cobra.Command{
		Use:   "publish --token T [--video F.ivf] [--audio F.ogg] WHIP-URL",
		Short: "Publish VP8 (IVF) or H.264 (Annex B) and Opus (Ogg) files over WHIP, paced in real time",
		Long: `publish is a WHIP client for recorded media: it streams VP8 from an IVF file and
Opus from an Ogg file (one packet per page) in real time, then ends the
session with DELETE. Make such files with FFmpeg:

  ffmpeg -i IN -c:v libvpx -g 30 -b:v 1M video.ivf
  ffmpeg -i IN -c:a libopus -ar 48000 -page_duration 20000 audio.ogg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := url.Parse(args[0])
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return usagef("WHIP URL %q: give http(s)://HOST/whip/MEETING", args[0])
			}
			if opts.VideoIVF == "" && opts.VideoH264 == "" && opts.AudioOgg == "" {
				return usagef("give --video or --h264, --audio, or both")
			}
			if opts.VideoIVF != "" && opts.VideoH264 != "" {
				return usagef("give --video or --h264, not both")
			}
			for _, f := range []string{opts.VideoIVF, opts.VideoH264, opts.AudioOgg} {
				if _, err := os.Stat(f); f != "" && err != nil {
					return usagef("%v", err)
				}
			}
			if opts.Token == "" {
				opts.Token = os.Getenv("LIUHEN_ADMIN_TOKEN")
			}
			opts.Endpoint = u.String()
			res, err := publish.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d video and %d audio frames; session %s ended\n",
				res.VideoFrames, res.AudioFrames, res.Location)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Token, "token", "", "publish token (default: LIUHEN_ADMIN_TOKEN)")
	f.StringVar(&opts.VideoIVF, "video", "", "VP8 video in an IVF file")
	f.StringVar(&opts.VideoH264, "h264", "", "H.264 video in an Annex B file, instead of --video")
	f.IntVar(&opts.VideoFPS, "fps", 30, "frame rate of the --h264 file")
	f.StringVar(&opts.AudioOgg, "audio", "", "Opus audio in an Ogg file")
	f.DurationVar(&opts.Duration, "duration", 0, "stop after this long (default: when the files end)")
	return cmd
}
