#!/usr/bin/env bash
# The full test suite (`npm test`): installs what is missing, type-checks, runs vitest.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

# `npm install`, not `npm ci`: see ./platewatch.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "test.sh: installing dependencies (npm install)..." >&2
    npm install --no-audit --no-fund
  fi
}

# shellcheck source=scripts/ensure-apt.sh
source scripts/ensure-apt.sh

ensure_node_modules
ensure_apt_packages nats-server:nats-server chromium:chromium

npx tsc --noEmit -p .
npx vitest run
