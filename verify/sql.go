package verify

// coverToleranceMS is how far apart two segments may lie in media time and
// still count as one covered stretch. A segment's media_end_ms may stop at
// its last frame's timestamp, leaving a frame-sized hole before the next
// segment; a removed segment leaves a hole of at least a keyframe interval.
const coverToleranceMS = 1000

// scopeCTE selects the decisions in scope ($1 org unit id or NULL, with its
// sub-units; $2 from or NULL, included; $3 to or NULL, excluded) and, in
// linked, those needing a meeting that are linked to an agenda item, with
// the item's meeting and body. Every rule query starts with it.
const scopeCTE = `
WITH RECURSIVE units AS (
    SELECT id FROM org_units WHERE id = $1::bigint
    UNION
    SELECT o.id FROM org_units o JOIN units u ON o.parent_id = u.id
),
scope AS (
    SELECT d.id, d.title, d.decided_at, d.org_unit_id, d.matter_id,
           d.agenda_item_id, d.amount, m.required_body_kind, m.must_record,
           m.required_body_kind IS NOT NULL
               AND (m.amount_threshold IS NULL OR d.amount IS NULL
                    OR d.amount >= m.amount_threshold) AS needs_meeting
    FROM decisions d
    JOIN matters m ON m.id = d.matter_id
    WHERE ($1::bigint IS NULL OR d.org_unit_id IN (SELECT id FROM units))
      AND ($2::timestamptz IS NULL OR d.decided_at >= $2::timestamptz)
      AND ($3::timestamptz IS NULL OR d.decided_at < $3::timestamptz)
),
linked AS (
    SELECT s.id, s.org_unit_id, s.decided_at, s.required_body_kind, s.must_record,
           ai.id AS item_id, ai.seq AS item_seq, ai.title AS item_title,
           mt.id AS meeting_id, mt.started_at, mt.planned_start,
           b.kind AS body_kind, b.code AS body_code, b.org_unit_id AS body_unit_id
    FROM scope s
    JOIN agenda_items ai ON ai.id = s.agenda_item_id
    JOIN meetings mt ON mt.id = ai.meeting_id
    JOIN meeting_bodies b ON b.id = mt.body_id
    WHERE s.needs_meeting
)
`

const decisionsSQL = `
SELECT s.id, s.title, s.decided_at, u.code, m.code, m.name, s.required_body_kind,
       s.amount::text, m.amount_threshold::text, s.must_record, s.needs_meeting
FROM scope s
JOIN org_units u ON u.id = s.org_unit_id
JOIN matters m ON m.id = s.matter_id
ORDER BY s.decided_at, s.id`

const noMeetingSQL = `
SELECT s.id FROM scope s
WHERE s.needs_meeting AND s.agenda_item_id IS NULL`

const wrongBodySQL = `
SELECT l.id, l.meeting_id, l.item_id, l.body_code, l.body_kind,
       l.body_kind <> l.required_body_kind, l.body_unit_id <> l.org_unit_id,
       bu.code, du.code
FROM linked l
JOIN org_units bu ON bu.id = l.body_unit_id
JOIN org_units du ON du.id = l.org_unit_id
WHERE l.body_kind <> l.required_body_kind OR l.body_unit_id <> l.org_unit_id`

const decidedBeforeSQL = `
SELECT l.id, l.meeting_id, l.item_id, l.decided_at,
       coalesce(l.started_at, l.planned_start), l.started_at IS NOT NULL
FROM linked l
WHERE l.decided_at < coalesce(l.started_at, l.planned_start)`

const noRecordingSQL = `
SELECT l.id, l.meeting_id, l.item_id, count(r.id),
       count(r.id) FILTER (WHERE r.state = 'recording'),
       count(r.id) FILTER (WHERE r.state = 'interrupted')
FROM linked l
LEFT JOIN recordings r ON r.meeting_id = l.meeting_id
WHERE l.must_record
GROUP BY l.id, l.meeting_id, l.item_id
HAVING count(r.id) FILTER (WHERE r.state = 'finished' AND EXISTS (
    SELECT 1 FROM tracks t JOIN segments sg ON sg.track_id = t.id
    WHERE t.recording_id = r.id)) = 0`

const interruptedSQL = `
SELECT l.id, l.meeting_id, l.item_id, r.id, r.started_at, r.ended_at
FROM linked l
JOIN recordings r ON r.meeting_id = l.meeting_id AND r.state = 'interrupted'
WHERE l.must_record
ORDER BY l.id, r.id`

// itemNotCoveredSQL skips meetings without any recording: NO_RECORDING
// already says all there is to say about them. cover holds, per recording,
// the union of its segments' media ranges ($4 = coverToleranceMS).
const itemNotCoveredSQL = `,
cover AS (
    SELECT t.recording_id,
           range_agg(int8range(sg.media_start_ms, sg.media_end_ms + $4::bigint, '[]'))
               AS media
    FROM segments sg
    JOIN tracks t ON t.id = sg.track_id
    WHERE t.recording_id IN (
        SELECT ip.recording_id FROM index_points ip
        WHERE ip.agenda_item_id IN (SELECT item_id FROM linked))
    GROUP BY t.recording_id
)
SELECT l.id, l.meeting_id, l.item_id, l.item_seq, l.item_title,
       ip.id, ip.recording_id, ip.start_ms, ip.end_ms, r.meeting_id,
       c.media IS NOT NULL
FROM linked l
LEFT JOIN index_points ip ON ip.agenda_item_id = l.item_id
LEFT JOIN recordings r ON r.id = ip.recording_id
LEFT JOIN cover c ON c.recording_id = ip.recording_id
WHERE l.must_record
  AND EXISTS (SELECT 1 FROM recordings r2 WHERE r2.meeting_id = l.meeting_id)
  AND (ip.id IS NULL
       OR r.meeting_id <> l.meeting_id
       OR c.media IS NULL
       OR NOT c.media @> int8range(ip.start_ms, coalesce(ip.end_ms, ip.start_ms), '[]'))
ORDER BY l.id, ip.id`

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
