#!/usr/bin/env bash
# Alternates bare and Hivebase builds with and without guarantees through bench-peers (issue 14).
#   PEERS=/tmp/bench-peers HB_PROJECT=/path/to/checkout ./run.sh <rounds> <seconds> <config>...
# config: bare | bare-proxy | <shape>[-nologs|-cut]   shape: standalone | distributed
#   bare-proxy  bare behind bench/hop/minimal-proxy.mjs (one Node hop that does nothing else;
#               its app CPU column is the proxy's own)
#   -nologs  request logs off (settings logs.maxDays 0)
#   -cut     request logs off, and a copy without the outbox row and the list tie-break
#            (without-guarantees.mjs; made once in $CUT, default /tmp/hb-without-guarantees)
# Scenarios: ONLY (default get,get_admin,list,list_admin,create,update). Results: $PEERS/results.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS=${PEERS:-/tmp/bench-peers}
PROJECT=$(cd "${HB_PROJECT:-$HERE/../..}" && pwd)
CUT=${CUT:-/tmp/hb-without-guarantees}
ONLY=${ONLY:-get,get_admin,list,list_admin,create,update}
rounds=$1 seconds=$2; shift 2
[ -d "$CUT" ] || node "$HERE/without-guarantees.mjs" "$PROJECT" "$CUT" outbox tiebreak
cd "$PEERS"
logs_off() {
  local token
  token=$(curl -sf -XPOST http://127.0.0.1:8090/api/collections/_superusers/auth-with-password \
    -H 'content-type: application/json' -d '{"identity":"admin@example.com","password":"adminpass123"}' |
    node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -sf -XPATCH http://127.0.0.1:8090/api/settings -H "authorization: $token" \
    -H 'content-type: application/json' -d '{"logs":{"maxDays":0}}' >/dev/null
}
for round in $(seq 1 "$rounds"); do
  for config in "$@"; do
    label="$config-r$round"
    if [ "$config" = bare ]; then
      ./bare.sh reset-db >/dev/null 2>&1; ./bare.sh start >/dev/null
      node bench.mjs bare --label "$label" -d "$seconds" -r 1 --only "$ONLY" | grep '^| [a-z]' | sed "s/^/$label /"
      ./bare.sh stop >/dev/null
      continue
    fi
    if [ "$config" = bare-proxy ]; then
      ./bare.sh reset-db >/dev/null 2>&1; ./bare.sh start >/dev/null
      PORT=8090 UPSTREAM=http://127.0.0.1:8099 node "$HERE/../hop/minimal-proxy.mjs" >/dev/null 2>&1 &
      proxy=$!; sleep 1
      node bench.mjs pocketbase http://127.0.0.1:8090 --app-pid "$proxy" --label "$label" -d "$seconds" -r 1 --only "$ONLY" |
        grep '^| [a-z]' | sed "s/^/$label /"
      kill "$proxy"; ./bare.sh stop >/dev/null
      continue
    fi
    shape=${config%%-*} project=$PROJECT
    [ "${config#*-}" = cut ] && project=$CUT
    pid=$(HB_PROJECT=$project ./hivebase.sh start "$shape" | tail -1)
    case $config in *-nologs | *-cut) logs_off ;; esac
    node bench.mjs pocketbase http://127.0.0.1:8090 --app-pid "$pid" --label "$label" -d "$seconds" -r 1 --only "$ONLY" |
      grep '^| [a-z]' | sed "s/^/$label /"
    HB_PROJECT=$project ./hivebase.sh stop >/dev/null
  done
done
