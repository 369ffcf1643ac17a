-- auth-svc: accounts and refresh sessions.
-- Usernames and emails are stored lower-case; uniqueness is the database's job, so two
-- concurrent sign-ups of one name cannot both win.
CREATE TABLE users (
  id            uuid        PRIMARY KEY,
  username      text        NOT NULL,
  email         text        NOT NULL,
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  CONSTRAINT users_email_lower CHECK (email = lower(email))
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- One row per refresh token ever issued. Only a hash of the 256-bit token is kept. A login
-- starts a family; each refresh spends its row (replaced_by) and adds a child in the family.
-- Presenting a spent token revokes the whole family (reuse detection).
CREATE TABLE refresh_sessions (
  id             uuid        PRIMARY KEY,
  family_id      uuid        NOT NULL,
  user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash     bytea       NOT NULL,
  parent_id      uuid        REFERENCES refresh_sessions (id) ON DELETE SET NULL,
  replaced_by    uuid,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_reason text,
  user_agent     text,
  ip             inet,
  CONSTRAINT refresh_sessions_token_hash_len CHECK (octet_length(token_hash) = 32)
);
CREATE UNIQUE INDEX refresh_sessions_token_hash_key ON refresh_sessions (token_hash);
CREATE INDEX refresh_sessions_family_idx ON refresh_sessions (family_id);
CREATE INDEX refresh_sessions_live_user_idx ON refresh_sessions (user_id) WHERE revoked_at IS NULL;
