#!/usr/bin/env bash
# Chromium for browser tests, from Debian's package only (never a downloaded browser build): tests
# drive it with playwright-core, `executablePath` set to the path this prints.
#
#   scripts/services/chromium.sh install   apt-get install chromium (+ fonts-liberation), only when missing
#   scripts/services/chromium.sh status    print its version and path; exit 0 when installed, 3 when not
#   scripts/services/chromium.sh path      print the path of the browser binary (for executablePath)
#   scripts/services/chromium.sh start|stop  nothing to do: each test launches its own browser
#
# As root, Chromium needs --no-sandbox (Playwright: chromiumSandbox false, the default).
# VIGIL_CHROMIUM overrides the binary (default /usr/bin/chromium).
set -euo pipefail

readonly SERVICE=chromium USAGE='install|status|path|start|stop'
# shellcheck source=scripts/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
readonly CHROMIUM="${VIGIL_CHROMIUM:-/usr/bin/chromium}"

# The browser's version line ("Chromium 139.0.7258.154 built on Debian ..."), or failure.
version() {
  [[ -x "$CHROMIUM" ]] || return 1
  timeout 30 "$CHROMIUM" --version 2>/dev/null | head -n1
}

cmd_install() {
  local v
  if v="$(version)" && [[ -n "$v" ]]; then
    log "already installed: $v ($CHROMIUM)"
    return 0
  fi
  [[ "$CHROMIUM" == /usr/bin/chromium ]] ||
    die "VIGIL_CHROMIUM=$CHROMIUM does not run; unset it to install Debian's chromium"
  # No recommends: they would bring systemd, udev, avahi-daemon, upower and printing tools. The
  # one recommendation a headless browser wants is a set of metric-compatible fonts.
  apt_install chromium fonts-liberation
  v="$(version)" || die "apt-get finished but '$CHROMIUM --version' does not run"
  log "installed $v ($CHROMIUM)"
}

cmd_status() {
  local v
  if v="$(version)" && [[ -n "$v" ]]; then
    log "$v ($CHROMIUM)"
    return 0
  fi
  log "not installed ($CHROMIUM does not run); run: bash scripts/services/chromium.sh install"
  exit 3
}

cmd_path() {
  [[ -x "$CHROMIUM" ]] || die "$CHROMIUM is not installed; run: bash scripts/services/chromium.sh install"
  echo "$CHROMIUM"
}

cmd_start() {
  log "nothing to start: each test launches its own headless Chromium ($CHROMIUM)"
}

cmd_stop() {
  log "nothing to stop: each test launches its own headless Chromium ($CHROMIUM)"
}

service_main "$@"
