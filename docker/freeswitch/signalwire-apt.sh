#!/bin/sh
# signalwire-apt.sh PACKAGE...: install Debian packages from SignalWire's FreeSWITCH
# repository (plus the regular Debian ones) inside a Docker build, without leaving the
# SignalWire token in any image layer.
#
# SignalWire serves the FreeSWITCH 1.10 packages only to holders of a (free) Personal
# Access Token: https://developer.signalwire.com/freeswitch/ ("HOWTO Create a SignalWire
# Personal Access Token"). The token reaches this script as a BuildKit secret:
#   RUN --mount=type=secret,id=signalwire_token,required=true signalwire-apt.sh ...
# and is written only to an apt credentials file that this script deletes again, together
# with the repository entry, before the RUN step ends.
#
# Environment: FS_REPO = release (FreeSWITCH 1.10 releases, default) or unstable.
set -eu

token_file=/run/secrets/signalwire_token
keyring=/usr/share/keyrings/signalwire-freeswitch-repo.gpg
auth=/etc/apt/auth.conf.d/signalwire.conf
list=/etc/apt/sources.list.d/freeswitch.list

[ "$#" -gt 0 ] || { echo "usage: signalwire-apt.sh PACKAGE..." >&2; exit 2; }
[ -s "$token_file" ] || {
  echo "signalwire-apt.sh: no SignalWire token; build with the signalwire_token secret (docker/README.md)" >&2
  exit 1
}

repo=${FS_REPO:-release}
case $repo in
  release | unstable) ;;
  *) echo "signalwire-apt.sh: FS_REPO must be release or unstable" >&2; exit 2 ;;
esac
base="https://freeswitch.signalwire.com/repo/deb/debian-$repo"
. /etc/os-release # VERSION_CODENAME, e.g. bookworm

cleanup() {
  rm -f "$auth" "$list"
  rm -rf /var/lib/apt/lists/*
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl

# Same netrc format for curl and apt; the token never appears on a command line.
mkdir -p /etc/apt/auth.conf.d
(
  umask 077
  printf 'machine freeswitch.signalwire.com login signalwire password %s\n' \
    "$(tr -d ' \r\n' <"$token_file")" >"$auth"
)
curl -fsSL --netrc-file "$auth" -o "$keyring" "$base/signalwire-freeswitch-repo.gpg"
echo "deb [signed-by=$keyring] $base/ $VERSION_CODENAME main" >"$list"

apt-get update
apt-get install -y --no-install-recommends "$@"
