#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, builds, checks types,
# lint and formatting, then runs every test (unit, contract, CLI end-to-end, reliability).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/vitest ]; then
  echo "test: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

echo "test: build"
npx tsc -p tsconfig.build.json
echo "test: typecheck"
npx tsc -p tsconfig.json --noEmit
echo "test: lint"
npx oxlint -c .oxlintrc.json --deny-warnings src test bench
echo "test: format"
npx prettier --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bench/**/*.mjs"
echo "test: promtool and prometheus"
# The metrics tests run the real promtool and a real Prometheus (Debian package prometheus).
install_promtool() {
  if ! command -v apt-get >/dev/null; then
    echo "test: promtool is missing and apt-get is not available: install promtool (Prometheus 2.x) yourself" >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "test: promtool is missing and installing it needs root: run as root, install sudo, or install the Debian package prometheus" >&2
      return 1
    fi
    sudo="sudo"
  fi
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
}
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  if ! { install_promtool && command -v promtool >/dev/null; }; then
    echo "test: could not install promtool (Debian package prometheus)" >&2
    exit 1
  fi
fi
echo "test: vitest"
TZ=UTC npx vitest run "$@"
