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
# dockerd leaves mounts under its roots (e.g. exec/netns/default): unmount them, deepest first.
awk -v root="$dir/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mount; do
  umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true
done
rm -rf "$dir"
