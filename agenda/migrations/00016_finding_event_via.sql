-- +goose Up

-- The credential a person's change of a finding was made with. Everyone
-- who administers a server shares its admin token, so a change made with it
-- names the person in actor (given with the change) and 'admin token' here;
-- the verifier's own events have ''. Changes recorded before people gave
-- their names have the actor 'admin', and were made with the admin token.
ALTER TABLE finding_events ADD COLUMN via text NOT NULL DEFAULT '';
UPDATE finding_events SET via = 'admin token' WHERE actor = 'admin';

-- +goose Down
ALTER TABLE finding_events DROP COLUMN via;
