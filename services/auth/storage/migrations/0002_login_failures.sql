-- auth-svc: failed password logins per account identifier (a SHA-256 of the lower-cased email or
-- username as typed, so identifiers of accounts that do not exist are never stored in clear).
-- One fixed window per key; expired rows are purged a few at a time as failures are recorded.
CREATE TABLE login_failures (
  key_hash     bytea       PRIMARY KEY,
  window_ends  timestamptz NOT NULL,
  failures     integer     NOT NULL CHECK (failures > 0)
);
CREATE INDEX login_failures_window_ends_idx ON login_failures (window_ends);
