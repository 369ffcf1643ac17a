# shellcheck shell=bash
# Containers with podman on a machine that reaches Debian's mirror but no container registry:
# the packages, the settings that work here (tools/containers/containers.conf), and a local
# debian:12-slim base made with debootstrap from the mirror apt uses. Needs common.sh and ROOT
# (the repository root) from tools/dev.
# shellcheck disable=SC2153

CONTAINER_PACKAGES=(podman buildah runc conmon catatonit uidmap slirp4netns fuse-overlayfs netavark
  aardvark-dns containernetworking-plugins iptables debootstrap podman-compose)
# The FROM of deploy/docker/Dockerfile; podman finds it as localhost/debian:12-slim.
BASE_IMAGE=debian:12-slim

# ensure_podman: installs podman and friends and points podman at the project's settings.
ensure_podman() {
  ensure_packages "${CONTAINER_PACKAGES[@]}"
  export CONTAINERS_CONF="$ROOT/tools/containers/containers.conf"
}

# debian_mirror: the first Debian mirror apt is configured with (deb822 or one-line sources).
debian_mirror() {
  local mirror
  mirror=$(grep -hoE '^URIs:[[:space:]]*[^[:space:]]+' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '{print $2; exit}')
  if [[ -z $mirror ]]; then
    mirror=$(grep -hoE '^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $NF; exit}')
  fi
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

# ensure_base_image: makes localhost/debian:12-slim (Debian 12 minbase, apt's mirror) when
# podman has no such image. About 25-90 s, once per machine.
ensure_base_image() {
  if podman image exists "$BASE_IMAGE"; then
    return 0
  fi
  local mirror root started=$SECONDS
  mirror=$(debian_mirror)
  root=$(mktemp -d)
  log "making the ${BASE_IMAGE} base image with debootstrap from ${mirror}"
  as_root debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
    die "debootstrap failed (log: $root.log)"
  # What an image does not need: downloaded packages and package lists.
  as_root rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  as_root tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "localhost/$BASE_IMAGE" >/dev/null
  as_root rm -rf "$root" "$root.log"
  log "made ${BASE_IMAGE} in $((SECONDS - started)) s"
}

# image_size NAME: the image's size as podman reports it.
image_size() { podman image inspect --format '{{.Size}}' "$1" | numfmt --to=iec --suffix=B; }

# ensure_standin_images: localhost/chatter-postgres:15 and localhost/chatter-redis:7, the
# stand-ins for Docker Hub's postgres and redis images (deploy/docker/standins/), when missing.
STANDIN_POSTGRES_IMAGE=localhost/chatter-postgres:15
STANDIN_REDIS_IMAGE=localhost/chatter-redis:7
ensure_standin_images() {
  local dir=$ROOT/deploy/docker/standins image file
  for image in "$STANDIN_POSTGRES_IMAGE:postgres" "$STANDIN_REDIS_IMAGE:redis"; do
    file=${image##*:}
    image=${image%:*}
    podman image exists "$image" && continue
    log "building ${image} (stand-in, ${dir#"$ROOT"/}/${file}.Dockerfile)"
    local started=$SECONDS
    podman build --pull=never --format docker -f "$dir/$file.Dockerfile" -t "$image" "$dir" \
      >"$LOG_DIR/image-$file.log" 2>&1 || die "building ${image} failed (log: $LOG_DIR/image-$file.log)"
    log "image ${image}: $(image_size "$image"), built in $((SECONDS - started)) s"
  done
}
