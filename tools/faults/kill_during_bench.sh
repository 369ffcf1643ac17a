#!/usr/bin/env bash
# One fault run against the stack of `tools/dev up` (start it with
# CHATTER_RATE_LIMIT_ENABLED=false): `tools/dev bench` at 200 msg/s for 30 s; about 15 s into
# sending, VICTIM is killed with SIGKILL and brought back 2 s later by `tools/dev up --no-build`.
# The gateway instead gets SIGTERM (a rolling restart: it closes every session with 1012 and
# exits) and is started again as soon as it is gone; loadgen's sessions reconnect and resume.
# Prints loadgen's verdict: sends refused, completeness of the acked messages, order violations,
# resync_required, sessions cut off and how soon all were back, and the latency maximum
# (seconds when the kill fell into the send window).
#
#   tools/faults/kill_during_bench.sh chat-svc|realtime-svc|redis|postgres|gateway
#
# The kill comes 15 s after loadgen says it started sending (setup and connecting come first).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "${root}"
victim="${1:-}"
case "${victim}" in
  chat-svc | realtime-svc | redis | gateway) pid_of() { cat ".run/pids/${victim}.pid"; } ;;
  postgres) pid_of() { head -1 .run/pg/data/postmaster.pid; } ;;
  *) echo "usage: $0 chat-svc|realtime-svc|redis|postgres|gateway" >&2; exit 2 ;;
esac
report="$(mktemp)"
trap 'rm -f "${report}"' EXIT
tools/dev bench --rate=200 --duration=30 > "${report}" 2>&1 &
bench=$!
until grep -q "ready; sending" "${report}"; do
  kill -0 "${bench}" 2> /dev/null || { cat "${report}"; exit 1; }
  sleep 1
done
sleep 15
pid="$(pid_of)"
if [[ ${victim} == gateway ]]; then
  echo "stopping the gateway (pid ${pid}, SIGTERM) at $(date +%T)"
  kill -TERM "${pid}"
  while kill -0 "${pid}" 2> /dev/null; do sleep 0.05; done
else
  echo "killing ${victim} (pid ${pid}) at $(date +%T)"
  kill -9 "${pid}"
  sleep 2
fi
CHATTER_RATE_LIMIT_ENABLED=false tools/dev up --no-build > /dev/null 2>&1
echo "restarted at $(date +%T)"
wait "${bench}" || true
grep -E "sent |send errors |cut off |completeness|deliveries |other |latency ms|errors  " "${report}"
