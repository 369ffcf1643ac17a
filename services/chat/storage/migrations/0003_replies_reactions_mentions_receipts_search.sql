-- chat-svc: replies, reactions, mentions, delivery receipts and full-text search (API.md,
-- "Replies, reactions, mentions, receipts, search").

-- Replies point at a message of the same room. reply_count is counted when read, through this
-- partial index (most messages are no reply, so it stays small and sends without reply_to never
-- touch it). A deleted reply drops its reply_to: a deleted message keeps none of them.
ALTER TABLE messages ADD COLUMN reply_to uuid;
CREATE INDEX messages_reply_idx ON messages (reply_to, seq) WHERE reply_to IS NOT NULL;

-- Mentioned users (current room members when sent or edited), in order of appearance, for
-- display; message_mentions indexes the same facts per user for unread_mentions.
ALTER TABLE messages ADD COLUMN mentions uuid[] NOT NULL DEFAULT '{}';
CREATE TABLE message_mentions (
  user_id uuid   NOT NULL,
  room_id uuid   NOT NULL,
  seq     bigint NOT NULL,
  PRIMARY KEY (user_id, room_id, seq),
  FOREIGN KEY (room_id, seq) REFERENCES messages (room_id, seq) ON DELETE CASCADE
);

-- One row per (message, emoji, user): adding twice is a no-op, and concurrent reactors each
-- insert their own row, so counts are exact without counters to keep in step.
CREATE TABLE message_reactions (
  message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji      text        NOT NULL CHECK (char_length(emoji) BETWEEN 1 AND 16),
  user_id    uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, emoji, user_id)
);

-- Delivery receipts. Reading implies delivery, so the read marker never passes this one.
ALTER TABLE room_members ADD COLUMN delivered_seq bigint NOT NULL DEFAULT 0;
UPDATE room_members SET delivered_seq = last_read_seq;
ALTER TABLE room_members
  ADD CONSTRAINT room_members_read_le_delivered CHECK (last_read_seq <= delivered_seq);

-- Full-text search: English stemming; a deleted message's content is '' and so has no lexemes.
-- The index leads with room_id (btree_gin, a trusted extension shipped with PostgreSQL), so a
-- search intersects "one of the caller's rooms" with the words inside the index instead of
-- fetching every match in every room and filtering afterwards.
ALTER TABLE messages ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX messages_search_idx ON messages USING gin (room_id, search_vector);
