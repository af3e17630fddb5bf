#!/usr/bin/env bash
# Redis for local runs and tests, from Debian's package, bound to 127.0.0.1 only.
#
#   scripts/services/redis.sh install        apt-get install redis-server, only when it is missing
#   scripts/services/redis.sh start  [PORT]  start a throwaway instance (default port 6390)
#   scripts/services/redis.sh stop   [PORT]
#   scripts/services/redis.sh status [PORT]  exit 0 when it answers PING, 3 when it does not
#
# Each instance keeps its pid, log and working directory in $VIGIL_STATE_DIR/redis-PORT
# ($VIGIL_STATE_DIR defaults to <repo>/.vigil). Nothing is persisted (--save '' --appendonly no).
set -euo pipefail

readonly SERVICE=redis DEFAULT_PORT=6390
readonly USAGE='install|start [PORT]|stop [PORT]|status [PORT]'
# shellcheck source=scripts/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
readonly START_TIMEOUT_S="${VIGIL_REDIS_START_TIMEOUT:-15}"

require_binaries() {
  local bin
  for bin in redis-server redis-cli; do
    command -v "$bin" >/dev/null 2>&1 ||
      die "'$bin' is not installed; run: bash scripts/services/redis.sh install (Debian package redis-server)"
  done
}

# True when something on 127.0.0.1:PORT answers PING with PONG.
answers_ping() {
  # Bounded: a process on the port that accepts but never answers must not hang us.
  [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == "PONG" ]]
}

# The pid from this instance's pidfile, when that process is alive.
live_pid() {
  local pidfile
  pidfile="$(state_dir "$1")/redis.pid"
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  # A stale pidfile may name a pid the system has since reused for something else.
  if [[ -r "/proc/$pid/comm" && "$(<"/proc/$pid/comm")" != redis-server* ]]; then
    return 1
  fi
  echo "$pid"
}

cmd_install() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    log "redis-server already installed ($(redis-server --version | head -n1))"
    return 0
  fi
  APT_DISABLE_UNIT=redis-server apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || die "apt-get finished but redis-server is still not on PATH"
  log "installed $(redis-server --version | head -n1)"
}

cmd_start() {
  local port dir pid
  port="$(port_arg "${1:-}")"
  require_binaries
  dir="$(state_dir "$port")"

  if pid="$(live_pid "$port")" && answers_ping "$port"; then
    log "already running on 127.0.0.1:$port (pid $pid)"
    return 0
  fi
  if answers_ping "$port"; then
    log "a Redis not started from $dir already answers on 127.0.0.1:$port; using it"
    return 0
  fi
  if port_open "$port"; then
    die "port $port on 127.0.0.1 is taken by something that is not Redis; pick another port"
  fi

  mkdir -p "$dir"
  rm -f "$dir/redis.pid"
  redis-server \
    --port "$port" \
    --bind 127.0.0.1 \
    --protected-mode yes \
    --daemonize yes \
    --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" \
    --dir "$dir" \
    --save '' \
    --appendonly no ||
    die "redis-server failed to start; see $dir/redis.log"

  if ! wait_for "$START_TIMEOUT_S" 0.1 answers_ping "$port"; then
    echo "redis.sh: Redis did not answer PING on 127.0.0.1:$port within ${START_TIMEOUT_S}s; last log lines:" >&2
    tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
    exit 1
  fi
  log "started on 127.0.0.1:$port (pid $(live_pid "$port" || echo '?'), state in $dir)"
}

cmd_stop() {
  local port pid
  port="$(port_arg "${1:-}")"
  if ! pid="$(live_pid "$port")"; then
    log "not running on port $port (no live pid in $(state_dir "$port"))"
    return 0
  fi
  terminate "$pid" 10 || true
  rm -f "$(state_dir "$port")/redis.pid"
  log "stopped 127.0.0.1:$port (pid $pid)"
}

cmd_status() {
  local port pid
  port="$(port_arg "${1:-}")"
  command -v redis-cli >/dev/null 2>&1 || { log "redis-cli is not installed"; exit 3; }
  if answers_ping "$port"; then
    if pid="$(live_pid "$port")"; then
      log "running on 127.0.0.1:$port (pid $pid)"
    else
      log "a Redis answers on 127.0.0.1:$port (not started from $(state_dir "$port"))"
    fi
    return 0
  fi
  log "not running on 127.0.0.1:$port"
  exit 3
}

service_main "$@"
