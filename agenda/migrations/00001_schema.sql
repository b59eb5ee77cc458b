-- +goose Up

-- Org units form a hierarchy: a county holds townships and departments,
-- a township holds villages.
CREATE TABLE org_units (
    id         bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL,
    level      text NOT NULL CHECK (level IN ('county', 'township', 'department', 'village')),
    parent_id  bigint REFERENCES org_units (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A meeting body belongs to one unit and is of one kind; the procedure
-- list names kinds, not bodies.
CREATE TABLE meeting_bodies (
    id          bigserial PRIMARY KEY,
    org_unit_id bigint NOT NULL REFERENCES org_units (id),
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN (
        'party_congress', 'party_committee', 'peoples_congress',
        'government_executive', 'party_group', 'village_two_committees',
        'villager_representatives', 'joint_party_government')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A matter of the procedure list. required_body_kind NULL means the matter
-- needs no meeting; amount_threshold NULL means every decision of the
-- matter needs one, otherwise only those at or over the threshold.
CREATE TABLE matters (
    id                 bigserial PRIMARY KEY,
    org_unit_id        bigint NOT NULL REFERENCES org_units (id),
    code               text NOT NULL UNIQUE,
    name               text NOT NULL,
    category           text NOT NULL CHECK (category IN ('decision', 'implementation', 'execution', 'other')),
    required_body_kind text CHECK (required_body_kind IN (
        'party_congress', 'party_committee', 'peoples_congress',
        'government_executive', 'party_group', 'village_two_committees',
        'villager_representatives', 'joint_party_government')),
    amount_threshold   numeric(18, 2) CHECK (amount_threshold >= 0),
    must_record        boolean NOT NULL DEFAULT true,
    legal_basis        text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meetings (
    id            bigserial PRIMARY KEY,
    body_id       bigint NOT NULL REFERENCES meeting_bodies (id),
    title         text NOT NULL,
    planned_start timestamptz NOT NULL,
    started_at    timestamptz,
    ended_at      timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at)
);

CREATE TABLE agenda_items (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    seq        integer NOT NULL CHECK (seq > 0),
    title      text NOT NULL,
    matter_id  bigint REFERENCES matters (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (meeting_id, seq)
);

CREATE TABLE decisions (
    id             bigserial PRIMARY KEY,
    org_unit_id    bigint NOT NULL REFERENCES org_units (id),
    matter_id      bigint NOT NULL REFERENCES matters (id),
    title          text NOT NULL,
    amount         numeric(18, 2) CHECK (amount >= 0),
    decided_at     timestamptz NOT NULL,
    agenda_item_id bigint REFERENCES agenda_items (id),
    reference      text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_matter_idx ON decisions (matter_id);
CREATE INDEX decisions_agenda_item_idx ON decisions (agenda_item_id);

-- One recording per continuous capture of a meeting. Every publisher of the
-- meeting adds a track to the recording that is open when it connects.
-- started_at is the wall-clock instant of media time zero.
CREATE TABLE recordings (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    state      text NOT NULL CHECK (state IN ('recording', 'finished', 'interrupted')),
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- At most one open recording per meeting.
CREATE UNIQUE INDEX recordings_open_idx ON recordings (meeting_id) WHERE state = 'recording';

-- A track is one publisher's stream within a recording: its segments hold
-- that publisher's audio and video together.
CREATE TABLE tracks (
    id           bigserial PRIMARY KEY,
    recording_id bigint NOT NULL REFERENCES recordings (id),
    session_id   text NOT NULL UNIQUE,
    audio_codec  text NOT NULL DEFAULT '',
    video_codec  text NOT NULL DEFAULT '',
    state        text NOT NULL CHECK (state IN ('recording', 'finished', 'interrupted')),
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz
);

CREATE TABLE segments (
    id             bigserial PRIMARY KEY,
    track_id       bigint NOT NULL REFERENCES tracks (id),
    seq            integer NOT NULL CHECK (seq >= 0),
    object_key     text NOT NULL UNIQUE,
    sha256         bytea NOT NULL CHECK (length(sha256) = 32),
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    media_start_ms bigint NOT NULL,
    media_end_ms   bigint NOT NULL,
    wall_start     timestamptz NOT NULL,
    wall_end       timestamptz NOT NULL,
    stored_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (track_id, seq),
    CHECK (media_end_ms >= media_start_ms)
);

-- An index point ties a stretch of a recording to the agenda item discussed
-- in it. end_ms stays NULL while the item is still being discussed.
CREATE TABLE index_points (
    id             bigserial PRIMARY KEY,
    agenda_item_id bigint NOT NULL REFERENCES agenda_items (id),
    recording_id   bigint NOT NULL REFERENCES recordings (id),
    start_ms       bigint NOT NULL CHECK (start_ms >= 0),
    end_ms         bigint CHECK (end_ms IS NULL OR end_ms >= start_ms),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX index_points_item_idx ON index_points (agenda_item_id);

-- Publish tokens let one meeting room publish and mark items of one meeting.
-- Only the SHA-256 of a token is kept.
CREATE TABLE publish_tokens (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE publish_tokens, index_points, segments, tracks, recordings,
    decisions, agenda_items, meetings, matters, meeting_bodies, org_units;
