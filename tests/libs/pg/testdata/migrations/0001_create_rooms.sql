-- Test fixture for the migrator: a plain table.
CREATE TABLE rooms (
  id bigint PRIMARY KEY,
  name text NOT NULL UNIQUE
);
