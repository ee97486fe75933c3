#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest.
#   1. contracts: buf lint, buf breaking against main, generated code has not drifted (also the
#      Helm values schemas)
#   2. Prisma clients generated, then one type-check and one lint of the whole workspace
#      (tsconfig.typecheck.json; one ESLint process sharing one TypeScript project service):
#      each file is checked once instead of once per project importing it. The per-project
#      targets (`nx run <project>:typecheck`, `:lint`) check the same things for one project.
#      tsc and ESLint are single-threaded: they run side by side, one per core.
#   3. the apps built (the CLI and launcher tests run the built services), then every
#      project's unit + integration tests, 2 at a time, longest first (tools/ci/run-tests.js)
#   4. one closing line counting the tests of every project
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
rm -rf tmp/test-results && mkdir -p tmp/test-results

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "contracts: buf lint, buf breaking, drift"
node_modules/.bin/nx run contracts:buf-lint --output-style=stream
node_modules/.bin/nx run contracts:buf-breaking --output-style=stream
node_modules/.bin/nx run contracts:contracts-drift --output-style=stream
# The Helm charts' values.schema.json files are generated from tools/helm/values-schemas.js.
node tools/helm/values-schemas.js --check

step "type-check and lint of the workspace"
node_modules/.bin/nx run-many -t generate --skip-nx-cache --output-style=stream-without-prefixes
# tsc in the background (its report printed after ESLint's), ESLint in the foreground; both must pass.
tsc_log=tmp/test-results/tsc.log
node_modules/.bin/tsc -p tsconfig.typecheck.json --noEmit >"$tsc_log" 2>&1 &
tsc_pid=$!
# Nx has computed the project graph by now, which the module-boundaries rule reads.
eslint_status=0
node_modules/.bin/eslint --max-warnings 0 apps libs tools bench || eslint_status=$?
tsc_status=0
wait "$tsc_pid" || tsc_status=$?
cat "$tsc_log"
rm -f "$tsc_log"
if ((eslint_status != 0 || tsc_status != 0)); then
  echo "type-check exit $tsc_status, lint exit $eslint_status" >&2
  exit 1
fi

step "tests of every project"
# What the test targets depend on: `generate` ran above; the CLI and launcher tests run the built
# apps. Then the tests alone (run-tests.js refuses a test target depending on anything else).
node_modules/.bin/nx run-many -t build --projects=tag:type:app --skip-nx-cache --output-style=stream-without-prefixes
node tools/ci/run-tests.js

step "summary"
node tools/ci/summarize-tests.js tmp/test-results
