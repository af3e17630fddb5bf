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

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly DEFAULT_PORT=6390
readonly START_TIMEOUT_S="${VIGIL_REDIS_START_TIMEOUT:-15}"

die() {
  echo "redis.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 {install|start [PORT]|stop [PORT]|status [PORT]}" >&2
  exit 2
}

port_arg() {
  local port="${1:-$DEFAULT_PORT}"
  if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    die "invalid port '$port' (expected a number from 1 to 65535)"
  fi
  echo "$((10#$port))"
}

state_dir() {
  echo "${VIGIL_STATE_DIR:-$REPO_ROOT/.vigil}/redis-$1"
}

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

# True while PID runs. A zombie counts as gone: daemonized Redis is reparented to PID 1, which
# in some containers reaps it only a second or so after it exits.
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" || return 0
  [[ "${stat:0:1}" != "Z" ]]
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
    echo "redis.sh: redis-server already installed ($(redis-server --version | head -n1))"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "redis-server is missing and apt-get is not available; install Redis 7 by other means"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "redis-server is missing; installing it needs root (or sudo)"
    sudo=(sudo)
  fi

  # Keep the package's maintainer scripts from starting a system-wide Redis on 6379: a
  # policy-rc.d that answers 101 ("action forbidden") for the duration of the install.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  local status=0
  {
    echo "redis.sh: installing redis-server with apt-get"
    "${sudo[@]}" apt-get update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  } || status=$?
  ((added_policy)) && "${sudo[@]}" rm -f "$policy"
  ((status == 0)) || die "apt-get install redis-server failed (exit $status)"

  # The package enables its systemd unit; Vigil runs its own instances, so leave it disabled.
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    "${sudo[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
  command -v redis-server >/dev/null 2>&1 || die "apt-get finished but redis-server is still not on PATH"
  echo "redis.sh: installed $(redis-server --version | head -n1)"
}

cmd_start() {
  local port dir pid
  port="$(port_arg "${1:-}")"
  require_binaries
  dir="$(state_dir "$port")"

  if pid="$(live_pid "$port")" && answers_ping "$port"; then
    echo "redis.sh: already running on 127.0.0.1:$port (pid $pid)"
    return 0
  fi
  if answers_ping "$port"; then
    echo "redis.sh: a Redis not started from $dir already answers on 127.0.0.1:$port; using it"
    return 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
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

  local deadline=$((SECONDS + START_TIMEOUT_S))
  until answers_ping "$port"; do
    if ((SECONDS >= deadline)); then
      echo "redis.sh: Redis did not answer PING on 127.0.0.1:$port within ${START_TIMEOUT_S}s; last log lines:" >&2
      tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
  echo "redis.sh: started on 127.0.0.1:$port (pid $(live_pid "$port" || echo '?'), state in $dir)"
}

cmd_stop() {
  local port pid
  port="$(port_arg "${1:-}")"
  if ! pid="$(live_pid "$port")"; then
    echo "redis.sh: not running on port $port (no live pid in $(state_dir "$port"))"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$(state_dir "$port")/redis.pid"
  echo "redis.sh: stopped 127.0.0.1:$port (pid $pid)"
}

cmd_status() {
  local port pid
  port="$(port_arg "${1:-}")"
  command -v redis-cli >/dev/null 2>&1 || { echo "redis.sh: redis-cli is not installed"; exit 3; }
  if answers_ping "$port"; then
    if pid="$(live_pid "$port")"; then
      echo "redis.sh: running on 127.0.0.1:$port (pid $pid)"
    else
      echo "redis.sh: a Redis answers on 127.0.0.1:$port (not started from $(state_dir "$port"))"
    fi
    return 0
  fi
  echo "redis.sh: not running on 127.0.0.1:$port"
  exit 3
}

main() {
  local cmd="${1:-}"
  shift || true
  (($# <= 1)) || usage
  case "$cmd" in
    install) (($# == 0)) || usage; cmd_install ;;
    start) cmd_start "${1:-}" ;;
    stop) cmd_stop "${1:-}" ;;
    status) cmd_status "${1:-}" ;;
    *) usage ;;
  esac
}

main "$@"
