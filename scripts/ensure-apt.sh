#!/usr/bin/env bash
# Sourced by scripts/test.sh and ./platewatch: installs Debian packages whose binary is missing.
# ---- ensure_apt_packages PACKAGE:BINARY ... -------------------------------------------------
# Installs Debian packages whose binary is missing, e.g. `ensure_apt_packages nats-server:nats-server
# chromium:chromium`.
ensure_apt_packages() {
  local missing=()
  local spec
  for spec in "$@"; do
    local package="${spec%%:*}"
    local binary="${spec#*:}"
    if ! command -v "$binary" >/dev/null 2>&1; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "platewatch: installing ${missing[*]} (apt-get)..." >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update
  $sudo apt-get install -y "${missing[@]}"
}
# ----------------------------------------------------------------------------------------------
