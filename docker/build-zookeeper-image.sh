#!/usr/bin/env bash
# Builds a ZooKeeper image WITHOUT a registry, from this machine's install:
# a minimal JRE made with jlink, ZooKeeper's jars and their library closure,
# imported with `docker import`. For air-gapped runners and machines that
# cannot pull images.
#   docker/build-zookeeper-image.sh [image-tag]   (default zk-chaos/zookeeper:local)
# Needs: docker (an engine reachable through DOCKER_HOST or the default socket),
# a JDK with jlink, and ZooKeeper (Debian's `zookeeper` package or ZK_HOME).
set -euo pipefail
tag="${1:-zk-chaos/zookeeper:local}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

jlink_bin="$(command -v jlink || true)"
if [ -z "$jlink_bin" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then jlink_bin="$JAVA_HOME/bin/jlink"; fi
if [ -z "$jlink_bin" ]; then
  echo "build-zookeeper-image: no jlink: install a JDK (apt-get install -y default-jdk-headless) or set JAVA_HOME" >&2
  exit 2
fi

root="$work/rootfs"
mkdir -p "$root/opt/zookeeper/lib" "$root/conf" "$root/data" "$root/tmp"
"$jlink_bin" --add-modules java.base,java.desktop,java.xml,java.management,java.naming,java.security.jgss,java.security.sasl,java.sql,jdk.management,jdk.unsupported,jdk.crypto.ec \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$root/opt/java" >/dev/null

# The JRE is linked against the host's C library: copy the closure of shared
# libraries its binaries need, at the same paths (the image has no distribution).
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 |
  xargs -0 ldd 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
for loader in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
  if [ -e "$loader" ]; then mkdir -p "$root$(dirname "$loader")"; cp -L "$loader" "$root$loader"; fi
done

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
cat > "$root/conf/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] %-5p [%t:%C{1}@%L] - %m%n
PROPS

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/java/bin:/usr/bin:/bin' \
  --change 'ENV CLASSPATH=/opt/zookeeper/lib/*' \
  --change 'WORKDIR /' \
  --change 'ENTRYPOINT ["/opt/java/bin/java", "-Dlog4j.configuration=file:/conf/log4j.properties", "org.apache.zookeeper.server.quorum.QuorumPeerMain"]' \
  --change 'CMD ["/conf/zoo.cfg"]' \
  - "$tag" >/dev/null
echo "built $tag ($(docker image inspect "$tag" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
