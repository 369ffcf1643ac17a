-- Test fixture for the migrator: a table referring to 0001's, plus an index.
CREATE TABLE messages (
  id bigint PRIMARY KEY,
  room_id bigint NOT NULL REFERENCES rooms (id),
  body text NOT NULL CHECK (length(body) > 0)
);
CREATE INDEX messages_room_id_idx ON messages (room_id);
