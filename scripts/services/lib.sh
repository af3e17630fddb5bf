# shellcheck shell=bash
# What the service scripts (redis.sh, postgres.sh, kafka.sh, chromium.sh) share: messages, argument
# parsing, ports, pids, locks, waiting, installing Debian packages and the command dispatch.
# Sourced, never run. The script sets SERVICE (its name in messages), USAGE (the usage line's
# commands), and, when its commands take a port, DEFAULT_PORT (and MAX_PORT / PORT_NOTE to narrow
# the range), then defines a cmd_NAME function per command and ends with `service_main "$@"`.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly STATE_BASE="${VIGIL_STATE_DIR:-$REPO_ROOT/.vigil}"

log() {
  echo "$SERVICE.sh: $*"
}

die() {
  echo "$SERVICE.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 {$USAGE}" >&2
  exit 2
}

# The port argument (default DEFAULT_PORT), checked and without leading zeros.
port_arg() {
  local port="${1:-$DEFAULT_PORT}" max="${MAX_PORT:-65535}"
  if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > max)); then
    die "invalid port '$port' (expected a number from 1 to $max${PORT_NOTE:-})"
  fi
  echo "$((10#$port))"
}

# This service's directory for the instance on PORT: $VIGIL_STATE_DIR/SERVICE-PORT.
state_dir() {
  echo "$STATE_BASE/$SERVICE-$1"
}

# True when something accepts TCP connections on 127.0.0.1:PORT (bounded: a listener that never
# completes the handshake must not hang us).
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# True while PID runs. A zombie counts as gone: a daemon killed or exited is reparented to PID 1,
# which in some containers reaps it only a second or two later.
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" || return 0
  [[ "${stat:0:1}" != "Z" ]]
}

# Sends PID SIGTERM and waits for it to exit; after TIMEOUT seconds SIGKILLs it, waits, returns 1.
terminate() {
  local pid="$1" timeout="$2"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      echo "$SERVICE.sh: pid $pid did not stop within ${timeout}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      while pid_alive "$pid"; do sleep 0.1; done
      return 1
    fi
    sleep 0.1
  done
}

# Polls CHECK (a command) every INTERVAL seconds until it succeeds (0) or TIMEOUT seconds pass (1).
wait_for() {
  local timeout="$1" interval="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep "$interval"
  done
}

# Hold an exclusive lock on FILE for the rest of the script (parallel test projects may call us).
lock() {
  exec 9>"$1"
  flock -w 300 9 || die "timed out waiting for the lock $1"
}

# apt-get install PACKAGES, as root or through sudo. The packages' maintainer scripts are kept from
# starting system-wide services (a policy-rc.d answering 101, "action forbidden", for the duration
# of the install), and a systemd unit named in APT_DISABLE_UNIT is disabled after: Vigil runs its
# own instances.
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "$* missing and apt-get is not available; install it by other means"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "installing $* needs root (or sudo)"
    sudo=(sudo)
  fi
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  local status=0
  {
    log "installing $* with apt-get"
    "${sudo[@]}" apt-get update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  } || status=$?
  ((added_policy)) && "${sudo[@]}" rm -f "$policy"
  ((status == 0)) || die "apt-get install $* failed (exit $status)"
  if [[ -n "${APT_DISABLE_UNIT:-}" ]] && command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    "${sudo[@]}" systemctl disable --now "$APT_DISABLE_UNIT" >/dev/null 2>&1 || true
  fi
}

# Runs cmd_COMMAND: `install` takes no argument, the others at most one (the port), or none when
# the script sets no DEFAULT_PORT.
service_main() {
  local cmd="${1:-}"
  shift || true
  (($# <= 1)) || usage
  [[ -n "${DEFAULT_PORT:-}" ]] || (($# == 0)) || usage
  [[ "$cmd" != install ]] || (($# == 0)) || usage
  [[ "$cmd" =~ ^[a-z]+$ && "|$USAGE|" =~ [{|]$cmd[\ |] ]] || usage
  "cmd_$cmd" "$@"
}
