#!/usr/bin/env bash
# Runs a command on a Node.js of at least 22 (scripts/node-env.sh) after
# scripts/setup.sh has installed what is missing (--test: what the tests need too).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
if [ "${1:-}" = "--test" ]; then
  shift
  bash scripts/setup.sh --test
else
  bash scripts/setup.sh
fi
exec "$@"
