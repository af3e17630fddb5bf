#!/usr/bin/env bash
# PostgreSQL for local runs and tests, from Debian's packages, bound to 127.0.0.1 only. Each port
# is its own cluster (own data dir), so parallel test projects never share or race an instance.
#
#   scripts/services/postgres.sh install          apt-get install postgresql, only when it is missing
#   scripts/services/postgres.sh start   [PORT]   start a cluster (default 5433), initdb on first use
#   scripts/services/postgres.sh stop    [PORT]   pg_ctl stop -m fast
#   scripts/services/postgres.sh restart [PORT]   stop, then start
#   scripts/services/postgres.sh status  [PORT]   exit 0 when it accepts connections, 3 when not
#   scripts/services/postgres.sh reset   [PORT]   stop it and delete its data dir
#
# `start` makes sure the role `vigil` (password `vigil`, CREATEDB) and its database `vigil` exist
# and prints DATABASE_URL=postgres://vigil:vigil@127.0.0.1:PORT/vigil. Connections over TCP need
# that password (scram-sha-256); the Unix socket, in the instance dir, trusts local users.
#
# Postgres refuses to run as root: as root, this runs the server as the `postgres` OS user (made
# by the package). Each cluster lives in $VIGIL_STATE_DIR/postgres-PORT ($VIGIL_STATE_DIR defaults
# to <repo>/.vigil): data/ and postgres.log. When the postgres user cannot reach that directory
# (a repo under /root, say), the clusters go to /var/tmp/vigil-postgres-<hash of that dir>/.
# Data persists across stop and start until `reset`.
#
# Environment: VIGIL_POSTGRES_BIN (default: the newest /usr/lib/postgresql/*/bin),
# VIGIL_POSTGRES_START_TIMEOUT and VIGIL_POSTGRES_STOP_TIMEOUT (seconds, 60 and 30).
set -euo pipefail

readonly SERVICE=postgres DEFAULT_PORT=5433
readonly USAGE='install|start [PORT]|stop [PORT]|restart [PORT]|status [PORT]|reset [PORT]'
# shellcheck source=scripts/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
readonly START_TIMEOUT_S="${VIGIL_POSTGRES_START_TIMEOUT:-60}"
readonly STOP_TIMEOUT_S="${VIGIL_POSTGRES_STOP_TIMEOUT:-30}"
readonly DB_USER=vigil DB_PASSWORD=vigil DB_NAME=vigil

database_url() {
  echo "postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$1/$DB_NAME"
}

# The bin dir of the newest installed PostgreSQL server, or nothing.
pg_bin_dir() {
  if [[ -n "${VIGIL_POSTGRES_BIN:-}" ]]; then
    echo "$VIGIL_POSTGRES_BIN"
    return 0
  fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' -printf '%h\n' 2>/dev/null |
    sort -V | tail -n1)"
  [[ -n "$dir" ]] && echo "$dir"
}

PG_BIN=''
require_binaries() {
  PG_BIN="$(pg_bin_dir)" || true
  local bin
  for bin in postgres initdb pg_ctl pg_isready psql; do
    [[ -x "$PG_BIN/$bin" ]] ||
      die "PostgreSQL's '$bin' is not installed (looked in '${PG_BIN:-/usr/lib/postgresql/*/bin}'); run: bash scripts/services/postgres.sh install"
  done
}

# Runs a command as the user the server runs as: `postgres` when we are root, else ourselves.
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# The directory that holds this port's cluster (see the header).
instance_dir() {
  local base="$STATE_BASE"
  if ((EUID == 0)); then
    mkdir -p "$base"
    if ! runuser -u postgres -- test -x "$base" 2>/dev/null; then
      base="/var/tmp/vigil-postgres-$(printf '%s' "$STATE_BASE" | sha256sum | cut -c1-12)"
    fi
  fi
  echo "$base/postgres-$1"
}

