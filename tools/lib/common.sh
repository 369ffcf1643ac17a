# shellcheck shell=bash
# Shared helpers for tools/dev: messages, privileges, Debian packages, the build, free ports,
# KEY=VALUE files and "is this pid still the process we started?" checks.
# Sourced by tools/dev; defines functions and constants only.

# Every Debian package the build, the tests and tools/dev need.
# shellcheck disable=SC2034 # used by tools/dev
REQUIRED_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libpqxx-dev libboost-dev libboost-system-dev libspdlog-dev libfmt-dev libsodium-dev
  libhiredis-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql redis-server curl clang-format jq # jq: README.md's example commands
  python3-grpcio python3-protobuf # tools/examples/python (stubs from protoc + grpc_python_plugin)
)

# ---------------------------------------------------------------------------------------------
# Messages

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Privileges

is_root() { [[ $EUID -eq 0 ]]; }

# as_root CMD...: runs CMD as root, through sudo when we are not root. Never prompts in CI or
# without a terminal (sudo -n fails instead of waiting for a password nobody can type).
as_root() {
  if is_root; then
    "$@"
    return
  fi
  command -v sudo >/dev/null 2>&1 || die "root is needed for '$*', and sudo is not installed"
  if [[ -n ${CI:-} || ! -t 0 ]]; then
    sudo -n "$@"
  else
    sudo "$@"
  fi
}

# ---------------------------------------------------------------------------------------------
# Debian packages

# missing_packages PKG...: prints each PKG that is not fully installed (dpkg only, no network).
missing_packages() {
  local pkg state
  for pkg in "$@"; do
    state=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $state == installed ]] || printf '%s\n' "$pkg"
  done
}

# ensure_packages PKG...: installs what is missing. A second run does not touch the network.
ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get"
  log "installing missing packages: ${missing[*]}"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y
    -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
  as_root "${apt[@]}" update
  as_root "${apt[@]}" install --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
}

# ---------------------------------------------------------------------------------------------
# Build

# build_project [TARGET...]: configures and builds everything, or only the targets named.
build_project() {
  local targets=()
  (($#)) && targets=(--target "$@")
  log "building in ${BUILD_DIR}${1:+ (only $*)}"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}"
}

# ---------------------------------------------------------------------------------------------
# Ports

RESERVED_PORTS=" " # ports handed out by this run, so two components never get the same one

# port_in_use PORT: true when something listens on PORT (any local address).
port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1 && [[ -n $(ss -Htln "sport = :${port}" 2>/dev/null) ]]; then
    return 0
  fi
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/${port}" 2>/dev/null
}

# pick_free_port VAR: stores a free loopback port in VAR. Below the kernel's ephemeral range
# (32768+) so outgoing connections do not steal it between picking and binding.
pick_free_port() {
  local var=$1 port attempt
  for ((attempt = 0; attempt < 500; attempt++)); do
    port=$((20000 + RANDOM % 12000))
    [[ $RESERVED_PORTS == *" ${port} "* ]] && continue
    port_in_use "$port" && continue
    RESERVED_PORTS+="${port} "
    printf -v "$var" '%s' "$port"
    return 0
  done
  die "could not find a free port"
}

reserve_port() { RESERVED_PORTS+="$1 "; }

# listen_port HOST:PORT -> PORT;  listen_url_host HOST:PORT -> a host to connect to.
listen_port() { printf '%s\n' "${1##*:}"; }
listen_url_host() {
  local host=${1%:*}
  case $host in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
  printf '%s\n' "$host"
}

# ---------------------------------------------------------------------------------------------
# KEY=VALUE files (ports.env, secrets.env). Read without executing anything.

# load_env_file FILE: sets a shell variable for every KEY=VALUE line.
load_env_file() {
  local file=$1 key value
  [[ -f $file ]] || return 0
  while IFS='=' read -r key value || [[ -n $key ]]; do
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    printf -v "$key" '%s' "$value"
  done <"$file"
}

# write_env_file FILE MODE KEY...: writes KEY=$KEY lines atomically with the given file mode.
write_env_file() {
  local file=$1 mode=$2 key tmp
  shift 2
  tmp=$(mktemp "${file}.XXXXXX")
  chmod "$mode" "$tmp"
  for key in "$@"; do
    printf '%s=%s\n' "$key" "${!key-}" >>"$tmp"
  done
  mv -f "$tmp" "$file"
}

# random_secret: 32 alphanumeric characters (safe inside URLs and SQL literals).
# random_ed25519_seed: 32 random bytes, base64url without padding.
random_ed25519_seed() {
  head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
  printf '\n'
}

random_secret() {
  local s=""
  while ((${#s} < 32)); do
    s+=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  done
  printf '%s\n' "${s:0:32}"
}

# ---------------------------------------------------------------------------------------------
# Processes

# read_pid_file FILE: prints the pid stored in FILE (nothing if absent or garbage).
read_pid_file() {
  local pid=""
  if [[ -f $1 ]]; then read -r pid <"$1" 2>/dev/null || true; fi
  if [[ $pid =~ ^[0-9]+$ ]]; then printf '%s\n' "$pid"; fi
}

# pid_matches PID WORD...: PID is alive (not a zombie) and every WORD is a whole word of its
# command line. Guards against pid reuse: a recycled pid runs some other command.
pid_matches() {
  local pid=$1 cmd word
  shift
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  cmd=" $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) " || return 1
  [[ -n ${cmd// /} ]] || return 1 # zombies have an empty command line
  for word in "$@"; do
    [[ $cmd == *" ${word} "* ]] || return 1
  done
}

# wait_until SECONDS CMD...: retries CMD every 0.2 s until it succeeds; false after SECONDS.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# not CMD...: inverts CMD's status (for wait_until).
not() { ! "$@"; }

# wait_gone_or_kill PID TIMEOUT WORD...: waits up to TIMEOUT seconds for PID (as matched by
# pid_matches) to exit after it was asked to, then SIGKILLs it.
wait_gone_or_kill() {
  local pid=$1 timeout=$2
  shift 2
  wait_until "$timeout" not pid_matches "$pid" "$@" && return 0
  warn "pid ${pid} ($*) still runs ${timeout}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_until 5 not pid_matches "$pid" "$@" || warn "pid ${pid} is still there"
}

# terminate PID TIMEOUT WORD...: SIGTERM, then wait_gone_or_kill. Does nothing unless PID still
# matches WORD... (a recycled pid is never signalled).
terminate() {
  local pid=$1 timeout=$2
  shift 2
  pid_matches "$pid" "$@" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone_or_kill "$pid" "$timeout" "$@"
}

# elapsed SECONDS -> "3m07s"
elapsed() { printf '%dm%02ds\n' $(($1 / 60)) $(($1 % 60)); }
