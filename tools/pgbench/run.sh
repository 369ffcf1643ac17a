#!/usr/bin/env bash
# PostgreSQL CPU per stored message for the send statements, measured with pgbench against the
# database of `tools/dev up` (one client; the CPU of every postgres process, reaped backends
# included, over the run). Needs one group room and one member of it:
#
#   tools/pgbench/run.sh ROOM_ID MEMBER_ID
#
# send_one.sql has the shape of chat-svc's single-send statement for a message that mentions
# nobody (messages_insert_plain); send_ten_in_tx.sql runs it ten times in one transaction;
# send_batch10.sql stores ten messages with one statement, the shape of messages_insert_batch
# for a group room (without its JSON input and client_msg_id checks). Figures of 2026-12-06 on
# the 2-core dev box: 298, 172 and 80 us per message. These are back-to-back runs. Paced as
# under load, each costs more: chat-svc's statement with mentions took 453 us back to back and
# 738 us at 200 per second (pgbench -R 200), the price of a commit and a wake-up per message
# that only batching removes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
room="$1"; member="$2"
# shellcheck disable=SC1091
source "${root}/.run/ports.env"
socket="${root}/.run/sock"
pgbench=/usr/lib/postgresql/15/bin/pgbench
work="$(mktemp -d)"; trap 'rm -rf "${work}"' EXIT
(echo "BEGIN;"; for _ in $(seq 10); do cat "${here}/send_one.sql"; done; echo "COMMIT;") \
  > "${work}/send_ten_in_tx.sql"

cpu_ticks() {  # utime+stime (+ reaped children) of every postgres process, in clock ticks
  local total=0 ticks
  for pid in $(pgrep postgres); do
    ticks=$(awk '{print $14+$15+$16+$17}' "/proc/${pid}/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "${total}"
}

measure() {  # script, messages per transaction, transactions
  local before after
  before=$(cpu_ticks)
  "${pgbench}" -h "${socket}" -p "${PG_PORT}" -U postgres -n -M prepared -c 1 -t "$3" -f "$1" \
    -D room="${room}" -D sender="${member}" chatter_chat > /dev/null
  after=$(cpu_ticks)
  local hz; hz=$(getconf CLK_TCK)
  echo "$(basename "$1"): $(( (after - before) * 1000000 / hz / ($2 * $3) )) us of PostgreSQL CPU per message"
}

measure "${here}/send_one.sql" 1 5000
measure "${work}/send_ten_in_tx.sql" 10 500
measure "${here}/send_batch10.sql" 10 500
