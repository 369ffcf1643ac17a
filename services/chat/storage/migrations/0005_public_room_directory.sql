-- chat-svc: the public room directory (GET /v1/rooms/public) pages through public group rooms
-- newest first by id (UUIDv7). A partial index holds only those rooms, so a page is a short
-- backward scan that never touches private or direct rooms; the name filter is applied to the
-- rows scanned (a trigram index would be the next step if the directory grows large).
CREATE INDEX rooms_public_idx ON rooms (id) WHERE kind = 'group' AND visibility = 'public';
