#!/usr/bin/env bash
# Builds the strata CLI into dist/cli/ as plain CommonJS, ready for `node` (or the bin shim):
#   dist/cli/apps/cli/src/main.js   the entry point
#   dist/cli/libs/<lib>/src/...     the shared libs it uses (aliases rewritten to relative paths)
#   dist/cli/protos/                the contracts, loaded at run time by @grpc/proto-loader
# Like tools/build/build-service.sh, minus the Prisma schema a CLI does not have. The
# service-runtime lib (and what it imports) is only loaded to decode error details.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="dist/cli"
rm -rf "$out"
libs=(libs/contracts/src libs/config/src libs/observability/src libs/persistence/src libs/service-runtime/src libs/trace-collector/src)
node_modules/.bin/swc apps/cli/src "${libs[@]}" -d "$out" --config-file .swcrc \
  --ignore '**/*.spec.ts' --quiet
cp -r protos "$out/protos"
chmod +x "$out/apps/cli/src/main.js"
echo "built cli -> $out/apps/cli/src/main.js"
