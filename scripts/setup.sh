#!/usr/bin/env bash
# Installs what zk-chaos needs and is missing: Java and ZooKeeper (through apt
# when root), the node modules, and the compiled library. Quiet when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup: $*" >&2; }

# Node.js 22 or newer: the system's, or Node 24 from the npm registry in .node/ (said when fetched).
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh

# --test also installs what the test suite needs beyond running (a headless browser for the HTML report test).
for_tests=false
[ "${1:-}" = "--test" ] && for_tests=true

apt_packages=()
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  apt_packages+=(default-jre-headless)
fi
if [ -z "${ZK_HOME:-}" ] && [ ! -f /usr/share/java/zookeeper.jar ]; then
  apt_packages+=(zookeeper)
fi
if $for_tests && ! command -v chromium >/dev/null 2>&1; then
  apt_packages+=(chromium)
fi
# The slow-fsync fault mounts a FUSE pass-through written with Debian's fusepy (tests say skipped without it).
if $for_tests && ! /usr/bin/python3 -c 'import fusepy' >/dev/null 2>&1; then
  apt_packages+=(python3-fusepy)
fi
# The ssh provider's tests run servers on a rig of namespace hosts, each with its own sshd (they say skipped without it).
if $for_tests && [ ! -x /usr/sbin/sshd ]; then
  apt_packages+=(openssh-server)
fi
# The ssh provider's kernel fault network cuts links with iptables and shapes them with tc on each host (the rig's hosts share this machine's tools).
if $for_tests && ! command -v iptables >/dev/null 2>&1; then
  apt_packages+=(iptables)
fi
if $for_tests && ! command -v tc >/dev/null 2>&1; then
  apt_packages+=(iproute2)
fi
# The version tests resolve ZooKeeper releases with Maven (they say skipped without it).
if $for_tests && ! command -v mvn >/dev/null 2>&1; then
  apt_packages+=(maven)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${apt_packages[*]}: run 'sudo apt-get install -y ${apt_packages[*]}' (or set JAVA_HOME / ZK_HOME), then try again"
    exit 2
  fi
  say "installing ${apt_packages[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

npx --no-install tsc -p tsconfig.build.json

# With a reachable engine, the docker tests need images; none can be pulled
# here, so build the local ones from this machine (seconds), unless the
# environment names other images. The Toxiproxy image carries the built
# library, so it is rebuilt every time.
if $for_tests && command -v docker >/dev/null 2>&1 && docker version >/dev/null 2>&1; then
  if [ -z "${ZK_CHAOS_ZOOKEEPER_IMAGE:-}" ] && ! docker image inspect zk-chaos/zookeeper:local >/dev/null 2>&1; then
    if ! command -v jlink >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing default-jdk-headless (jlink builds the image's JRE)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless >/dev/null || true
    fi
    bash docker/build-zookeeper-image.sh >&2 || say "could not build zk-chaos/zookeeper:local: docker tests will be skipped"
  fi
  if [ -z "${ZK_CHAOS_TOXIPROXY_IMAGE:-}" ]; then
    bash docker/build-toxiproxy-image.sh >&2 || say "could not build zk-chaos/toxiproxy:local: docker tests will be skipped"
  fi
fi
