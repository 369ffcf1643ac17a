# shellcheck shell=bash
# PostgreSQL helpers for tools/dev: create, start, check and stop a private cluster.
# PostgreSQL refuses to run as root, so when we are root its tools run as the 'postgres' user
# (created by the Debian package); otherwise as the invoking user.

PG_BIN=${CHATTER_PG_BIN:-/usr/lib/postgresql/15/bin}

# as_pg_owner CMD...: runs CMD as the user that owns our clusters. Starts in / because the
# postgres user may not be allowed into the caller's working directory.
as_pg_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_owned_dir DIR: creates DIR (mode 700) owned by the cluster owner.
pg_owned_dir() {
  mkdir -p "$1"
  chmod 700 "$1"
  if is_root; then chown postgres:postgres "$1"; fi
}

# pg_owned_file FILE: creates FILE (if needed) writable by the cluster owner, e.g. pg_ctl's log.
pg_owned_file() {
  touch "$1"
  chmod 600 "$1"
  if is_root; then chown postgres:postgres "$1"; fi
}

# pg_check_reachable DIR: as root, the postgres user must be able to reach DIR.
pg_check_reachable() {
  is_root || return 0
  if ! (cd / && runuser -u postgres -- test -x "$1"); then
    die "PostgreSQL runs as user 'postgres', which cannot enter ${1}." \
      "Make its parent directories world-searchable (chmod o+x) or move the checkout."
  fi
}

# pg_check_socket_path SOCKDIR: Unix socket paths are limited to 107 bytes.
pg_check_socket_path() {
  local path="$1/.s.PGSQL.65535"
  ((${#path} <= 107)) || die "socket path ${path} is longer than 107 bytes; use a shorter checkout path"
}

# pg_init_cluster DATA SOCKDIR MODE: initdb with superuser 'postgres'. MODE is
#   durable    - the `up` cluster: trust on our Unix socket only, scram-sha-256 over TCP
#   throwaway  - the `test` cluster: trust everywhere, fsync off (fast, lost on a crash: fine)
# Builds in DATA.new and renames it at the end, so an interrupted run never leaves a cluster
# without our settings behind.
pg_init_cluster() {
  local data=$1 sock=$2 mode=$3 tmp="$1.new"
  [[ -x $PG_BIN/initdb ]] || die "PostgreSQL not found in ${PG_BIN} (set CHATTER_PG_BIN)"
  rm -rf "$tmp"
  pg_owned_dir "$tmp"
  pg_owned_dir "$sock"
  as_pg_owner "$PG_BIN/initdb" -D "$tmp" -U postgres --auth=trust --encoding=UTF8 --no-locale \
    --no-instructions >/dev/null
  # Appending/truncating keeps the files' owner (postgres when we are root).
  cat >>"$tmp/postgresql.conf" <<EOF

# ---- tools/dev (${mode}) ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '${sock}'
unix_socket_permissions = 0700
password_encryption = scram-sha-256
EOF
  if [[ $mode == throwaway ]]; then
    cat >>"$tmp/postgresql.conf" <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    cat >"$tmp/pg_hba.conf" <<EOF
# tools/dev throwaway test cluster: trust, loopback only.
local all all trust
host  all all 127.0.0.1/32 trust
EOF
  else
    cat >"$tmp/pg_hba.conf" <<EOF
# tools/dev cluster: the Unix socket (mode 0700, owner only) trusts; TCP needs a password.
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
EOF
  fi
  mv "$tmp" "$data"
}

pg_is_running() { [[ -f $1/PG_VERSION ]] && as_pg_owner "$PG_BIN/pg_ctl" status -D "$1" >/dev/null 2>&1; }
pg_is_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 1; }

# pg_postmaster_pid DATA / pg_running_port DATA: pid and port from postmaster.pid (lines 1, 4).
pg_postmaster_pid() { read_pid_file "$1/postmaster.pid"; }
pg_running_port() { sed -n 4p "$1/postmaster.pid" 2>/dev/null || true; }

# pg_start DATA PORT LOGFILE: starts the cluster and waits (bounded) until it accepts connections.
pg_start() {
  local data=$1 port=$2 logfile=$3
  pg_owned_file "$logfile"
  as_pg_owner "$PG_BIN/pg_ctl" start -D "$data" -l "$logfile" -w -t 60 -o "-p ${port}" >/dev/null ||
    {
      tail -n 20 "$logfile" >&2
      die "PostgreSQL did not start (log: ${logfile})"
    }
  wait_until 30 pg_is_ready "$port" || die "PostgreSQL on port ${port} not ready after 30s (log: ${logfile})"
}

# pg_stop DATA MODE: MODE fast (clean) or immediate (throwaway). Harmless when not running.
pg_stop() {
  local data=$1 mode=${2:-fast}
  pg_is_running "$data" || return 0
  as_pg_owner "$PG_BIN/pg_ctl" stop -D "$data" -m "$mode" -w -t 60 >/dev/null
}

# pg_superuser_sql SOCKDIR PORT: runs the SQL on stdin as superuser over the Unix socket.
pg_superuser_sql() {
  as_pg_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U postgres -d postgres
}

# pg_service_db_sql ROLE PASSWORD: SQL that creates (or updates) a login role and a database of
# the same name owned by it, which no other role may connect to. Idempotent.
pg_service_db_sql() {
  local role=$1 password=$2
  cat <<EOF
SELECT format('CREATE ROLE %I', '${role}')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') \gexec
ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}';
SELECT format('CREATE DATABASE %I OWNER %I', '${role}', '${role}')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${role}') \gexec
REVOKE ALL ON DATABASE ${role} FROM PUBLIC;
EOF
}
