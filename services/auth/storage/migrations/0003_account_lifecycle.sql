-- auth-svc: account deletion and the log of ended logins.
--
-- A deleted account keeps its row as a tombstone (its id stays in other people's history):
-- email and password hash are erased at once, the refresh sessions (with addresses and user
-- agents) are deleted, and the username is held until a sign-up asks for it after the hold
-- period (the sign-up releases it in its own transaction), so nobody can impersonate the
-- deleted user in the conversations they were part of.
ALTER TABLE users
  ALTER COLUMN username DROP NOT NULL,
  ALTER COLUMN email DROP NOT NULL,
  ALTER COLUMN password_hash DROP NOT NULL,
  ADD COLUMN deleted_at timestamptz,
  ADD CONSTRAINT users_deleted_erased
    CHECK (deleted_at IS NULL OR (email IS NULL AND password_hash IS NULL)),
  ADD CONSTRAINT users_live_complete
    CHECK (deleted_at IS NOT NULL OR
           (username IS NOT NULL AND email IS NOT NULL AND password_hash IS NOT NULL));

-- Logins (refresh families, the `sid` of access tokens) that ended while access tokens issued
-- to them may still be unexpired. Verifiers read it by seq and refuse those tokens until
-- `until`. Rows are appended under one advisory lock, so seq order is commit order and a
-- reader's cursor never skips a row that commits late. Rows are purged a day after `until`.
CREATE TABLE revoked_sessions (
  seq         bigserial   PRIMARY KEY,
  session_id  uuid        NOT NULL,
  user_id     uuid        NOT NULL,
  until       timestamptz NOT NULL,
  reason      text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_sessions_until_idx ON revoked_sessions (until);
CREATE INDEX refresh_sessions_user_created_idx ON refresh_sessions (user_id, created_at);
