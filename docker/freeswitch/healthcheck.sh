#!/bin/sh
# Docker health check of the hotline FreeSWITCH: the event socket answers with our password
# and the core reports itself up ("UP ... FreeSWITCH (Version ...) is ready").
# Uses the same address, port and password as the hotline server.
set -eu

host=${HOTLINE_ESL_LISTEN_IP:-127.0.0.1}
case $host in
  0.0.0.0 | "::" | "") host=127.0.0.1 ;;
esac

fs_cli -H "$host" -P "${HOTLINE_ESL_PORT:-8021}" -p "${HOTLINE_ESL_PASSWORD:?}" -x status | grep -q '^UP '
