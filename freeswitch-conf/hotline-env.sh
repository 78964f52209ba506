#!/bin/sh
# hotline-env.sh: check the 12345 hotline's FreeSWITCH settings and print them, with the
# derived agent passwords, as KEY=value lines (an environment file).
#
# FreeSWITCH reads these variables at start-up through vars_hotline.xml (env-set).
#
#   Docker:   docker/freeswitch/docker-entrypoint.sh runs this script and exports its
#             output before it starts FreeSWITCH.
#   systemd:  run it once per change of settings, as root:
#               HOTLINE_ESL_PASSWORD=... HOTLINE_SIP_PASSWORD_SECRET=... \
#                 sh hotline-env.sh > /etc/freeswitch/hotline.env
#               chmod 600 /etc/freeswitch/hotline.env
#             then point the service at it (EnvironmentFile=, see README.md).
#
# Input (environment):
#   HOTLINE_ESL_PASSWORD          required. Event socket password, 16+ characters from
#                                 [A-Za-z0-9._~-], not "ClueCon". Same value as the
#                                 server's HOTLINE_ESL_PASSWORD.
#   HOTLINE_SIP_PASSWORD_SECRET   required. 32+ characters. Agent seat N gets the SIP
#                                 password hex(HMAC-SHA256(key=secret, msg=N))[0:32].
#                                 Same value as the server's HOTLINE_SIP_PASSWORD_SECRET.
#   HOTLINE_ESL_LISTEN_IP, HOTLINE_ESL_PORT, HOTLINE_ESL_ALLOWED_CIDR, HOTLINE_SIP_DOMAIN,
#   HOTLINE_SIP_WSS_PORT, HOTLINE_EXTERNAL_IP
#                                 optional; copied through when set and not empty
#                                 (an EMPTY value would override the default with "").
#   HOTLINE_FS_DEFAULT_PASSWORD   optional; a random value is generated when unset.
#
# Output: KEY=value lines on stdout, nothing else. Values never contain spaces or quotes,
# so the output can be sourced by sh and read by systemd's EnvironmentFile=.
# Exit status 1, with a message on stderr, when a required value is missing or weak.
#
# Needs: sh, openssl.
set -eu

# Agent seats that exist in directory/default/ (1000.xml .. 1019.xml).
AGENT_FIRST=1000
AGENT_LAST=1019

die() {
  echo "hotline-env.sh: $*" >&2
  exit 1
}

command -v openssl >/dev/null 2>&1 || die "openssl is required"

esl_password=${HOTLINE_ESL_PASSWORD:-}
sip_secret=${HOTLINE_SIP_PASSWORD_SECRET:-}

[ -n "$esl_password" ] || die "HOTLINE_ESL_PASSWORD is not set (generate one: openssl rand -hex 24)"
[ "$(printf '%s' "$esl_password" | tr 'A-Z' 'a-z')" != cluecon ] ||
  die "HOTLINE_ESL_PASSWORD must not be the FreeSWITCH default ClueCon"
case $esl_password in
  *[!A-Za-z0-9._~-]*) die "HOTLINE_ESL_PASSWORD may only contain A-Z a-z 0-9 . _ ~ -" ;;
esac
[ "${#esl_password}" -ge 16 ] || die "HOTLINE_ESL_PASSWORD must be at least 16 characters"

[ -n "$sip_secret" ] || die "HOTLINE_SIP_PASSWORD_SECRET is not set (generate one: openssl rand -hex 32)"
[ "${#sip_secret}" -ge 32 ] || die "HOTLINE_SIP_PASSWORD_SECRET must be at least 32 characters"

# Everything is collected first and printed at the very end, so that a failed check
# never leaves a half-written environment file behind.
out=
emit() { # emit NAME VALUE
  out="$out$1=$2
"
}

# Emit NAME=value for optional settings that are set and not empty, after checking that
# the value is safe to paste into FreeSWITCH XML and into an environment file.
pass_through() {
  for name in "$@"; do
    eval "value=\${$name:-}"
    [ -n "$value" ] || continue
    case $value in
      *[!A-Za-z0-9.:/_-]*) die "$name contains characters other than A-Z a-z 0-9 . : / _ -" ;;
    esac
    emit "$name" "$value"
  done
}

emit HOTLINE_ESL_PASSWORD "$esl_password"
pass_through HOTLINE_ESL_LISTEN_IP HOTLINE_ESL_PORT HOTLINE_ESL_ALLOWED_CIDR \
  HOTLINE_SIP_DOMAIN HOTLINE_SIP_WSS_PORT HOTLINE_EXTERNAL_IP

default_password=${HOTLINE_FS_DEFAULT_PASSWORD:-}
if [ -z "$default_password" ]; then
  default_password=$(openssl rand -hex 16)
fi
case $default_password in
  *[!A-Za-z0-9._~-]*) die "HOTLINE_FS_DEFAULT_PASSWORD may only contain A-Z a-z 0-9 . _ ~ -" ;;
esac
emit HOTLINE_FS_DEFAULT_PASSWORD "$default_password"

# Agent SIP passwords. The key is passed on openssl's command line; that is visible to
# other processes of the same host for the few milliseconds openssl runs, which is why
# this runs in the container entrypoint or once, as root, on a dedicated host.
seat=$AGENT_FIRST
while [ "$seat" -le "$AGENT_LAST" ]; do
  password=$(printf '%s' "$seat" | openssl dgst -sha256 -hmac "$sip_secret" -r | cut -c1-32)
  case $password in
    *[!0-9a-f]* | "") die "could not derive the password of seat $seat" ;;
  esac
  [ "${#password}" -eq 32 ] || die "could not derive the password of seat $seat"
  emit "HOTLINE_AGENT_PASSWORD_$seat" "$password"
  seat=$((seat + 1))
done

printf '%s' "$out"
