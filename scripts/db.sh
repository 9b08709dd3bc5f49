#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the engine tests and the postgres entry.
#
#   eval "$(bash scripts/db.sh start)"   # initdb into a temporary folder, start on 127.0.0.1, print the PG* exports
#   bash scripts/db.sh stop              # stop it and remove the folder
#
# The folder is remembered in .db/cluster (or in $JEC_DB_STATE). initdb must
# not run as root, so it runs as the `postgres` user when we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${JEC_DB_STATE:-$PWD/.db/cluster}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin/initdb" ] || bin=$(dirname "$(command -v initdb)")

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

case "${1:-}" in
  start)
    if [ -f "$state" ]; then echo "a cluster is already running ($(cat "$state")); run: bash scripts/db.sh stop" >&2; exit 1; fi
    dir=$(mktemp -d /tmp/jec-pg.XXXXXX)
    user=$(id -un)
    [ "$user" = root ] && { chown postgres: "$dir"; user=postgres; }
    port=$(free_port)
    as_postgres "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    mkdir -p "$(dirname "$state")"
    echo "$dir" >"$state"
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=$user PGDATABASE=postgres"
    ;;
  stop)
    [ -f "$state" ] || { echo "no cluster to stop" >&2; exit 0; }
    dir=$(cat "$state")
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir" "$state"
    ;;
  *)
    echo "usage: bash scripts/db.sh start|stop" >&2
    exit 2
    ;;
esac
