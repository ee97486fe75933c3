#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest.
#   1. contracts: buf lint, buf breaking against main, generated code has not drifted
#   2. Prisma clients generated, then one type-check and one lint of the whole workspace
#      (tsconfig.typecheck.json; one ESLint process sharing one TypeScript project service):
#      each file is checked once instead of once per project importing it. The per-project
#      targets (`nx run <project>:typecheck`, `:lint`) check the same things for one project.
#   3. every project: unit + integration tests (Nx runs them, 2 at a time)
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

step "type-check and lint of the workspace"
node_modules/.bin/nx run-many -t generate --skip-nx-cache --output-style=stream-without-prefixes
node_modules/.bin/tsc -p tsconfig.typecheck.json --noEmit
# Nx has computed the project graph by now, which the module-boundaries rule reads.
node_modules/.bin/eslint --max-warnings 0 apps libs tools

step "tests of every project"
node_modules/.bin/nx run-many -t test --skip-nx-cache --output-style=stream-without-prefixes

step "summary"
node tools/ci/summarize-tests.js tmp/test-results
