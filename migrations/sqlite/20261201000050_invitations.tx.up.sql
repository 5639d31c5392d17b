-- A person who already has an account is invited to another school rather
-- than added to it: the membership is made when they accept.
CREATE TABLE invitations (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    user_id     text NOT NULL REFERENCES users (id),
    roles       text NOT NULL,
    invited_by  text,
    created_at  timestamp NOT NULL,
    UNIQUE (org_id, user_id)
);
CREATE INDEX invitations_user_idx ON invitations (user_id, id);
