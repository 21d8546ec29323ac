#!/usr/bin/env bash
# Stops the private engine started by start-docker.sh (by its pid) and removes its folder.
set -uo pipefail
dir="${1:-}"
[ -n "$dir" ] && [ -d "$dir" ] || exit 0
if [ -f "$dir/docker.pid" ]; then
  pid="$(cat "$dir/docker.pid")"
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
umount -R "$dir/exec" "$dir/data" 2>/dev/null || true
rm -rf "$dir"
