#!/usr/bin/env bash
# Builds a ZooKeeper image WITHOUT a registry, from this machine's install:
# a minimal JRE made with jlink, ZooKeeper's jars and their library closure,
# a POSIX shell, imported with `docker import`. For air-gapped runners and
# machines that cannot pull images.
#
# The image keeps the official `zookeeper` image's contract, so the docker
# provider runs either one the same way: /docker-entrypoint.sh (ZOO_MY_ID,
# ZOO_SERVERS, ... write /conf/zoo.cfg and /data/myid when absent), `zkServer.sh
# start-foreground [zoo.cfg]` on PATH honouring SERVER_JVMFLAGS, logs on the console.
#
#   docker/build-zookeeper-image.sh [image-tag]   (default zk-chaos/zookeeper:local)
#   docker/build-zookeeper-image.sh --version 3.4.5 [image-tag]   (default zookeeper:3.4.5)
# Tag it zookeeper:3.8.0 to stand in for the official image on an air-gapped runner.
# With --version, the jars come from zk-chaos's cache (resolved with Maven on first
# use, `zk-chaos zookeeper fetch`), so `--provider docker --zookeeper-version V` finds
# zookeeper:V on the engine.
# Needs: docker (an engine reachable through DOCKER_HOST or the default socket),
# a JDK with jlink, and ZooKeeper (Debian's `zookeeper` package or ZK_HOME).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=rootfs/closure.sh
. "$here/rootfs/closure.sh"
version=""
if [ "${1:-}" = "--version" ]; then
  version="${2:?--version needs a ZooKeeper version, e.g. 3.4.5}"
  shift 2
  if ! printf '%s' "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'; then
    echo "build-zookeeper-image: '$version' is not a ZooKeeper version: write it x.y.z, e.g. 3.4.5" >&2
    exit 2
  fi
  # The cache entry's lib/ holds the release's whole class path.
  ZK_HOME="$(node "$here/../bin/zk-chaos.js" zookeeper fetch "$version" | awk '{ print $2 }')"
  export ZK_HOME
fi
tag="${1:-${version:+zookeeper:$version}}"
tag="${tag:-zk-chaos/zookeeper:local}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

jlink_bin="$(command -v jlink || true)"
if [ -z "$jlink_bin" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then jlink_bin="$JAVA_HOME/bin/jlink"; fi
if [ -z "$jlink_bin" ]; then
  echo "build-zookeeper-image: no jlink: install a JDK (apt-get install -y default-jdk-headless) or set JAVA_HOME" >&2
  exit 2
fi

root="$work/rootfs"
mkdir -p "$root/opt/zookeeper/lib" "$root/opt/zookeeper/bin" "$root/conf" "$root/data" "$root/datalog" "$root/logs" "$root/tmp"
chmod 1777 "$root/tmp"
"$jlink_bin" --add-modules java.base,java.desktop,java.xml,java.management,java.naming,java.security.jgss,java.security.sasl,java.sql,jdk.management,jdk.unsupported,jdk.crypto.ec \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$root/opt/java" >/dev/null
# The JRE is linked against the host's C library: bring the closure along.
mapfile -d '' java_files < <(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0)
copy_libraries "$root" "${java_files[@]}"
add_shell "$root"
# sleep: the docker provider's address holders on a bridge network run `sleep infinity`, as the official image can.
copy_with_libraries "$root" "$(readlink -f "$(command -v sleep)")"

if [ -n "${ZK_HOME:-}" ]; then
  cp "$ZK_HOME"/lib/*.jar "$root/opt/zookeeper/lib/" 2>/dev/null || cp "$ZK_HOME"/*.jar "$root/opt/zookeeper/lib/"
elif [ -f /usr/share/java/zookeeper.jar ]; then
  # zookeeper.jar's manifest names its dependencies; add the log4j binding it lacks.
  # Class-Path may wrap: continuation lines start with one space.
  deps=$(unzip -p /usr/share/java/zookeeper.jar META-INF/MANIFEST.MF | tr -d '\r' |
    awk '/^Class-Path:/ { on = 1; sub(/^Class-Path: ?/, ""); printf "%s", $0; next } on && /^ / { printf "%s", substr($0, 2); next } { on = 0 }' |
    tr ' ' '\n' | grep '\.jar$' || true)
  for jar in /usr/share/java/zookeeper.jar /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar $deps; do
    [ -f "$jar" ] && cp -L "$jar" "$root/opt/zookeeper/lib/"
  done
else
  echo "build-zookeeper-image: ZooKeeper not found: apt-get install -y zookeeper, or set ZK_HOME" >&2
  exit 2
fi
install -m 0755 "$here/rootfs/zkServer.sh" "$root/opt/zookeeper/bin/zkServer.sh"
install -m 0755 "$here/rootfs/docker-entrypoint.sh" "$root/docker-entrypoint.sh"
cat > "$root/conf/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] %-5p [%t:%C{1}@%L] - %m%n
PROPS

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/zookeeper/bin:/opt/java/bin:/usr/bin:/bin' \
  --change 'ENV CLASSPATH=/opt/zookeeper/lib/*' \
  --change 'ENV ZOO_CONF_DIR=/conf ZOO_DATA_DIR=/data ZOO_DATA_LOG_DIR=/datalog ZOO_LOG_DIR=/logs ZOOCFGDIR=/conf' \
  --change 'ENV ZOO_TICK_TIME=2000 ZOO_INIT_LIMIT=5 ZOO_SYNC_LIMIT=2 ZOO_MAX_CLIENT_CNXNS=60 ZOO_STANDALONE_ENABLED=true ZOO_ADMINSERVER_ENABLED=true' \
  --change 'WORKDIR /' \
  --change 'ENTRYPOINT ["/docker-entrypoint.sh"]' \
  --change 'CMD ["zkServer.sh", "start-foreground"]' \
  - "$tag" >/dev/null
echo "built $tag ($(image_size "$tag"))"
