#!/usr/bin/env bash
# What the test suite needs beyond `npm ci`, installed or started when missing; `npm test` runs
# this first (its `pretest` script), so the README's test command works on a fresh machine.
#   - docker-compose (Debian's Compose v1): e2e/src/infra/compose-config.test.ts validates
#     docker-compose.yml with `docker-compose config` (no Docker engine needed)
#   - chromium: the dashboard tests drive a real browser through playwright-core
#   - Redis on 127.0.0.1:6379: the bus, job and rate-limit tests (Postgres needs nothing here:
#     without a server on 127.0.0.1:5432 the tests start an embedded one)
# Installs with apt-get, as root or through sudo. Does nothing when everything is there.
set -euo pipefail

log() { printf '== ensure-test-deps: %s\n' "$*"; }
fail() {
  printf 'ensure-test-deps: %s\n' "$*" >&2
  exit 1
}

redis_answers() { command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }

packages=()
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
if ! redis_answers && ! command -v redis-server >/dev/null 2>&1; then packages+=(redis-server); fi

if ((${#packages[@]})); then
  command -v apt-get >/dev/null 2>&1 ||
    fail "the tests need ${packages[*]}; this machine has no apt-get, so install them with its package manager"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "the tests need ${packages[*]}: run as root or with sudo available, or install them"
    as_root=(sudo)
  fi
  log "apt-get install ${packages[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# kubectl renders infra/k8s for e2e/src/infra/k8s-manifests.test.ts (`kubectl kustomize`, no
# cluster). Debian has no package for it: say so early instead of failing mid-suite.
command -v kubectl >/dev/null 2>&1 ||
  log 'kubectl is not on PATH: the Kubernetes manifest tests will fail (install kubectl, any recent version)'

if ! redis_answers; then
  log 'starting redis-server on 127.0.0.1:6379 (in memory, no persistence)'
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null
  for _ in $(seq 1 30); do
    redis_answers && break
    sleep 0.2
  done
  redis_answers || fail 'redis-server did not answer on 127.0.0.1:6379'
fi
