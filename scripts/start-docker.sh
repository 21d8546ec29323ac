#!/usr/bin/env bash
# Starts a private Docker engine for the docker tests, as ZOOKEEPER-NOTES.md
# describes: no bridge, no iptables, host networking only (traffic stays on
# loopback), its own data, exec root and socket under a temp folder
# (scripts/setup.sh --test then builds the images, with no registry). Prints
# the folder on success; on any failure says why on stderr and prints nothing.
#   dir=$(bash scripts/start-docker.sh) && export DOCKER_HOST=unix://$dir/docker.sock
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "docker: $*" >&2; }

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing docker.io"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null 2>&1 || { say "could not install docker.io: docker tests skipped"; exit 0; }
  else
    say "no dockerd and not root: docker tests skipped"
    exit 0
  fi
fi
dir="$(mktemp -d /tmp/zk-chaos-docker-XXXXXX)"
dockerd --bridge=none --iptables=false --ip-masq=false \
  --data-root "$dir/data" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" \
  >"$dir/dockerd.log" 2>&1 &
for _ in $(seq 1 100); do
  DOCKER_HOST="unix://$dir/docker.sock" docker version >/dev/null 2>&1 && break
  sleep 0.2
done
if ! DOCKER_HOST="unix://$dir/docker.sock" docker version >/dev/null 2>&1; then
  say "dockerd did not start ($(tail -1 "$dir/dockerd.log")): docker tests skipped"
  [ -f "$dir/docker.pid" ] && kill "$(cat "$dir/docker.pid")" 2>/dev/null
  exit 0
fi
echo "$dir"
