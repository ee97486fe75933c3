#!/usr/bin/env bash
# Compiles and runs bench/feature-bench.ts (see its header) with the project's SWC settings,
# into tmp/feature-bench/. Usage:
#   bash apps/feature-service/bench/feature-bench.sh [--rows N] [--json out.json] [--phases-only]
# FEATURE_BENCH_OUT sets another output directory (for runs side by side);
# FEATURE_BENCH_NODE_FLAGS adds node flags, e.g. "--cpu-prof --cpu-prof-dir=tmp/prof".
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
out="${FEATURE_BENCH_OUT:-tmp/feature-bench}"
rm -rf "$out"
node_modules/.bin/swc apps/feature-service/bench apps/feature-service/src apps/feature-service/test/fixtures \
  libs/contracts/src libs/config/src libs/observability/src libs/onnx/src libs/persistence/src libs/ports/src libs/service-runtime/src libs/testing/src libs/trace-collector/src \
  -d "$out" --config-file .swcrc --ignore '**/*.spec.ts' --quiet
# Read at run time next to the compiled code: the contracts, the migrations and the ONNX schema.
cp -r protos "$out/protos"
cp -r libs/onnx/src/schema "$out/libs/onnx/src/schema"
cp -r apps/feature-service/prisma "$out/apps/feature-service/prisma"
# examples/flights is found relative to test/fixtures (four levels up).
mkdir -p "$out/examples" && cp -r examples/flights "$out/examples/flights"
# shellcheck disable=SC2086 # the flags are words
exec node ${FEATURE_BENCH_NODE_FLAGS:-} "$out/apps/feature-service/bench/feature-bench.js" "$@"
