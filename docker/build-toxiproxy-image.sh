#!/usr/bin/env bash
# Builds a Toxiproxy image WITHOUT a registry: this machine's node and
# zk-chaos's built-in Toxiproxy-compatible server, imported with `docker
# import`. It keeps the official image's contract (ENTRYPOINT /toxiproxy,
# flags -host and -port, the HTTP API of Toxiproxy 2.12), so the docker
# provider runs it exactly as it runs ghcr.io/shopify/toxiproxy. For machines
# that cannot pull the official image; prefer the official image where you can.
#
#   docker/build-toxiproxy-image.sh [image-tag]   (default zk-chaos/toxiproxy:local)
# Needs: docker (an engine reachable through DOCKER_HOST or the default socket),
# node, and a built zk-chaos (npm run build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=rootfs/closure.sh
. "$here/rootfs/closure.sh"
tag="${1:-zk-chaos/toxiproxy:local}"
main="$here/../dist/src/network/toxiproxy/toxiproxy-main.js"
if [ ! -f "$main" ]; then
  echo "build-toxiproxy-image: $main is missing: run 'npm run build' first" >&2
  exit 2
fi
node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  echo "build-toxiproxy-image: no node on PATH: install Node.js 22 or newer" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/app" "$root/tmp"
chmod 1777 "$root/tmp"
copy_with_libraries "$root" "$(readlink -f "$node_bin")"
add_shell "$root"
cp -r "$here/../dist/src" "$root/app/src"
echo '{"type":"module"}' >"$root/app/package.json"
cat >"$root/toxiproxy" <<SCRIPT
#!/bin/sh
exec $(readlink -f "$node_bin") /app/src/network/toxiproxy/toxiproxy-main.js "\$@"
SCRIPT
chmod 0755 "$root/toxiproxy"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/bin:/bin' \
  --change 'WORKDIR /' \
  --change 'ENTRYPOINT ["/toxiproxy"]' \
  --change 'CMD ["-host=0.0.0.0"]' \
  - "$tag" >/dev/null
echo "built $tag ($(image_size "$tag"))"
