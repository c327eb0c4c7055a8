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
echo "test: vitest"
TZ=UTC npx vitest run "$@"
