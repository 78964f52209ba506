#!/bin/sh
# Entrypoint of the hotline FreeSWITCH container.
#
#   docker-entrypoint.sh freeswitch   check settings, prepare directories, run FreeSWITCH
#   docker-entrypoint.sh CMD ARGS...  run anything else (fs_cli, sh, ...) unchanged
#
# Runs as root, then FreeSWITCH drops to user "freeswitch", group "hotline" (-u/-g), so the
# files it writes into the shared recordings volume belong to the group the hotline server
# is also in.
set -eu

if [ "${1:-}" != "freeswitch" ]; then
  exec "$@"
fi
shift

log() { echo "docker-entrypoint: $*" >&2; }

# 1. Settings. Empty optional variables are removed first: FreeSWITCH's env-set would
#    otherwise replace the defaults in vars_hotline.xml with an empty string.
for name in HOTLINE_ESL_LISTEN_IP HOTLINE_ESL_PORT HOTLINE_ESL_ALLOWED_CIDR \
  HOTLINE_SIP_DOMAIN HOTLINE_SIP_WSS_PORT HOTLINE_EXTERNAL_IP HOTLINE_FS_DEFAULT_PASSWORD \
  MOD_AUDIO_FORK_SUBPROTOCOL_NAME MOD_AUDIO_FORK_SERVICE_THREADS MOD_AUDIO_FORK_BUFFER_SECS; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || unset "$name"
done

env_file=$(mktemp)
if ! sh /usr/local/bin/hotline-env.sh >"$env_file"; then
  rm -f "$env_file"
  log "refusing to start FreeSWITCH: fix the settings above (docker/.env)"
  exit 1
fi
set -a
. "$env_file"
set +a
rm -f "$env_file"
# The server's secret is not needed once the agent passwords are derived.
unset HOTLINE_SIP_PASSWORD_SECRET

# 2. Shared directories (named volumes). Group "hotline" with setgid, so that files keep
#    the group whoever writes them; both containers' users are in that group.
for dir in /var/lib/hotline/prompts /var/lib/hotline/recordings; do
  mkdir -p "$dir"
  if ! { chgrp hotline "$dir" && chmod 2775 "$dir"; }; then
    log "WARNING: cannot give $dir to group hotline (read-only mount?)"
  fi
done
for dir in /var/log/freeswitch /var/lib/freeswitch /var/run/freeswitch /etc/freeswitch/tls; do
  mkdir -p "$dir"
  chown freeswitch:freeswitch "$dir"
done

# 3. TLS certificate for the agents' WSS connection (sip_profiles/internal.xml).
#    Mounted read-only at /run/hotline-tls, either as fullchain.pem + privkey.pem (the
#    usual names from an ACME client or a CA) or as one ready-made wss.pem.
tls_in=/run/hotline-tls
wss=/etc/freeswitch/tls/wss.pem
if [ -f "$tls_in/fullchain.pem" ] && [ -f "$tls_in/privkey.pem" ]; then
  (umask 077 && cat "$tls_in/fullchain.pem" "$tls_in/privkey.pem" >"$wss")
  chown freeswitch:freeswitch "$wss"
  log "WSS certificate: $tls_in/fullchain.pem + privkey.pem"
elif [ -f "$tls_in/wss.pem" ]; then
  (umask 077 && cat "$tls_in/wss.pem" >"$wss")
  chown freeswitch:freeswitch "$wss"
  log "WSS certificate: $tls_in/wss.pem"
elif [ -f "$wss" ]; then
  log "WSS certificate: keeping the existing $wss"
else
  log "WARNING: no WSS certificate in $tls_in; FreeSWITCH will generate a self-signed"
  log "WARNING: one, which browsers reject for wss://. Agents' softphones will not connect."
fi

# 4. Run FreeSWITCH in the foreground (-nf) without its console (-nc), without NAT-PMP /
#    UPnP probing (-nonat: slow and pointless in a data centre). SIGTERM from
#    "docker stop" makes it hang up all calls and exit.
exec /usr/bin/freeswitch -nonat -nf -nc -u freeswitch -g hotline "$@"
