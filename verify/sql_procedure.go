package verify

// noQuorumSQL finds linked meetings held in mode 'meeting' whose body has
// seats on the meeting's day, and that either recorded no attendance at all
// (kept false) or had fewer of those members present than the matter's
// quorum_rule asks. Members present without a seat do not count.
var noQuorumSQL = `
SELECT l.id, l.meeting_id, l.item_id, l.body_code, l.meeting_day, l.quorum_rule,
       h.should, h.present, h.kept
FROM linked l
JOIN held h ON h.meeting_id = l.meeting_id
WHERE l.mode = 'meeting' AND h.should > 0
  AND (NOT h.kept OR NOT ` + meetsRule("h.present", "h.should", "l.quorum_rule") + `)
ORDER BY l.id`

// voteShortSQL finds linked agenda items whose votes are kept (votes_for
// not NULL) and whose votes for fall short of the matter's vote_rule, of
// the members who should attend or, when the body's seats are not known,
// of the votes cast.
var voteShortSQL = `
SELECT l.id, l.meeting_id, l.item_id, l.item_seq, l.body_code, l.meeting_day, l.vote_rule,
       l.votes_for, coalesce(l.votes_against, 0), coalesce(l.votes_abstain, 0),
       nullif(h.should, 0)
FROM linked l
JOIN held h ON h.meeting_id = l.meeting_id
WHERE l.votes_for IS NOT NULL
  AND NOT ` + meetsRule("l.votes_for", `coalesce(nullif(h.should, 0), l.votes_for
      + coalesce(l.votes_against, 0) + coalesce(l.votes_abstain, 0))`, "l.vote_rule") + `
ORDER BY l.id`

// recusalMissedSQL finds, where the matter's recusal_applies, each member
// recused from the linked item who took part (took_part) or whose view the
// minutes record among the item's statements.
const recusalMissedSQL = `
SELECT id, meeting_id, item_id, item_seq, code, name, reason, took_part, said FROM (
    SELECT l.id, l.meeting_id, l.item_id, l.item_seq, mb.code, mb.name, r.reason,
           r.took_part,
           coalesce((SELECT array_agg(st.seq ORDER BY st.seq) FROM statements st
                     WHERE st.agenda_item_id = l.item_id AND st.member_id = r.member_id),
                    '{}')::integer[] AS said
    FROM linked l
    JOIN recusals r ON r.agenda_item_id = l.item_id
    JOIN members mb ON mb.id = r.member_id
    WHERE l.recusal_applies
) x
WHERE took_part OR cardinality(said) > 0
ORDER BY id, code`

// leaderNotLastSQL finds, where the matter's leader_speaks_last and the
// minutes keep the item's statements, items whose last statement is not the
// body leader's (held.leader_id). Quiet when no leader seat is known,
// or when the attendance shows the leader absent.
const leaderNotLastSQL = `
WITH last_said AS (
    SELECT DISTINCT ON (st.agenda_item_id) st.agenda_item_id, st.seq, st.member_id
    FROM statements st
    WHERE st.agenda_item_id IN (SELECT item_id FROM linked WHERE leader_speaks_last)
    ORDER BY st.agenda_item_id DESC, st.seq DESC
)
SELECT l.id, l.meeting_id, l.item_id, l.item_seq, ls.seq, lm.code, lm.name,
       ld.code, ld.name,
       (SELECT max(st.seq) FROM statements st
        WHERE st.agenda_item_id = l.item_id AND st.member_id = h.leader_id)
FROM linked l
JOIN last_said ls ON ls.agenda_item_id = l.item_id
JOIN members lm ON lm.id = ls.member_id
JOIN held h ON h.meeting_id = l.meeting_id
JOIN members ld ON ld.id = h.leader_id
WHERE l.leader_speaks_last AND ls.member_id <> h.leader_id AND NOT h.leader_absent
ORDER BY l.id`
