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
needed=()
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  apt_packages+=(default-jre-headless)
  needed+=(default-jre-headless)
fi
# ZooKeeper: Debian's package when apt can install it; otherwise zk-chaos resolves a release
# from Maven Central into its cache on first use, and only Maven is needed.
if [ -z "${ZK_HOME:-}" ] && [ ! -f /usr/share/java/zookeeper.jar ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt_packages+=(zookeeper)
  elif ! command -v mvn >/dev/null 2>&1 && [ -z "${ZK_CHAOS_MVN:-}" ]; then
    needed+=(maven)
  else
    say "no ZooKeeper package: the first run resolves a release from Maven Central into ~/.cache/zk-chaos"
  fi
fi
if $for_tests && ! command -v chromium >/dev/null 2>&1; then
  apt_packages+=(chromium)
fi
# The slow-fsync fault mounts a FUSE pass-through written with Debian's fusepy (tests say skipped without it).
if $for_tests && ! /usr/bin/python3 -c 'import fusepy' >/dev/null 2>&1; then
  apt_packages+=(python3-fusepy)
fi
# The clock fault preloads Debian's libfaketime into the server JVMs (tests say skipped without it).
if $for_tests && ! ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1; then
  apt_packages+=(libfaketime)
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
    # Without root or apt: what running needs stops here; what only tests need is skipped by them.
    if [ ${#needed[@]} -gt 0 ]; then
      say "missing ${needed[*]}: install it (Debian/Ubuntu: sudo apt-get install -y ${needed[*]}; Fedora/RHEL: sudo dnf install -y java-17-openjdk-headless maven), or set JAVA_HOME / ZK_HOME; 'zk-chaos doctor' says more"
      exit 2
    fi
    say "not installed (the tests that need them say skipped): ${apt_packages[*]}"
    apt_packages=()
  fi
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
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
