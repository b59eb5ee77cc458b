package verify

// coverToleranceMS is how far apart two segments may lie in media time and
// still count as one covered stretch. A segment's media_end_ms may stop at
// its last frame's timestamp, leaving a frame-sized hole before the next
// segment; a removed segment leaves a hole of at least a keyframe interval.
const coverToleranceMS = 1000

// gapToleranceMS is the longest gap in a segment's media (segment_gaps: lost
// packets, a network blackout) that still counts as covered. A listener
// bridges a dropped syllable; past three seconds whole words are gone, and
// the stretch is not on record.
const gapToleranceMS = 3000

// minRecordedShare is the least share of a meeting's span (started_at to
// ended_at) that the stored segments of its closed recordings must cover.
// Under it the recording is "much shorter than the meeting": half the
// meeting or more happened off the record.
const minRecordedShare = 0.5

// noRecordingSQL finds linked decisions whose meeting has no finished
// recording with a stored segment, with how many recordings it has and how
// many of them are still recording or were interrupted.
const noRecordingSQL = `
SELECT l.id, l.meeting_id, l.item_id, h.recordings, h.live, h.interrupted
FROM linked l
JOIN held h ON h.meeting_id = l.meeting_id
WHERE l.must_record AND h.stored = 0`

// shortRecordingSQL finds meetings with a start and an end and a finished
// recording with segments (else noRecordingSQL reports them) whose closed
// recordings' segments, on the wall clock and within the meeting's span,
// cover less than the share $1 of that span.
const shortRecordingSQL = `
WITH spans AS (
    SELECT DISTINCT l.meeting_id, tstzrange(l.started_at, l.ended_at) AS span
    FROM linked l
    WHERE l.must_record AND l.ended_at > l.started_at
      AND l.meeting_id IN (SELECT meeting_id FROM held WHERE stored > 0)
),
covered AS (
    SELECT p.meeting_id, p.span,
           coalesce((SELECT sum(extract(epoch FROM upper(w) - lower(w)))
                     FROM unnest(wl.wall) AS w), 0) AS secs
    FROM spans p
    LEFT JOIN LATERAL (
        SELECT range_agg(c.wall * multirange(p.span)) AS wall
        FROM cover c
        WHERE c.meeting_id = p.meeting_id AND c.state <> 'recording'
    ) wl ON true
)
SELECT l.id, l.meeting_id, l.item_id, lower(c.span), upper(c.span), c.secs::float8,
       extract(epoch FROM upper(c.span) - lower(c.span))::float8
FROM linked l
JOIN covered c ON c.meeting_id = l.meeting_id
WHERE c.secs < $1::float8 * extract(epoch FROM upper(c.span) - lower(c.span))
ORDER BY l.id`

const interruptedSQL = `
SELECT l.id, l.meeting_id, l.item_id, r.id, r.started_at, r.ended_at
FROM linked l
JOIN recordings r ON r.meeting_id = l.meeting_id AND r.state = 'interrupted'
WHERE l.must_record
ORDER BY l.id, r.id`

