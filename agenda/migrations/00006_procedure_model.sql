-- +goose Up

-- The full procedure-list model: members and who sits on which body when,
-- the rules a matter's procedure list states, attendance, recusals, votes
-- and the order of statements, and decisions as an office registers them.

-- Two more kinds: the county party standing committee and the presidium of
-- a people's congress, which decide in place of the whole body.
ALTER TABLE meeting_bodies DROP CONSTRAINT meeting_bodies_kind_check;
ALTER TABLE meeting_bodies ADD CONSTRAINT meeting_bodies_kind_check CHECK (kind IN (
    'party_congress', 'party_committee', 'party_standing_committee',
    'peoples_congress', 'peoples_congress_presidium', 'government_executive',
    'party_group', 'village_two_committees', 'villager_representatives',
    'joint_party_government'));
ALTER TABLE matters DROP CONSTRAINT matters_required_body_kind_check;
ALTER TABLE matters ADD CONSTRAINT matters_required_body_kind_check CHECK (required_body_kind IN (
    'party_congress', 'party_committee', 'party_standing_committee',
    'peoples_congress', 'peoples_congress_presidium', 'government_executive',
    'party_group', 'village_two_committees', 'villager_representatives',
    'joint_party_government'));

-- A person who sits on meeting bodies. code is the office's own identifier
-- (an employee number, or one the import makes up from name and unit).
CREATE TABLE members (
    id          bigserial PRIMARY KEY,
    org_unit_id bigint NOT NULL REFERENCES org_units (id),
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    title       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A seat on a body for a span of days: served_to NULL means still serving.
-- The members who should attend a meeting are those whose span holds the
-- meeting's day. role 'leader' is the one who states a view last.
CREATE TABLE body_members (
    id          bigserial PRIMARY KEY,
    body_id     bigint NOT NULL REFERENCES meeting_bodies (id),
    member_id   bigint NOT NULL REFERENCES members (id),
    role        text NOT NULL DEFAULT 'member' CHECK (role IN ('leader', 'deputy', 'member')),
    served_from date NOT NULL,
    served_to   date,
    UNIQUE (body_id, member_id, served_from),
    CHECK (served_to IS NULL OR served_to >= served_from)
);
CREATE INDEX body_members_member_idx ON body_members (member_id);

-- The rules of a matter. required_body_kinds lists every kind that must
-- take the matter up, in order (for a village: two committees, then the
-- villagers' representatives); required_body_kind stays the one whose
-- meeting decides, which is the last of them.
ALTER TABLE matters
    ADD COLUMN major_class text NOT NULL DEFAULT 'none' CHECK (major_class IN (
        'major_decision', 'cadre', 'major_project', 'large_funds', 'none')),
    ADD COLUMN required_body_kinds text[] NOT NULL DEFAULT '{}',
    -- What is summed against amount_threshold: each decision alone, or all
    -- decisions of one project or one payee within split_window_days.
    ADD COLUMN amount_basis text NOT NULL DEFAULT 'single' CHECK (amount_basis IN (
        'single', 'project', 'payee')),
    ADD COLUMN split_window_days integer NOT NULL DEFAULT 90 CHECK (split_window_days > 0),
    ADD COLUMN quorum_rule text NOT NULL DEFAULT 'more_than_half' CHECK (quorum_rule IN (
        'more_than_half', 'two_thirds')),
    ADD COLUMN vote_rule text NOT NULL DEFAULT 'more_than_half' CHECK (vote_rule IN (
        'more_than_half', 'two_thirds')),
    ADD COLUMN leader_speaks_last boolean NOT NULL DEFAULT false,
    ADD COLUMN recusal_applies boolean NOT NULL DEFAULT false;
UPDATE matters SET required_body_kinds = ARRAY[required_body_kind]
    WHERE required_body_kind IS NOT NULL;
ALTER TABLE matters ADD CONSTRAINT matters_body_kinds_check CHECK (
    (required_body_kind IS NULL AND cardinality(required_body_kinds) = 0)
    OR required_body_kinds[cardinality(required_body_kinds)] = required_body_kind);

-- mode 'circulation' is a decision passed round for signature (传签), which
-- is not a meeting whatever the body. code is the office's identifier, by
-- which an import finds the meeting again.
ALTER TABLE meetings
    ADD COLUMN code text UNIQUE,
    ADD COLUMN planned_end timestamptz,
    ADD COLUMN mode text NOT NULL DEFAULT 'meeting' CHECK (mode IN ('meeting', 'circulation')),
    ADD COLUMN chair_member_id bigint REFERENCES members (id),
    ADD COLUMN minutes_written_at timestamptz,
    ADD CONSTRAINT meetings_planned_span_check CHECK (planned_end IS NULL OR planned_end >= planned_start);

CREATE TABLE meeting_attendance (
    meeting_id     bigint NOT NULL REFERENCES meetings (id),
    member_id      bigint NOT NULL REFERENCES members (id),
    status         text NOT NULL CHECK (status IN ('present', 'absent')),
    absence_reason text NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendance_member_idx ON meeting_attendance (member_id);

-- Votes are counts as the minutes give them; NULL when not kept.
ALTER TABLE agenda_items
    ADD COLUMN presenter text NOT NULL DEFAULT '',
    ADD COLUMN outcome text CHECK (outcome IN ('approved', 'rejected', 'deferred')),
    ADD COLUMN votes_for integer CHECK (votes_for >= 0),
    ADD COLUMN votes_against integer CHECK (votes_against >= 0),
    ADD COLUMN votes_abstain integer CHECK (votes_abstain >= 0);
CREATE INDEX agenda_items_matter_idx ON agenda_items (matter_id);

-- A member who had to leave the room for an item. took_part true means the
-- minutes show the member stayed, spoke or voted.
CREATE TABLE recusals (
    agenda_item_id bigint NOT NULL REFERENCES agenda_items (id),
    member_id      bigint NOT NULL REFERENCES members (id),
    reason         text NOT NULL DEFAULT '',
    took_part      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (agenda_item_id, member_id)
);

-- The order in which members stated their views on an item, where the
-- minutes keep it.
CREATE TABLE statements (
    agenda_item_id bigint NOT NULL REFERENCES agenda_items (id),
    seq            integer NOT NULL CHECK (seq > 0),
    member_id      bigint NOT NULL REFERENCES members (id),
    position       text NOT NULL DEFAULT '' CHECK (position IN ('', 'for', 'against', 'abstain')),
    PRIMARY KEY (agenda_item_id, seq)
);

-- Decisions as registered: reference is the source system's number, unique
-- within a unit when given, which is what an import upserts by.
ALTER TABLE decisions
    ADD COLUMN payee text NOT NULL DEFAULT '',
    ADD COLUMN project text NOT NULL DEFAULT '',
    ADD COLUMN registered_at timestamptz,
    ADD COLUMN contract_at timestamptz,
    ADD COLUMN paid_at timestamptz;
CREATE UNIQUE INDEX decisions_reference_idx ON decisions (org_unit_id, reference)
    WHERE reference <> '';
CREATE INDEX decisions_unit_idx ON decisions (org_unit_id, decided_at);
CREATE INDEX org_units_parent_idx ON org_units (parent_id);

-- +goose Down
DROP INDEX org_units_parent_idx, decisions_unit_idx, decisions_reference_idx,
    agenda_items_matter_idx, meeting_attendance_member_idx, body_members_member_idx;
ALTER TABLE decisions DROP COLUMN payee, DROP COLUMN project, DROP COLUMN registered_at,
    DROP COLUMN contract_at, DROP COLUMN paid_at;
DROP TABLE statements, recusals, meeting_attendance;
ALTER TABLE agenda_items DROP COLUMN presenter, DROP COLUMN outcome, DROP COLUMN votes_for,
    DROP COLUMN votes_against, DROP COLUMN votes_abstain;
ALTER TABLE meetings DROP CONSTRAINT meetings_planned_span_check, DROP COLUMN code,
    DROP COLUMN planned_end, DROP COLUMN mode, DROP COLUMN chair_member_id,
    DROP COLUMN minutes_written_at;
ALTER TABLE matters DROP CONSTRAINT matters_body_kinds_check, DROP COLUMN major_class,
    DROP COLUMN required_body_kinds, DROP COLUMN amount_basis, DROP COLUMN split_window_days,
    DROP COLUMN quorum_rule, DROP COLUMN vote_rule, DROP COLUMN leader_speaks_last,
    DROP COLUMN recusal_applies;
DROP TABLE body_members, members;
ALTER TABLE matters DROP CONSTRAINT matters_required_body_kind_check;
ALTER TABLE matters ADD CONSTRAINT matters_required_body_kind_check CHECK (required_body_kind IN (
    'party_congress', 'party_committee', 'peoples_congress',
    'government_executive', 'party_group', 'village_two_committees',
    'villager_representatives', 'joint_party_government'));
ALTER TABLE meeting_bodies DROP CONSTRAINT meeting_bodies_kind_check;
ALTER TABLE meeting_bodies ADD CONSTRAINT meeting_bodies_kind_check CHECK (kind IN (
    'party_congress', 'party_committee', 'peoples_congress',
    'government_executive', 'party_group', 'village_two_committees',
    'villager_representatives', 'joint_party_government'));
