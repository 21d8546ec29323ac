#!/bin/sh
# The official zookeeper image's entrypoint contract, in POSIX sh: with no
# $ZOO_CONF_DIR/zoo.cfg, write one from the ZOO_* variables; write myid if
# missing; then run the command (zkServer.sh start-foreground by default).
set -e
if [ "${1:-}" = "zkServer.sh" ] && [ ! -f "$ZOO_CONF_DIR/zoo.cfg" ]; then
  config="$ZOO_CONF_DIR/zoo.cfg"
  {
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "admin.enableServer=$ZOO_ADMINSERVER_ENABLED"
    for server in ${ZOO_SERVERS:-server.1=localhost:2888:3888;2181}; do echo "$server"; done
    if [ -n "${ZOO_4LW_COMMANDS_WHITELIST:-}" ]; then echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"; fi
    for entry in ${ZOO_CFG_EXTRA:-}; do echo "$entry"; done
  } >"$config"
fi
if [ "${1:-}" = "zkServer.sh" ] && [ ! -f "$ZOO_DATA_DIR/myid" ]; then
  echo "${ZOO_MY_ID:-1}" >"$ZOO_DATA_DIR/myid"
fi
exec "$@"
