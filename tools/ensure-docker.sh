#!/usr/bin/env bash
# What `npm run test:compose` needs before its first test: a Docker engine that answers, Compose,
# and the base images that infra/Dockerfile and docker-compose.yml name.
#   - docker.io, docker-compose (Debian's Compose v1) and debootstrap from apt when missing;
#   - dockerd started in the background when no engine answers (log: /var/log/hivebase-dockerd.log).
#     Works as is on this project's machines: overlay2 storage, cgroup v1, as root. Where overlay2
#     fails, set HB_DOCKERD_ARGS='--storage-driver=vfs' (slower, more disk);
#   - base images: pulled when a registry answers; otherwise built as local stand-ins with the
#     same tags by shared/tools/docker-local-bases.sh (found beside the repository, or at
#     HB_DOCKER_LOCAL_BASES). The compose file and Dockerfile are used unchanged either way.
# Installs with apt-get, as root or through sudo. Does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== ensure-docker: %s\n' "$*"; }
fail() {
  printf 'ensure-docker: %s\n' "$*" >&2
  exit 1
}
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "run as root or with sudo available"
  as_root=(sudo)
fi

packages=()
command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || packages+=(debootstrap)
if ((${#packages[@]})); then
  command -v apt-get >/dev/null 2>&1 || fail "need ${packages[*]}; this machine has no apt-get, install them by hand"
  log "apt-get install ${packages[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd ${HB_DOCKERD_ARGS:-}"
  # shellcheck disable=SC2086 # HB_DOCKERD_ARGS is a list of flags
  "${as_root[@]}" nohup dockerd ${HB_DOCKERD_ARGS:-} >/var/log/hivebase-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || {
    tail -20 /var/log/hivebase-dockerd.log >&2
    fail "dockerd did not answer within 60 s"
  }
fi
log "engine $(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}')"

bases=(node:20-bookworm-slim postgres:16-bookworm redis:7-bookworm minio/minio:latest)
missing=()
for image in "${bases[@]}"; do docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image"); done
if ((${#missing[@]})); then
  pulled=true
  for image in "${missing[@]}"; do
    log "docker pull $image"
    timeout 300 docker pull -q "$image" >/dev/null 2>&1 || {
      pulled=false
      break
    }
  done
  if ! $pulled; then
    script=${HB_DOCKER_LOCAL_BASES:-}
    for candidate in ../shared/tools/docker-local-bases.sh /work/shared/tools/docker-local-bases.sh; do
      [ -z "$script" ] && [ -f "$candidate" ] && script=$candidate
    done
    [ -n "$script" ] || fail "no registry answers and no docker-local-bases.sh to build stand-ins for ${missing[*]}"
    log "no registry: building local stand-ins with $script"
    bash "$script"
  fi
fi
log "base images ready"
