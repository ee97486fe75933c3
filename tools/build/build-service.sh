#!/usr/bin/env bash
# Builds one service into dist/<service>/ as plain CommonJS, ready for `node`:
#   dist/<service>/apps/<service>/src/main.js   the entry point
#   dist/<service>/libs/<lib>/src/...           the shared libs it runs on (aliases rewritten)
#   dist/<service>/protos/                      the contracts, loaded at run time by gRPC
#   dist/<service>/apps/<service>/prisma/       schema + migrations for the migration runner
# node_modules stay external, so OpenTelemetry can patch them when they are first required.
set -euo pipefail
service="${1:?usage: build-service.sh <service>}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="dist/$service"
rm -rf "$out"
libs=(libs/contracts/src libs/config/src libs/observability/src libs/onnx/src libs/persistence/src libs/service-runtime/src)
node_modules/.bin/swc "apps/$service/src" "${libs[@]}" -d "$out" --config-file .swcrc \
  --ignore '**/*.spec.ts' --quiet
cp -r protos "$out/protos"
# @strata/onnx reads the ONNX schema (onnx.proto3) next to its compiled code at run time.
cp -r libs/onnx/src/schema "$out/libs/onnx/src/schema"
mkdir -p "$out/apps/$service"
cp -r "apps/$service/prisma" "$out/apps/$service/prisma"
echo "built $service -> $out/apps/$service/src/main.js"
