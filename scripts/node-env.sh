# Sourced: puts a Node.js of at least 22 first on PATH. The system's Node when
# it is new enough (ZK_CHAOS_NODE=24 asks for 24 or newer, as .ci/run does);
# otherwise Node 24 LTS from the npm registry (the node-linux-* packages, checked
# against their pinned sha512), with npm 11 beside it, in the project-local
# .node/ folder, said once. Nothing is installed system-wide.
zk_chaos_node_version=24.22.3
zk_chaos_npm_version=11.19.1
zk_chaos_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

zk_chaos_say() { echo "setup: $*" >&2; }

# Downloads $1 to $2 with what the machine has (curl, wget or python3).
zk_chaos_download() {
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$1" "$2"
  fi
}

# Fetches the npm package tarball $1 (its registry path) into folder $3, checking its sha512 integrity $2.
zk_chaos_fetch_package() {
  local tarball
  tarball="$(mktemp)"
  zk_chaos_download "https://registry.npmjs.org/$1" "$tarball" || { rm -f "$tarball"; return 1; }
  local digest
  digest="sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")"
  if [ "$digest" != "$2" ]; then
    zk_chaos_say "$1: the download does not match its pinned sha512; not using it"
    rm -f "$tarball"
    return 1
  fi
  mkdir -p "$3"
  tar -xzf "$tarball" -C "$3" --strip-components=1
  rm -f "$tarball"
}

zk_chaos_node_major() {
  if command -v node >/dev/null 2>&1; then node -p 'process.versions.node.split(".")[0]'; else echo 0; fi
}

zk_chaos_wanted=${ZK_CHAOS_NODE:-22}
if [ "$(zk_chaos_node_major)" -lt "$zk_chaos_wanted" ]; then
  zk_chaos_local="$zk_chaos_root/.node"
  if [ "$("$zk_chaos_local/bin/node" --version 2>/dev/null)" != "v$zk_chaos_node_version" ]; then
    case "$(uname -m)" in
      x86_64) zk_chaos_arch=x64; zk_chaos_integrity='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
      aarch64) zk_chaos_arch=arm64; zk_chaos_integrity='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
      *)
        zk_chaos_say "Node.js $(node --version 2>/dev/null || echo 'is missing and') is older than $zk_chaos_wanted, and no Node build is pinned for $(uname -m): install Node.js 22 or newer, then try again"
        return 2 2>/dev/null || exit 2 ;;
    esac
    zk_chaos_say "Node.js $(node --version 2>/dev/null || echo '(none)') is older than $zk_chaos_wanted: fetching Node $zk_chaos_node_version and npm $zk_chaos_npm_version from the npm registry into $zk_chaos_local (project-local)"
    rm -rf "$zk_chaos_local"
    if ! zk_chaos_fetch_package "node-linux-$zk_chaos_arch/-/node-linux-$zk_chaos_arch-$zk_chaos_node_version.tgz" "$zk_chaos_integrity" "$zk_chaos_local" ||
      ! zk_chaos_fetch_package "npm/-/npm-$zk_chaos_npm_version.tgz" 'sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==' "$zk_chaos_local/lib/node_modules/npm"; then
      rm -rf "$zk_chaos_local"
      zk_chaos_say "could not fetch Node.js from the npm registry: install Node.js 22 or newer, then try again"
      return 2 2>/dev/null || exit 2
    fi
    for zk_chaos_tool in npm npx; do
      printf '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../lib/node_modules/npm/bin/%s-cli.js" "$@"\n' "$zk_chaos_tool" >"$zk_chaos_local/bin/$zk_chaos_tool"
      chmod +x "$zk_chaos_local/bin/$zk_chaos_tool"
    done
  fi
  export PATH="$zk_chaos_local/bin:$PATH"
fi
