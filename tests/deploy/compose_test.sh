#!/usr/bin/env bash
# The whole stack in containers (issue 14): `tools/dev compose-up --prebuilt` runs
# deploy/compose/compose.yaml with podman-compose (PostgreSQL, Redis, three services, gateway),
# then loadgen signs users up, creates and joins rooms, and sends and receives over WebSockets
# while the gateway container is restarted (SIGTERM, drain with 1012, start again). Every
# session must come back and resume with since_seq, with no message lost or delivered twice.
# Exits 77 (ctest: skipped, with the reason printed) where podman cannot run containers.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
LOADGEN=${CHATTER_BUILD_DIR:?}/tools/loadgen/loadgen
export CONTAINERS_CONF=$ROOT/tools/containers/containers.conf
export CHATTER_COMPOSE_PROJECT=chatter-deploy-test-$$
export CHATTER_RATE_LIMIT_ENABLED=false # 8 sign-ups from one address within seconds
CHATTER_COMPOSE_HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CHATTER_COMPOSE_HTTP_PORT
GATEWAY_CONTAINER=${CHATTER_COMPOSE_PROJECT}_gateway_1

fail() {
  echo "FAIL: $*" >&2
  podman logs "$GATEWAY_CONTAINER" 2>/dev/null | grep -v '"level":"info"' | tail -10 >&2 || true
  exit 1
}
cleanup() { "$ROOT/tools/dev" compose-down -v >/dev/null 2>&1 || true; }

if ! command -v podman >/dev/null 2>&1 || ! command -v podman-compose >/dev/null 2>&1; then
  echo "SKIPPED: podman or podman-compose is not installed (tools/dev test installs them on Debian)" >&2
  exit 77
fi
if ! podman info >/dev/null 2>&1; then
  echo "SKIPPED: podman cannot run here: $(podman info 2>&1 | tail -1)" >&2
  exit 77
fi

trap cleanup EXIT
"$ROOT/tools/dev" compose-up --prebuilt || fail "tools/dev compose-up --prebuilt"

# A new podman network's DNS (aardvark-dns) can stall lookups for seconds after it starts; chat-svc
# and auth-svc resolve "postgres" per new connection. Wait (up to 60 s) until chat-svc's lookups
# answer promptly five times in a row, so loadgen measures the stack, not the network's warm-up.
CHAT_CONTAINER=${CHATTER_COMPOSE_PROJECT}_chat-svc_1
prompt=0
for _ in $(seq 120); do
  if timeout 1 podman exec "$CHAT_CONTAINER" getent hosts postgres >/dev/null 2>&1; then
    prompt=$((prompt + 1))
    ((prompt >= 5)) && break
  else
    prompt=0
  fi
  sleep 0.5
done

rm -f loadgen.log # The restarter below reads it: no line of an earlier run.
# The restart comes 10 s into the sending, however long the sign-ups took (a new podman
# network's DNS can stall them for seconds): a restart during set-up would cut no session.
(
  for _ in $(seq 1200); do
    grep -q "WebSockets ready" loadgen.log 2>/dev/null && break
    sleep 0.1
  done
  sleep 10
  podman restart -t 30 "$GATEWAY_CONTAINER" >/dev/null 2>&1
) &
restarter=$!
"$LOADGEN" --url="http://127.0.0.1:${CHATTER_COMPOSE_HTTP_PORT}" --users=8 --rooms=2 \
  --sessions_per_user=3 --rate=20 --duration=25 --drain=20 --json >loadgen.log 2>&1 ||
  fail "loadgen: $(grep -v '^{' loadgen.log | tail -15)"
wait "$restarter" || fail "podman restart ${GATEWAY_CONTAINER}"
grep -v '^{' loadgen.log | tail -14

python3 - loadgen.log <<'PY' || fail "loadgen's figures (above)"
import json, sys
report = next(json.loads(line) for line in open(sys.argv[1]) if line.startswith("{"))
c = report["connections"]
checks = {
    "every session was cut off by the restart with 1012": c["interruptions"].get("1012") == 24,
    "no session closed for good": c["unexpected_closes"] == 0,
    "every session resumed with since_seq": c["resumed"] == 24,
    "every message delivered to every member": report["completeness_percent"] == 100.0,
    "no message delivered twice": report["duplicates"] == 0,
    "every send acked": report["acked"] == report["sent"] > 0,
}
for name, ok in checks.items():
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(checks.values()) else 1)
PY
echo "PASS: the stack in containers kept every message across a gateway container restart"
