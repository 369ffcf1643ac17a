-- chat-svc: rooms, membership, ordered message history, contacts, blocks and reports.
CREATE TABLE rooms (
  id           uuid        PRIMARY KEY,
  kind         text        NOT NULL CHECK (kind IN ('group', 'direct')),
  name         text        NOT NULL,
  visibility   text        NOT NULL CHECK (visibility IN ('public', 'private')),
  created_by   uuid        NOT NULL,
  -- Direct rooms: "<smaller user id>:<larger user id>", so concurrent opens converge on one row.
  direct_key   text,
  -- Highest seq handed out; bumped in the inserting transaction, so seq is gap-free per room.
  last_seq     bigint      NOT NULL DEFAULT 0,
  member_count integer     NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rooms_direct_key_iff_direct CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
);
CREATE UNIQUE INDEX rooms_direct_key_key ON rooms (direct_key) WHERE direct_key IS NOT NULL;

CREATE TABLE room_members (
  room_id       uuid        NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id       uuid        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at     timestamptz NOT NULL DEFAULT now(),
  last_read_seq bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user_idx ON room_members (user_id);

-- Keyed by (room_id, seq): history pages are index range scans in either direction.
CREATE TABLE messages (
  room_id       uuid        NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  seq           bigint      NOT NULL,
  id            uuid        NOT NULL,
  sender_id     uuid        NOT NULL,
  content       text        NOT NULL,
  attachments   jsonb       NOT NULL DEFAULT '[]'::jsonb,
  client_msg_id text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  edited        boolean     NOT NULL DEFAULT false,
  deleted       boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (room_id, seq)
);
CREATE UNIQUE INDEX messages_id_key ON messages (id);
-- Idempotent sends: one message per (room, sender, client_msg_id).
CREATE UNIQUE INDEX messages_client_msg_key ON messages (room_id, sender_id, client_msg_id)
  WHERE client_msg_id IS NOT NULL;

CREATE TABLE contacts (
  owner_id   uuid        NOT NULL,
  contact_id uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, contact_id),
  CONSTRAINT contacts_not_self CHECK (owner_id <> contact_id)
);

CREATE TABLE blocks (
  blocker_id uuid        NOT NULL,
  blocked_id uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);

-- Reports wait here for moderators.
CREATE TABLE reports (
  id          uuid        PRIMARY KEY,
  reporter_id uuid        NOT NULL,
  reported_id uuid        NOT NULL,
  reason      text        NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
  status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_open_idx ON reports (created_at) WHERE status = 'open';
