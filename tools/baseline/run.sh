#!/usr/bin/env bash
# Runs the load generator against the Node.js baseline (tools/baseline/server.mjs), the way
# `tools/dev bench` runs it against the stack: starts the server on the dev stack's PostgreSQL
# (Unix socket .run/sock, port from .run/ports.env, superuser postgres), waits until it answers,
# runs build/tools/loadgen/loadgen --url=... --watch=node=PID,postgres=POSTMASTER:tree "$@",
# stops the server and exits with loadgen's status.
#
# usage: tools/baseline/run.sh [loadgen flags, e.g. --rate=200 --duration=20]
# env:   BASELINE_PORT (8090), BASELINE_POOL (20 PostgreSQL connections),
#        CHATTER_BUILD_DIR (build), BASELINE_PG_URL (default: the dev cluster, database
#        chatter_baseline)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
BUILD_DIR=${CHATTER_BUILD_DIR:-$ROOT/build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$PWD/$BUILD_DIR
LOADGEN=$BUILD_DIR/tools/loadgen/loadgen
PORT=${BASELINE_PORT:-8090}
POOL=${BASELINE_POOL:-20}
PG_DATA=$ROOT/.run/pg/data
PG_SOCK=$ROOT/.run/sock
PORTS_FILE=$ROOT/.run/ports.env

die() {
  printf 'baseline: %s\n' "$*" >&2
  exit 1
}

[[ -x $LOADGEN ]] || die "$LOADGEN is missing; build with tools/dev up first"
command -v node >/dev/null || die "node is not installed (Node 20 or newer)"
[[ -f $PORTS_FILE ]] || die "$PORTS_FILE is missing; start the stack with tools/dev up"
PG_PORT=$(sed -n 's/^PG_PORT=\([0-9][0-9]*\)$/\1/p' "$PORTS_FILE")
[[ -n $PG_PORT ]] || die "no PG_PORT in $PORTS_FILE"
POSTMASTER=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
if [[ ! $POSTMASTER =~ ^[0-9]+$ ]] || ! kill -0 "$POSTMASTER" 2>/dev/null; then
  die "PostgreSQL is not running ($PG_DATA); start the stack with tools/dev up"
fi
PG_URL=${BASELINE_PG_URL:-postgresql://postgres@/chatter_baseline?host=${PG_SOCK}&port=${PG_PORT}}

# node_modules from the lock file, when missing or older than it.
if [[ ! -d $HERE/node_modules || $HERE/package-lock.json -nt $HERE/node_modules ]]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$HERE/node_modules"
fi

if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${PORT}/"; then
  die "something already listens on 127.0.0.1:${PORT} (set BASELINE_PORT)"
fi

LOG=$(mktemp -t chatter-baseline.XXXXXX.log)
node "$HERE/server.mjs" --port="$PORT" --pool="$POOL" --pg="$PG_URL" >"$LOG" 2>&1 &
SERVER=$!

stop_server() {
  kill -0 "$SERVER" 2>/dev/null || return 0
  kill -TERM "$SERVER" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap stop_server EXIT

for attempt in $(seq 100); do
  if ! kill -0 "$SERVER" 2>/dev/null; then
    cat "$LOG" >&2
    die "the server exited before it answered (log above)"
  fi
  curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:${PORT}/healthz" && break
  ((attempt < 100)) || die "the server did not answer on port ${PORT} within 20 s (log: $LOG)"
  sleep 0.2
done
printf 'baseline: node pid %s on 127.0.0.1:%s, postgres postmaster pid %s (log: %s)\n' \
  "$SERVER" "$PORT" "$POSTMASTER" "$LOG" >&2

rc=0
"$LOADGEN" --url="http://127.0.0.1:${PORT}" --watch="node=${SERVER},postgres=${POSTMASTER}:tree" "$@" ||
  rc=$?
stop_server
if ((rc == 0)); then
  rm -f "$LOG"
else
  printf 'baseline: server log: %s\n' "$LOG" >&2
fi
exit "$rc"