# The directory for the server's Unix socket: the instance dir, or /tmp when that path is too
# long for a socket address (107 bytes).
socket_dir() {
  local dir="$1" port="$2"
  if ((${#dir} + ${#port} + 10 < 100)); then echo "$dir"; else echo /tmp; fi
}

# The pid in this cluster's postmaster.pid, whether or not it still runs.
postmaster_pid() {
  local pidfile="$1/data/postmaster.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(head -n1 "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# True when this cluster's postmaster runs.
cluster_running() {
  local pid
  pid="$(postmaster_pid "$1")" && pid_alive "$pid" || return 1
  # A stale postmaster.pid may name a pid the system has since reused for something else.
  [[ ! -r "/proc/$pid/comm" || "$(<"/proc/$pid/comm")" == postgres* || "$(<"/proc/$pid/comm")" == postmaster* ]]
}

# After a crash (SIGKILL), the dead postmaster's pid may linger as a zombie, and the server would
# refuse to start while its lock file names a pid that kill(pid, 0) still finds: wait it out.
wait_for_dead_postmaster() {
  local pid deadline=$((SECONDS + 15))
  pid="$(postmaster_pid "$1")" || return 0
  while kill -0 "$pid" 2>/dev/null && ! pid_alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.1
  done
}

# True when a server on 127.0.0.1:PORT accepts connections.
accepting() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 2 >/dev/null 2>&1
}

cmd_install() {
  if PG_BIN="$(pg_bin_dir)" && [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/initdb" && -x "$PG_BIN/psql" ]]; then
    echo "postgres.sh: PostgreSQL already installed ($("$PG_BIN/postgres" --version))"
    return 0
  fi
  APT_DISABLE_UNIT=postgresql apt_install postgresql
  PG_BIN="$(pg_bin_dir)" || true
  [[ -x "$PG_BIN/postgres" ]] || die "apt-get finished but no PostgreSQL server is in /usr/lib/postgresql/*/bin"
  echo "postgres.sh: installed $("$PG_BIN/postgres" --version)"
}

init_cluster() {
  local dir="$1"
  [[ -f "$dir/data/PG_VERSION" ]] && return 0
  rm -rf "$dir/data"
  log "initdb $dir/data"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
    echo "postgres.sh: initdb failed:" >&2
    tail -n 20 "$dir/initdb.log" >&2
    exit 1
  }
}

# Creates the role and the database `vigil` when missing, then connects with DATABASE_URL.
ensure_database() {
  local port="$1" sock="$2"
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres <<SQL ||
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$DB_USER', '$DB_PASSWORD')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
    die "could not create the role and database '$DB_NAME' on port $port"
  "$PG_BIN/psql" -X -q -At "$(database_url "$port")" -c 'SELECT 1' >/dev/null ||
    die "PostgreSQL runs on 127.0.0.1:$port but $(database_url "$port") does not connect"
}

cmd_start() {
  local port dir sock
  port="$(port_arg "${1:-}")"
  require_binaries
  dir="$(instance_dir "$port")"
  mkdir -p "$dir"
  lock "$dir/.lock"
  sock="$(socket_dir "$dir" "$port")"

  if cluster_running "$dir" && accepting "$port"; then
    ensure_database "$port" "$sock"
    log "already running on 127.0.0.1:$port (data in $dir/data)"
    echo "DATABASE_URL=$(database_url "$port")"
    return 0
  fi
  if ! cluster_running "$dir" && port_open "$port"; then
    if "$PG_BIN/psql" -X -q -At "$(database_url "$port")" -c 'SELECT 1' >/dev/null 2>&1; then
      log "a PostgreSQL not started from $dir already serves $DB_NAME on 127.0.0.1:$port; using it"
      echo "DATABASE_URL=$(database_url "$port")"
      return 0
    fi
    die "port $port on 127.0.0.1 is taken by something that is not this cluster; pick another port"
  fi

  if ((EUID == 0)); then chown postgres:postgres "$dir"; fi
  init_cluster "$dir"
  [[ "$sock" != *"'"* ]] || die "the socket directory '$sock' must not contain a single quote"
  local log="$dir/postgres.log"
  as_pg touch "$log"
  if ! cluster_running "$dir"; then
    wait_for_dead_postmaster "$dir"
    # A crashed cluster's last backends may hold its shared memory for a moment: try again then.
    local attempt
    for attempt in 1 2 3; do
      if as_pg "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$log" -w -t "$START_TIMEOUT_S" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k '$sock' -c fsync=on -c max_connections=200" \
        </dev/null >"$dir/pg_ctl.log" 2>&1 9>&-; then
        break
      fi
      if ((attempt == 3)) || cluster_running "$dir"; then
        echo "postgres.sh: pg_ctl start failed on 127.0.0.1:$port:" >&2
        cat "$dir/pg_ctl.log" >&2
        echo "postgres.sh: last lines of $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
      fi
      sleep 1
    done
  fi
  if ! wait_for "$START_TIMEOUT_S" 0.1 accepting "$port"; then
    echo "postgres.sh: PostgreSQL did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT_S}s; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  ensure_database "$port" "$sock"
  echo "postgres.sh: started on 127.0.0.1:$port (PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), data in $dir/data, socket in $sock)"
  echo "DATABASE_URL=$(database_url "$port")"
}

cmd_stop() {
  local port dir
  port="$(port_arg "${1:-}")"
  require_binaries
  dir="$(instance_dir "$port")"
  [[ -d "$dir" ]] && lock "$dir/.lock"
  if ! cluster_running "$dir"; then
    log "not running on port $port (no live cluster in $dir)"
    return 0
  fi
  if ! as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t "$STOP_TIMEOUT_S" >/dev/null 2>&1; then
    echo "postgres.sh: fast shutdown took over ${STOP_TIMEOUT_S}s; stopping it with -m immediate" >&2
    as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null ||
      die "could not stop the cluster in $dir/data"
  fi
  log "stopped 127.0.0.1:$port"
}

cmd_status() {
  local port dir
  port="$(port_arg "${1:-}")"
  require_binaries
  dir="$(instance_dir "$port")"
  if accepting "$port"; then
    if cluster_running "$dir"; then
      echo "postgres.sh: running on 127.0.0.1:$port (data in $dir/data); DATABASE_URL=$(database_url "$port")"
    else
      log "a PostgreSQL answers on 127.0.0.1:$port (not started from $dir)"
    fi
    return 0
  fi
  if cluster_running "$dir"; then
    log "the cluster in $dir runs but does not accept connections on 127.0.0.1:$port (starting?)"
  else
    log "not running on 127.0.0.1:$port"
  fi
  exit 3
}

cmd_reset() {
  local port dir
  port="$(port_arg "${1:-}")"
  dir="$(instance_dir "$port")"
  cmd_stop "$port"
  rm -rf "$dir"
  log "deleted $dir (the cluster of port $port)"
}

cmd_restart() {
  cmd_stop "${1:-}" && cmd_start "${1:-}"
}

service_main "$@"
