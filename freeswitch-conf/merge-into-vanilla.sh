#!/bin/sh
# merge-into-vanilla.sh: lay the 12345 hotline configuration over a vanilla FreeSWITCH 1.10
# configuration directory. Idempotent: running it again gives the same result.
#
#   sh merge-into-vanilla.sh CONF_DIR [DIALPLANS_DIR]
#
#   CONF_DIR       the FreeSWITCH conf directory holding freeswitch.xml and vars.xml
#                  (Debian packages: /etc/freeswitch; source builds: /usr/local/freeswitch/conf)
#   DIALPLANS_DIR  this repository's dialplans/ directory (default: ../dialplans next to
#                  this script)
#
# What it does (see README.md for why):
#   1. copies vars_hotline.xml, autoload_configs/{acl,event_socket,modules}.conf.xml,
#      sip_profiles/internal.xml, sip_profiles/external/pstn.xml (outbound trunk) and directory/default/1000.xml..1019.xml over the
#      vanilla files of the same names;
#   2. copies dialplans/default/*.xml and dialplans/public/*.xml into dialplan/default/
#      and dialplan/public/;
#   3. adds one line at the end of vars.xml that includes vars_hotline.xml;
#   4. turns vanilla's two start-up STUN lookups (external_rtp_ip, external_sip_ip) into
#      plain assignments; vars_hotline.xml then sets the real values;
#   5. removes vanilla demo entries that would weaken a public hotline: the password-less
#      "default" user, "brian", the example gateway user, the skinny example user, the
#      public DID demo that rings extension 1000, and the "sip_uri" extension of the
#      default context (it lets any authenticated user call any sip: URI out through the
#      external profile, i.e. through a carrier that trusts this host).
# A copy of every file it replaces or removes is kept as FILE.vanilla (first run only).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
conf=${1:-}
dialplans=${2:-$here/../dialplans}

die() {
  echo "merge-into-vanilla.sh: $*" >&2
  exit 1
}

[ -n "$conf" ] || die "usage: merge-into-vanilla.sh CONF_DIR [DIALPLANS_DIR]"
[ -f "$conf/freeswitch.xml" ] && [ -f "$conf/vars.xml" ] ||
  die "$conf does not look like a FreeSWITCH conf directory (no freeswitch.xml / vars.xml)"
[ -d "$dialplans/default" ] || die "$dialplans/default not found"

# Keep the vanilla file once, then install ours.
install_file() { # install_file SOURCE DEST
  if [ -f "$2" ] && [ ! -f "$2.vanilla" ] && ! cmp -s "$1" "$2"; then
    cp -p "$2" "$2.vanilla"
  fi
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
  chmod 0644 "$2"
  echo "installed $2"
}

remove_file() { # remove_file PATH
  if [ -f "$1" ]; then
    [ -f "$1.vanilla" ] || cp -p "$1" "$1.vanilla"
    rm -f "$1"
    echo "removed   $1 (copy kept as $1.vanilla)"
  fi
}

# 1. Our configuration files.
install_file "$here/vars_hotline.xml" "$conf/vars_hotline.xml"
for f in acl.conf.xml event_socket.conf.xml modules.conf.xml; do
  install_file "$here/autoload_configs/$f" "$conf/autoload_configs/$f"
done
install_file "$here/sip_profiles/internal.xml" "$conf/sip_profiles/internal.xml"
install_file "$here/sip_profiles/external/pstn.xml" "$conf/sip_profiles/external/pstn.xml"
for f in "$here"/directory/default/*.xml; do
  install_file "$f" "$conf/directory/default/$(basename "$f")"
done

# 2. Dialplan.
for f in "$dialplans"/default/*.xml; do
  install_file "$f" "$conf/dialplan/default/$(basename "$f")"
done
for f in "$dialplans"/public/*.xml; do
  [ -e "$f" ] || continue
  install_file "$f" "$conf/dialplan/public/$(basename "$f")"
done

# 3. Include vars_hotline.xml as the last thing vars.xml does. The preprocessor needs the
#    include on its own line, and vars.xml ends with a line holding only </include>.
vars="$conf/vars.xml"
if ! grep -q 'data="vars_hotline.xml"' "$vars"; then
  [ -f "$vars.vanilla" ] || cp -p "$vars" "$vars.vanilla"
  grep -q '^[[:space:]]*</include>[[:space:]]*$' "$vars" ||
    die "$vars has no line with only </include>; add the include line by hand (README.md)"
  tmp="$vars.tmp.$$"
  awk '
    /^[[:space:]]*<\/include>[[:space:]]*$/ { last = NR }
    { line[NR] = $0 }
    END {
      for (i = 1; i <= NR; i++) {
        if (i == last) print "  <X-PRE-PROCESS cmd=\"include\" data=\"vars_hotline.xml\"/>"
        print line[i]
      }
    }' "$vars" >"$tmp"
  mv "$tmp" "$vars"
  chmod 0644 "$vars"
  echo "patched   $vars (includes vars_hotline.xml at the end)"
fi

# 4. No STUN lookups at start-up (isolated networks; slow or failing start).
if grep -q 'cmd="stun-set" data="external_\(rtp\|sip\)_ip=' "$vars"; then
  [ -f "$vars.vanilla" ] || cp -p "$vars" "$vars.vanilla"
  sed -i 's#cmd="stun-set" data="external_\(rtp\|sip\)_ip=[^"]*"#cmd="set" data="external_\1_ip=$${local_ip_v4}"#' "$vars"
  echo "patched   $vars (external_rtp_ip / external_sip_ip without STUN)"
fi

# 5. Vanilla demo entries.
for f in default.xml brian.xml example.com.xml skinny-example.xml; do
  remove_file "$conf/directory/default/$f"
done
remove_file "$conf/dialplan/public/00_inbound_did.xml"

default_dp="$conf/dialplan/default.xml"
if [ -f "$default_dp" ] && grep -q '<extension name="sip_uri">' "$default_dp"; then
  [ -f "$default_dp.vanilla" ] || cp -p "$default_dp" "$default_dp.vanilla"
  tmp="$default_dp.tmp.$$"
  awk '
    /<extension name="sip_uri">/ { skip = 1 }
    !skip { print }
    skip && /<\/extension>/ { skip = 0 }
  ' "$default_dp" >"$tmp"
  mv "$tmp" "$default_dp"
  chmod 0644 "$default_dp"
  echo "patched   $default_dp (removed the sip_uri extension)"
fi

echo "done: hotline configuration merged into $conf"
