-- chat-svc: the server API for the platform's own services (ChatAdmin, docs/SERVER_API.md).

-- Who wrote a message. Users' messages are 'user'; the platform posts as 'system' (sender_id is
-- the nil UUID) or 'bot' (the bot's account, or the nil UUID).
ALTER TABLE messages ADD COLUMN sender_kind text NOT NULL DEFAULT 'user'
  CHECK (sender_kind IN ('user', 'system', 'bot'));

-- Idempotency of the server API's writes: one row per (principal, key) for 24 hours. A row
-- without a response is a call in progress (or one whose process died: taken over once stale);
-- a failed call deletes its row, so a retry runs again.
CREATE TABLE admin_requests (
  principal       text        NOT NULL,
  idempotency_key text        NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 128),
  operation       text        NOT NULL,
  request_digest  text        NOT NULL,
  response        text,  -- base64 of the serialized response proto
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, idempotency_key)
);
CREATE INDEX admin_requests_created_idx ON admin_requests (created_at);
