#!/usr/bin/env bash
# buf breaking (FILE rules, see protos/buf.yaml) of the working tree's protos/ against the
# main branch's protos/. Override the baseline with BUF_BREAKING_AGAINST, any buf input,
# e.g. BUF_BREAKING_AGAINST='.git#branch=release-1.2,subdir=protos' or a path to an image.
#
# Without an override the baseline is the local branch `main`, else `origin/main`. When no
# commit on it contains protos/ yet (a new repository), the check is skipped with a reason.
# In CI on main itself (HEAD == main, protos unchanged) it compares with main's previous commit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

buf=node_modules/.bin/buf
against=${BUF_BREAKING_AGAINST:-}

if [[ -z "$against" ]]; then
  ref=""
  for candidate in refs/heads/main refs/remotes/origin/main; do
    if git rev-parse --verify --quiet "$candidate^{commit}" >/dev/null; then
      ref=$candidate
      break
    fi
  done
  if [[ -z "$ref" ]]; then
    echo "buf breaking skipped: no earlier commit on main with protos/ (branch main does not exist yet)"
    exit 0
  fi
  if [[ -z "$(git ls-tree "$ref" -- protos)" ]]; then
    echo "buf breaking skipped: no earlier commit on main with protos/ ($ref has no protos/ directory)"
    exit 0
  fi
  # On main itself (CI's fresh clone), compare with main's previous commit instead of itself.
  if [[ "$(git rev-parse "$ref^{commit}")" == "$(git rev-parse HEAD)" ]] && git diff --quiet HEAD -- protos; then
    if git rev-parse --verify --quiet "$ref~1^{commit}" >/dev/null && [[ -n "$(git ls-tree "$ref~1" -- protos)" ]]; then
      ref="$(git rev-parse "$ref~1")"
    else
      echo "buf breaking skipped: no earlier commit on main with protos/ (HEAD is main's first commit with protos/)"
      exit 0
    fi
  fi
  git_dir=$(git rev-parse --path-format=absolute --git-common-dir)
  against="$git_dir#format=git,ref=$ref,subdir=protos"
fi

echo "buf breaking: protos/ against $against"
"$buf" breaking protos --against "$against"
echo "buf breaking: no breaking changes"
