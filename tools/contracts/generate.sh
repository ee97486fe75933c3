#!/usr/bin/env bash
# Regenerates libs/contracts/src/gen (TypeScript types + NestJS gRPC interfaces) from
# protos/ with buf and the local ts-proto plugin pinned in package-lock.json. Offline.
#
#   tools/contracts/generate.sh            # write libs/contracts/src/gen
#   tools/contracts/generate.sh <dir>      # write <dir>/libs/contracts/src/gen instead
#                                          # (used by drift-check.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

buf=node_modules/.bin/buf
if [[ ! -x "$buf" || ! -x node_modules/.bin/protoc-gen-ts_proto ]]; then
  echo "contracts generate: buf or ts-proto missing from node_modules; run npm ci first" >&2
  exit 1
fi

args=(generate protos --template protos/buf.gen.yaml)
if [[ $# -gt 0 ]]; then
  args+=(--output "$1")
fi
"$buf" "${args[@]}"
