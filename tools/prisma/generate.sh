#!/usr/bin/env bash
# Generates one service's Prisma Client into apps/<service>/src/generated/prisma.
#
#   bash tools/prisma/generate.sh <service>
#
# Works offline and needs no database. Prisma 7 insists on resolving a schema-engine binary
# even for `generate` (which never runs it), and that binary cannot be downloaded here, so
# PRISMA_SCHEMA_ENGINE_BINARY points at any existing file. The output folder is wiped first
# so a model removed from the schema leaves no stale file behind. Quiet on success; on
# failure prints Prisma's output and exits non-zero.
set -euo pipefail

service="${1:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
config="apps/${service}/prisma.config.ts"

if [[ -z "${service}" || ! -f "${root}/${config}" ]]; then
  echo "usage: tools/prisma/generate.sh <service>  (no ${config:-apps/<service>/prisma.config.ts})" >&2
  exit 2
fi

cd "${root}"
rm -rf "apps/${service}/src/generated/prisma"

export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-${root}/tools/prisma/generate.sh}"
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 NO_COLOR=1

if ! output="$(node_modules/.bin/prisma generate --config "${config}" --no-hints 2>&1)"; then
  echo "${output}" >&2
  echo "prisma generate failed for ${service}" >&2
  exit 1
fi
