#!/usr/bin/env bash
# Compiles and runs bench/register-throughput.ts (see its header) with the project's SWC
# settings, into tmp/registry-bench/. Usage:
#   bash apps/registry-service/bench/register-throughput.sh [artifacts=40] [parallel uploads=4]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
out="tmp/registry-bench"
rm -rf "$out"
node_modules/.bin/swc apps/registry-service/bench apps/registry-service/test/fixtures apps/registry-service/src/auth \
  libs/contracts/src libs/config/src libs/observability/src libs/onnx/src libs/persistence/src libs/ports/src libs/service-runtime/src \
  libs/testing/src libs/quickstart/src libs/trace-collector/src \
  -d "$out" --config-file .swcrc --ignore '**/*.spec.ts' --quiet
# Read at run time next to the compiled code: the contracts (gRPC client) and the ONNX schema.
cp -r protos "$out/protos"
cp -r libs/onnx/src/schema "$out/libs/onnx/src/schema"
node "$out/apps/registry-service/bench/register-throughput.js" "$@"
