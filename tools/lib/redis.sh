# shellcheck shell=bash
# Redis helpers for tools/dev: start a private daemonized redis-server, ping it, stop it.

# redis_start PORT DIR PIDFILE LOGFILE [CONF] -- EXTRA_ARGS...: starts redis-server on 127.0.0.1
# and waits (bounded) for PONG. CONF (optional) is a config file read first, e.g. holding
# `requirepass` so the password never appears on a command line.
redis_start() {
  local port=$1 dir=$2 pidfile=$3 logfile=$4 conf=()
  shift 4
  if [[ ${1:-} != -- ]]; then
    conf=("$1")
    shift
  fi
  shift # --
  mkdir -p "$dir"
  redis-server "${conf[@]}" --port "$port" --bind 127.0.0.1 --daemonize yes \
    --pidfile "$pidfile" --logfile "$logfile" --dir "$dir" "$@" ||
    die "redis-server failed to start (log: ${logfile})"
  wait_until 30 redis_is_ready "$port" || {
    tail -n 20 "$logfile" >&2 || true
    die "Redis on port ${port} did not answer PING within 30s (log: ${logfile})"
  }
}

# redis_is_ready PORT: PING answers PONG. Uses $REDIS_PASSWORD if set (via REDISCLI_AUTH, so
# the password is not on the command line).
redis_is_ready() {
  local reply
  if [[ -n ${REDIS_PASSWORD:-} ]]; then
    reply=$(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) || return 1
  else
    reply=$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) || return 1
  fi
  [[ $reply == PONG ]]
}

# redis_words PORT: what our redis-server's command line shows ("redis-server 127.0.0.1:PORT").
redis_words() {
  printf '%s\n' redis-server
  if [[ -n ${1:-} ]]; then printf '%s\n' "127.0.0.1:$1"; fi
}

# redis_pid PIDFILE PORT: the pid of *our* redis-server on PORT (nothing if not running).
redis_pid() {
  local pid words
  pid=$(read_pid_file "$1")
  mapfile -t words < <(redis_words "${2:-}")
  if [[ -n $pid ]] && pid_matches "$pid" "${words[@]}"; then
    printf '%s\n' "$pid"
  fi
}

# redis_stop PIDFILE PORT: SIGTERM (Redis saves if persistence is on), bounded wait.
redis_stop() {
  local pid words
  pid=$(redis_pid "$1" "${2:-}")
  mapfile -t words < <(redis_words "${2:-}")
  if [[ -n $pid ]]; then
    terminate "$pid" 30 "${words[@]}"
  fi
  rm -f "$1"
}
