#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, builds, checks types,
# lint and formatting, then runs every test (unit, contract, CLI end-to-end, reliability).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/vitest ]; then
  echo "test: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

echo "test: build (server and dashboard)"
npx tsc -p tsconfig.build.json
npx vite build --config web/vite.config.ts --logLevel warn
echo "test: typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p web/tsconfig.json --noEmit
echo "test: lint"
npx oxlint -c .oxlintrc.json --deny-warnings src test bench web
echo "test: format"
npx prettier --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bench/**/*.mjs" "web/**/*.{ts,tsx,css}"
echo "test: system tools"
# Tests run the real tools: promtool and Prometheus (Debian package prometheus), Chromium for the
# dashboard (package chromium, driven by playwright-core) and rsyslog for the syslog export.
missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
command -v rsyslogd >/dev/null || [ -x /usr/sbin/rsyslogd ] || missing+=(rsyslog)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing ${missing[*]} (Debian packages)"
  if ! command -v apt-get >/dev/null; then
    echo "test: ${missing[*]} missing and apt-get is not available: install them yourself" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "test: installing ${missing[*]} needs root: run as root, install sudo, or install the Debian packages yourself" >&2
      exit 1
    fi
    sudo="sudo"
  fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "test: vitest"
TZ=UTC npx vitest run "$@"
