#!/bin/sh
# The part of ZooKeeper's zkServer.sh that the official images' contract
# uses: `zkServer.sh start-foreground [zoo.cfg]`, honouring SERVER_JVMFLAGS
# and JVMFLAGS, logging to the console.
case "${1:-}" in
  start-foreground) ;;
  *)
    echo "zkServer.sh: this image supports only 'start-foreground [zoo.cfg]'" >&2
    exit 2
    ;;
esac
config="${2:-zoo.cfg}"
case "$config" in
  /*) ;;
  *) config="$ZOOCFGDIR/$config" ;;
esac
# The flag variables split into words on purpose, as in ZooKeeper's own script.
# shellcheck disable=SC2086
exec java "-Dzookeeper.log.dir=$ZOO_LOG_DIR" "-Dlog4j.configuration=file:$ZOOCFGDIR/log4j.properties" \
  -XX:+HeapDumpOnOutOfMemoryError -cp "$CLASSPATH" $SERVER_JVMFLAGS $JVMFLAGS \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$config"
