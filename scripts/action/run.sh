#!/usr/bin/env bash
# The GitHub Action's run step. Every input arrives as an environment variable;
# none is evaluated: scenario globs expand, nothing else happens to them.
# Exit code: zk-chaos's (0 valid, 1 anomaly, 2 bad input, 3 undecided), an
# anomaly turned into 0 when ZK_CHAOS_FAIL_ON_ANOMALY is false.
set -uo pipefail
action="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as the zk-chaos action}"
out="${ZK_CHAOS_OUT:-zk-chaos-reports}"
seed="${ZK_CHAOS_SEED:-}"
[ -n "$seed" ] || seed="${GITHUB_RUN_NUMBER:-1}"

read -r -a patterns <<< "${ZK_CHAOS_SCENARIOS:-}"
[ ${#patterns[@]} -gt 0 ] || patterns=("$action/scenarios/*.yaml")
shopt -s nullglob
scenarios=()
for pattern in "${patterns[@]}"; do
  # shellcheck disable=SC2206 # the pattern is meant to glob, and only to glob
  matches=($pattern)
  if [ ${#matches[@]} -eq 0 ]; then
    echo "::error title=zk-chaos::no scenario file matches '$pattern': check the scenarios input (paths are relative to the workspace)"
    exit 2
  fi
  scenarios+=("${matches[@]}")
done
shopt -u nullglob

common=(--seed "$seed")
[ -z "${ZK_CHAOS_PROVIDER:-}" ] || common+=(--provider "$ZK_CHAOS_PROVIDER")
run=(run "${scenarios[@]}" --nodes "${ZK_CHAOS_NODES:-3}" --out "$out" "${common[@]}")
[ -z "${ZK_CHAOS_VERSION:-}" ] || run+=(--zookeeper-version "$ZK_CHAOS_VERSION")
[ -z "${ZK_CHAOS_SHARD:-}" ] || run+=(--shard "$ZK_CHAOS_SHARD")
[ -z "${ZK_CHAOS_DURATION:-}" ] || run+=(--duration "$ZK_CHAOS_DURATION")

# The graver of two exit codes: bad input, then an anomaly, then undecided, then valid.
rank() { case "$1" in 2) echo 4 ;; 1) echo 3 ;; 0) echo 0 ;; *) echo 2 ;; esac; }
worst() { if [ "$(rank "$1")" -ge "$(rank "$2")" ]; then echo "$1"; else echo "$2"; fi; }

code=0
node "$action/bin/zk-chaos.js" "${run[@]}" || code=$?

# The search after the scenarios (on the first size and version), when asked for and nothing was refused.
if [ -n "${ZK_CHAOS_BUDGET:-}" ] && [ "$code" -ne 2 ]; then
  explore=(explore --budget "$ZK_CHAOS_BUDGET" --nodes "${ZK_CHAOS_NODES%%,*}" --out "$out/explore" --quiet "${common[@]}")
  [ -z "${ZK_CHAOS_VERSION:-}" ] || explore+=(--zookeeper-version "${ZK_CHAOS_VERSION%%,*}")
  explored=0
  node "$action/bin/zk-chaos.js" "${explore[@]}" || explored=$?
  code=$(worst "$code" "$explored")
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
  echo "report-folder=$out" >> "$GITHUB_OUTPUT"
fi
if [ "$code" -eq 1 ] && [ "${ZK_CHAOS_FAIL_ON_ANOMALY:-true}" = "false" ]; then
  echo "zk-chaos: anomalies found (see the annotations and $out); fail-on-anomaly is false, so this step passes" >&2
  exit 0
fi
exit "$code"
