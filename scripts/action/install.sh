#!/usr/bin/env bash
# The GitHub Action's install step: zk-chaos from the action's own checkout
# (its `prepare` builds the library), and Java for local servers. ZooKeeper
# itself needs no package: releases resolve from Maven Central into the cache.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
npm ci --no-audit --no-fund --loglevel=error
if [ "${ZK_CHAOS_PROVIDER:-local}" = "local" ] && ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  echo "zk-chaos: installing Java (default-jre-headless)" >&2
  sudo apt-get update -qq
  sudo apt-get install -y -qq default-jre-headless >/dev/null
fi
node bin/zk-chaos.js --version
