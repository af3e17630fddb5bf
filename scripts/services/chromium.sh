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

readonly CHROMIUM="${VIGIL_CHROMIUM:-/usr/bin/chromium}"

die() {
  echo "chromium.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 {install|status|path|start|stop}" >&2
  exit 2
}

# The browser's version line ("Chromium 139.0.7258.154 built on Debian ..."), or failure.
version() {
  [[ -x "$CHROMIUM" ]] || return 1
  timeout 30 "$CHROMIUM" --version 2>/dev/null | head -n1
}

cmd_install() {
  local v
  if v="$(version)" && [[ -n "$v" ]]; then
    echo "chromium.sh: already installed: $v ($CHROMIUM)"
    return 0
  fi
  [[ "$CHROMIUM" == /usr/bin/chromium ]] ||
    die "VIGIL_CHROMIUM=$CHROMIUM does not run; unset it to install Debian's chromium"
  command -v apt-get >/dev/null 2>&1 ||
    die "chromium is missing and apt-get is not available; install Debian's chromium by other means"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "chromium is missing; installing it needs root (or sudo)"
    sudo=(sudo)
  fi
  # No recommends: they would bring systemd, udev, avahi-daemon, upower and printing tools. The
  # one recommendation a headless browser wants is a set of metric-compatible fonts.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  local status=0
  {
    echo "chromium.sh: installing chromium with apt-get"
    "${sudo[@]}" apt-get update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  } || status=$?
  ((added_policy)) && "${sudo[@]}" rm -f "$policy"
  ((status == 0)) || die "apt-get install chromium failed (exit $status)"
  v="$(version)" || die "apt-get finished but '$CHROMIUM --version' does not run"
  echo "chromium.sh: installed $v ($CHROMIUM)"
}

cmd_status() {
  local v
  if v="$(version)" && [[ -n "$v" ]]; then
    echo "chromium.sh: $v ($CHROMIUM)"
    return 0
  fi
  echo "chromium.sh: not installed ($CHROMIUM does not run); run: bash scripts/services/chromium.sh install"
  exit 3
}

main() {
  (($# == 1)) || usage
  case "$1" in
    install) cmd_install ;;
    status) cmd_status ;;
    path)
      [[ -x "$CHROMIUM" ]] || die "$CHROMIUM is not installed; run: bash scripts/services/chromium.sh install"
      echo "$CHROMIUM"
      ;;
    start | stop) echo "chromium.sh: nothing to $1: each test launches its own headless Chromium ($CHROMIUM)" ;;
    *) usage ;;
  esac
}

main "$@"
