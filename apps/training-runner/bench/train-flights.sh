#!/usr/bin/env bash
# Compiles and runs bench/train-flights.ts (see its header) with the project's SWC settings,
# into tmp/train-bench/. Usage:
#   bash apps/training-runner/bench/train-flights.sh [--rows N] [--json out.json]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
out="tmp/train-bench"
rm -rf "$out"
node_modules/.bin/swc apps/training-runner/bench apps/training-runner/src/trainers apps/training-runner/src/evaluation \
  apps/training-runner/test/fixtures libs/onnx/src \
  -d "$out" --config-file .swcrc --ignore '**/*.spec.ts' --quiet
# @strata/onnx reads the ONNX schema next to its compiled code at run time.
cp -r libs/onnx/src/schema "$out/libs/onnx/src/schema"
exec node "$out/apps/training-runner/bench/train-flights.js" "$@"