// coverTableSQL materialises, for the recordings of the meetings in linked
// and those that index points of linked items refer to, what their
// segments cover: raw, the union of the segments' ranges on the
// recording's timeline ($1 = coverToleranceMS joins neighbours); net, the
// same without the gaps longer than $2 (gapToleranceMS) that each track
// recorded, so that a gap in one track that another track covers is no
// loss; and wall, the union of the segments' spans on the wall clock. A
// recording without segments has no row. Each recording and each track is
// aggregated on its own (LATERAL): a run over the whole database groups
// millions of segments, which a hash aggregate spills to disk.
const coverTableSQL = `
CREATE TEMP TABLE cover ON COMMIT DROP AS
WITH recs AS (
    SELECT r.id, r.meeting_id, r.state FROM recordings r
    WHERE r.meeting_id IN (SELECT meeting_id FROM linked)
       OR r.id IN (SELECT ip.recording_id FROM index_points ip
                   WHERE ip.agenda_item_id IN (SELECT item_id FROM linked))
),
track_gaps AS MATERIALIZED (
    SELECT sg.track_id, range_agg(int8range(g.start_ms, g.end_ms)) AS gaps
    FROM segment_gaps g
    JOIN segments sg ON sg.id = g.segment_id
    JOIN tracks t ON t.id = sg.track_id
    WHERE g.end_ms - g.start_ms > $2::bigint AND t.recording_id IN (SELECT id FROM recs)
    GROUP BY sg.track_id
)
SELECT r.id AS recording_id, r.meeting_id, r.state, c.raw, c.net, c.wall
FROM recs r
CROSS JOIN LATERAL (
    SELECT range_agg(pt.media) AS raw, range_agg(pt.media - coalesce(tg.gaps, '{}')) AS net,
           range_agg(pt.wall) AS wall
    FROM tracks t
    CROSS JOIN LATERAL (
        SELECT range_agg(int8range(sg.media_start_ms, sg.media_end_ms + $1::bigint)) AS media,
               range_agg(tstzrange(sg.wall_start, sg.wall_end)) AS wall
        FROM segments sg
        WHERE sg.track_id = t.id
    ) pt
    LEFT JOIN track_gaps tg ON tg.track_id = t.id
    WHERE t.recording_id = r.id AND pt.media IS NOT NULL
) c
WHERE c.raw IS NOT NULL`

// longGapsCTE lists the gaps longer than $1 (gapToleranceMS) that the
// tracks of the recordings in cover recorded, with their recording and
// segment key.
const longGapsCTE = `
WITH long_gaps AS (
    SELECT t.recording_id, sg.track_id, sg.object_key, g.kind,
           int8range(g.start_ms, g.end_ms) AS gap
    FROM segment_gaps g
    JOIN segments sg ON sg.id = g.segment_id
    JOIN tracks t ON t.id = sg.track_id
    WHERE g.end_ms - g.start_ms > $1::bigint
      AND t.recording_id IN (SELECT recording_id FROM cover)
)`

// gapsSQL finds, per linked decision and closed recording of its meeting,
// each stretch longer than $1 that some track recorded as a gap and no
// track covers, with the kinds of media lost and the segments whose gaps
// make it up.
const gapsSQL = longGapsCTE + `,
lost AS (
    SELECT rg.recording_id, lower(x) AS from_ms, upper(x) AS to_ms
    FROM (SELECT recording_id, range_agg(gap) AS gaps FROM long_gaps
          GROUP BY recording_id) rg
    JOIN cover c ON c.recording_id = rg.recording_id
    CROSS JOIN LATERAL unnest(rg.gaps - c.net) AS x
    WHERE upper(x) - lower(x) > $1::bigint
),
lost_detail AS (
    SELECT lo.recording_id, lo.from_ms, lo.to_ms,
           array_agg(DISTINCT lg.kind ORDER BY lg.kind) AS kinds,
           array_agg(DISTINCT lg.object_key ORDER BY lg.object_key) AS keys
    FROM lost lo
    JOIN long_gaps lg ON lg.recording_id = lo.recording_id
        AND lg.gap && int8range(lo.from_ms, lo.to_ms)
    GROUP BY lo.recording_id, lo.from_ms, lo.to_ms
)
SELECT l.id, l.meeting_id, l.item_id, d.recording_id, d.from_ms, d.to_ms, d.kinds, d.keys
FROM linked l
JOIN recordings r ON r.meeting_id = l.meeting_id AND r.state <> 'recording'
JOIN lost_detail d ON d.recording_id = r.id
WHERE l.must_record
ORDER BY l.id, d.recording_id, d.from_ms`

