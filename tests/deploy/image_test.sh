#!/usr/bin/env bash
# The container image as a platform team runs it (issue 14): built by `tools/dev image
# --prebuilt` from the binaries of this build, it runs as a non-root user, every binary starts on
# a read-only root filesystem, the gateway inside serves /healthz through the image's curl, and a
# SIGTERM (`podman stop`) reaches the process, which drains and exits 0 with "stopped" logged.
# Exits 77 (ctest: skipped, with the reason printed) where podman cannot run containers.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
IMAGE=localhost/chatterstack:test
CONTAINER=chatter-image-test-$$
export CONTAINERS_CONF=$ROOT/tools/containers/containers.conf

fail() {
  echo "FAIL: $*" >&2
  podman logs "$CONTAINER" 2>/dev/null | tail -20 >&2 || true
  exit 1
}
cleanup() { podman rm -f "$CONTAINER" >/dev/null 2>&1 || true; }
trap cleanup EXIT

if ! command -v podman >/dev/null 2>&1; then
  echo "SKIPPED: podman is not installed (tools/dev test installs it on Debian)" >&2
  exit 77
fi
if ! podman info >/dev/null 2>&1; then
  echo "SKIPPED: podman cannot run here: $(podman info 2>&1 | tail -1)" >&2
  exit 77
fi

"$ROOT/tools/dev" image --prebuilt --tag="$IMAGE" >image-build.log 2>&1 ||
  fail "tools/dev image --prebuilt: $(tail -5 image-build.log)"
grep '==> image' image-build.log

uid=$(podman run --rm --read-only --pull=never "$IMAGE" id -u)
[[ $uid == 10001 ]] || fail "the image runs as uid ${uid}, not 10001"

for binary in auth-svc chat-svc realtime-svc gateway; do
  version=$(podman run --rm --read-only --pull=never "$IMAGE" "$binary" --version) ||
    fail "${binary} --version did not run on a read-only root"
  [[ $version == "${binary} "* ]] || fail "${binary} --version printed: ${version}"
done

# No --init: the binary is PID 1, as in an ECS task without initProcessEnabled, and must still
# act on SIGTERM itself.
podman run -d --read-only --pull=never --name "$CONTAINER" \
  -e CHATTER_HTTP_LISTEN=0.0.0.0:8080 -e CHATTER_ADMIN_LISTEN=0.0.0.0:9100 \
  -e CHATTER_SERVICE_CLIENT_SECRET=image-test-secret-0123456789 \
  "$IMAGE" gateway >/dev/null
for _ in $(seq 100); do
  podman logs "$CONTAINER" 2>/dev/null | grep -q '"message":"serving"' && break
  sleep 0.2
done
podman logs "$CONTAINER" | grep -q '"message":"serving"' || fail "the gateway did not start serving"
podman exec "$CONTAINER" curl -fsS -o /dev/null http://127.0.0.1:8080/healthz ||
  fail "/healthz did not answer inside the container"

podman stop -t 30 "$CONTAINER" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$CONTAINER")
[[ $code == 0 ]] || fail "the gateway exited with ${code} after SIGTERM"
logs=$(podman logs "$CONTAINER")
grep -q '"message":"shutting down".*"signal":15' <<<"$logs" || fail "no shutdown on SIGTERM logged"
[[ $(tail -1 <<<"$logs") == *'"message":"stopped"'* ]] || fail "the last line is not \"stopped\""
echo "PASS: non-root, read-only root, /healthz, SIGTERM drained with exit 0"
