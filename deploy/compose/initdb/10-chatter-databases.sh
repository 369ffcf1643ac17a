#!/bin/bash
# First start of the compose PostgreSQL only (empty volume): one role and one database per
# service, each database closed to every other role. Run by the postgres image's entrypoint.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v auth_pw="$CHATTER_AUTH_DB_PASSWORD" -v chat_pw="$CHATTER_CHAT_DB_PASSWORD" <<'SQL'
CREATE ROLE chatter_auth LOGIN PASSWORD :'auth_pw';
CREATE DATABASE chatter_auth OWNER chatter_auth;
REVOKE ALL ON DATABASE chatter_auth FROM PUBLIC;
CREATE ROLE chatter_chat LOGIN PASSWORD :'chat_pw';
CREATE DATABASE chatter_chat OWNER chatter_chat;
REVOKE ALL ON DATABASE chatter_chat FROM PUBLIC;
SQL