// itemNotCoveredSQL skips meetings without any recording: NO_RECORDING
// already says all there is to say about them. An index point is covered
// when its stretch lies inside its recording's net cover; when only the
// raw cover holds it, its stretch falls in a gap, and the query says where
// (the lost part's bounds) and in which segments (gap_keys). $1 is
// gapToleranceMS.
const itemNotCoveredSQL = longGapsCTE + `,
bad AS (
    SELECT l.id, l.meeting_id, l.item_id, l.item_seq, l.item_title, ip.id AS point_id,
           ip.recording_id, ip.start_ms, ip.end_ms, r.meeting_id AS rec_meeting,
           c.raw, c.net, int8range(ip.start_ms, coalesce(ip.end_ms, ip.start_ms), '[]')
               AS stretch
    FROM linked l
    LEFT JOIN index_points ip ON ip.agenda_item_id = l.item_id
    LEFT JOIN recordings r ON r.id = ip.recording_id
    LEFT JOIN cover c ON c.recording_id = ip.recording_id
    WHERE l.must_record
      AND l.meeting_id IN (SELECT meeting_id FROM held WHERE recordings > 0)
      AND (ip.id IS NULL
           OR r.meeting_id <> l.meeting_id
           OR c.net IS NULL
           OR NOT c.net @> int8range(ip.start_ms, coalesce(ip.end_ms, ip.start_ms), '[]'))
),
gap_keys AS (
    SELECT b.point_id, array_agg(DISTINCT lg.object_key ORDER BY lg.object_key) AS keys
    FROM bad b
    JOIN long_gaps lg ON lg.recording_id = b.recording_id AND lg.gap && b.stretch
    WHERE b.raw @> b.stretch
    GROUP BY b.point_id
)
SELECT b.id, b.meeting_id, b.item_id, b.item_seq, b.item_title, b.point_id, b.recording_id,
       b.start_ms, b.end_ms, b.rec_meeting, b.raw IS NOT NULL,
       coalesce(b.raw @> b.stretch, false),
       lower(int8multirange(b.stretch) - coalesce(b.net, '{}')),
       upper(int8multirange(b.stretch) - coalesce(b.net, '{}')), gk.keys
FROM bad b
LEFT JOIN gap_keys gk ON gk.point_id = b.point_id
ORDER BY b.id, b.point_id`

// evidenceSQL pairs each linked decision with the closed recordings of its
// meeting: those whose segments RECORDING_TAMPERED checks. Recordings still
// in state 'recording' are left out: their segments may still be on the way
// from the spool, and NO_RECORDING covers them until they close.
const evidenceSQL = `
SELECT l.id, l.meeting_id, l.item_id, r.id
FROM linked l
JOIN recordings r ON r.meeting_id = l.meeting_id AND r.state <> 'recording'
ORDER BY l.id, r.id`

// seqGapsSQL finds, per track of the recordings in $1, each run of missing
// seq numbers: from the previous seq + 1 (or 0) to this seq - 1, and, for
// a track that knows how many segments its session wrote, the run missing
// at the end.
const seqGapsSQL = `
SELECT recording_id, track_id, session_id, gap_from, gap_to FROM (
    SELECT t.recording_id, t.id AS track_id, t.session_id,
           coalesce(lag(sg.seq) OVER w, -1) + 1 AS gap_from, sg.seq - 1 AS gap_to
    FROM segments sg
    JOIN tracks t ON t.id = sg.track_id
    WHERE t.recording_id = ANY($1::bigint[])
    WINDOW w AS (PARTITION BY sg.track_id ORDER BY sg.seq)
    UNION ALL
    SELECT t.recording_id, t.id, t.session_id,
           coalesce((SELECT max(sg.seq) FROM segments sg WHERE sg.track_id = t.id), -1) + 1,
           t.segments_written - 1
    FROM tracks t
    WHERE t.recording_id = ANY($1::bigint[]) AND t.segments_written IS NOT NULL
) g
WHERE gap_from <= gap_to
ORDER BY recording_id, track_id, gap_from`

// segmentsSQL lists the segments of the recordings in $1.
const segmentsSQL = `
SELECT t.recording_id, sg.track_id, sg.seq, sg.object_key, sg.size_bytes, sg.sha256
FROM segments sg
JOIN tracks t ON t.id = sg.track_id
WHERE t.recording_id = ANY($1::bigint[])
ORDER BY t.recording_id, sg.track_id, sg.seq`
