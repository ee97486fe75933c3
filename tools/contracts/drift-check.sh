#!/usr/bin/env bash
# Fails when libs/contracts/src/gen differs from what protos/ generates: a proto changed
# without regenerating, a generated file was edited by hand, a stale file remains, or the
# regenerated code was not committed. Two checks:
#   1. regenerate into a temporary directory and compare with the working tree;
#   2. when the repository has a commit, require libs/contracts/src/gen to have no
#      uncommitted changes and no untracked files (git status), so that running it after
#      an in-place `generate` (as `nx run contracts:contracts-drift` does) still catches
#      generated code that differs from what is committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

gen=libs/contracts/src/gen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tools/contracts/generate.sh "$tmp"

if [[ ! -d "$gen" ]]; then
  echo "contracts-drift: $gen does not exist; run tools/contracts/generate.sh and commit the result" >&2
  exit 1
fi

drift=$(diff -rq "$tmp/$gen" "$gen" || true)
if [[ -z "$drift" ]]; then
  if ! git rev-parse --verify --quiet HEAD >/dev/null; then
    echo "contracts-drift: $gen is up to date with protos/ (no commit yet: working tree only)"
    exit 0
  fi
  uncommitted=$(git status --porcelain --untracked-files=all -- "$gen")
  if [[ -z "$uncommitted" ]]; then
    echo "contracts-drift: $gen is up to date with protos/ and committed"
    exit 0
  fi
  echo "contracts-drift: $gen is regenerated but differs from the last commit:" >&2
  while IFS= read -r line; do
    case "${line:0:2}" in
      "??") echo "  untracked: ${line:3}" >&2 ;;
      *D*) echo "  deleted:   ${line:3}" >&2 ;;
      *) echo "  changed:   ${line:3}" >&2 ;;
    esac
  done <<<"$uncommitted"
  echo "Commit libs/contracts/src/gen together with the protos/ change that produced it." >&2
  exit 1
fi

echo "contracts-drift: $gen does not match protos/:" >&2
while IFS= read -r line; do
  case "$line" in
    "Files "*" differ")
      file=${line#Files "$tmp/"}
      echo "  changed:  ${file%% and *}" >&2
      ;;
    "Only in $tmp/"*)
      rest=${line#Only in "$tmp/"}
      echo "  missing:  ${rest%%: *}/${rest#*: }" >&2
      ;;
    "Only in "*)
      rest=${line#Only in }
      echo "  stale:    ${rest%%: *}/${rest#*: }" >&2
      ;;
    *)
      echo "  $line" >&2
      ;;
  esac
done <<<"$drift"
echo "Run tools/contracts/generate.sh (or npx nx run contracts:generate) and commit libs/contracts/src/gen." >&2
exit 1
