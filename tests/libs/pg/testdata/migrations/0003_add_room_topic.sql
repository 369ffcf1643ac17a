-- Test fixture for the migrator: altering an existing table, not repeatable without error.
ALTER TABLE rooms ADD COLUMN topic text NOT NULL DEFAULT '';
