#!/usr/bin/env bash
# Usage:
#   fips-node.sh start <workdir> --authorized-key <pubkey-file> [--name fcfips0] [--subnet 10.213.7]
#   fips-node.sh stop <workdir>
#
# A simulated FIPS node reachable over SSH at <subnet>.2:22 (login "fcprobe"
# with the given key). It lives in network namespace <name>, joined to the host
# by the veth pair <name>-h (<subnet>.1/24, host) / <name>-n (<subnet>.2/24), and
# its sshd runs in a private mount namespace in which
#   - /proc/sys/crypto/fips_enabled reads 1 (plus fips_name, fips_version),
#   - /proc/cmdline reads "BOOT_IMAGE=/vmlinuz-<uname -r> root=/dev/vda ro fips=1",
#   - OpenSSL 3 uses the FIPS provider by default (fips.so from fips-provider.sh,
#     cached in ${FC_CACHE:-/tmp/fc-cache}/openssl-fips), so MD5 is refused,
#   - sshd offers FIPS algorithms only (ECDSA P-256 / RSA 3072 host keys).
# The host itself is unchanged; all mounts vanish with the node's processes.
# --name and --subnet must be unique among running nodes: start first removes
# any netns/veth left under the same name (e.g. by a crashed run).
#
# Files in <workdir>: known_hosts (for <subnet>.2), address, name, sshd.log, sshd.pid, ...
set -euo pipefail

FC_PROG="fips-node.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
self=$here/$(basename "${BASH_SOURCE[0]}")
# shellcheck source=sshd-common.sh
. "$here/sshd-common.sh"

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

node_pid=
failed_dir=
abort_start() {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; fi
  [ -z "$failed_dir" ] || fc_stop_node "$failed_dir"
}

start() {
  local w=$1 key="" name=fcfips0 subnet=10.213.7 tool
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --authorized-key) key=${2:?--authorized-key needs a value}; shift 2 ;;
      --name) name=${2:?--name needs a value}; shift 2 ;;
      --subnet) subnet=${2:?--subnet needs a value}; shift 2 ;;
      *) fc_die "unknown argument $1" ;;
    esac
  done
  [ -n "$key" ] || fc_die "--authorized-key <pubkey-file> is required"
  # Interface names are limited to 15 characters; the veths are <name>-h / <name>-n.
  [[ "$name" =~ ^[A-Za-z0-9_]{1,13}$ ]] || fc_die "--name must be 1-13 characters [A-Za-z0-9_]"
  [[ "$subnet" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || fc_die "--subnet must look like 10.213.7"
  local addr=$subnet.2

  fc_require
  for tool in ip unshare nsenter mountpoint openssl; do
    command -v "$tool" >/dev/null || fc_die "'$tool' not found (apt-get install iproute2 util-linux openssl)"
  done
  w=$(fc_abspath "$w")
  fc_stop_node "$w"
  fc_remove_netns "$name"
  if ip -o -4 addr show | awk '{print $4}' | grep -q "^${subnet//./\\.}\.1/"; then
    fc_die "$subnet.1 is already assigned on this host; pick another --subnet"
  fi
  rm -f "$w/known_hosts" "$w/address"
  : >"$w/sshd.log"   # one log per run, so failure tails show this run only

  local fips_so
  fips_so=$("$here/fips-provider.sh" "${FC_CACHE:-/tmp/fc-cache}/openssl-fips" | tail -n 1)
  [ -s "$fips_so" ] || fc_die "fips-provider.sh did not produce fips.so"

  fc_ensure_user
  fc_host_keys "$w"
  fc_authorized_key "$w" "$key"

  # Everything the private mount namespace will bind over system paths.
  local moddir sslcnf
  moddir=$(openssl version -m | sed -E 's/^MODULESDIR: "(.*)"$/\1/')
  sslcnf=$(readlink -f "$(openssl version -d | sed -E 's/^OPENSSLDIR: "(.*)"$/\1/')/openssl.cnf")
  if [ ! -d "$moddir" ] || [ ! -f "$sslcnf" ]; then fc_die "cannot locate OpenSSL modules dir ($moddir) or openssl.cnf ($sslcnf)"; fi
  rm -rf "$w/mods"
  mkdir -p "$w/mods"
  cp -a "$moddir/." "$w/mods/"
  cp "$fips_so" "$w/mods/fips.so"
  # The module MAC in fipsmodule.cnf is checked by the provider's self-test at load.
  openssl fipsinstall -out "$w/fipsmodule.cnf" -module "$w/mods/fips.so" >"$w/fipsinstall.log" 2>&1 \
    || { cat "$w/fipsinstall.log" >&2; fc_die "openssl fipsinstall failed"; }
  cat >"$w/openssl.cnf" <<EOF
# FIPS-only OpenSSL configuration of the simulated FIPS node ($FC_PROG)
openssl_conf = openssl_init
.include $w/fipsmodule.cnf

[openssl_init]
providers = provider_sect
alg_section = algorithm_sect

[provider_sect]
fips = fips_sect
base = base_sect

[base_sect]
activate = 1

[algorithm_sect]
default_properties = fips=yes
EOF
  echo "BOOT_IMAGE=/vmlinuz-$(uname -r) root=/dev/vda ro fips=1" >"$w/cmdline"
  fc_sshd_config "$w/sshd_config" "$w" "$w/sshd.pid" 22 500:30:1000 1 "$addr"
  echo "$name" >"$w/name"

  failed_dir=$w
  trap abort_start EXIT
  ip netns add "$name"
  ip link add "$name-h" type veth peer name "$name-n"
  ip link set "$name-n" netns "$name"
  ip addr add "$subnet.1/24" dev "$name-h"
  ip link set "$name-h" up
  ip -n "$name" addr add "$addr/24" dev "$name-n"
  ip -n "$name" link set "$name-n" up
  ip -n "$name" link set lo up

  # `ip netns exec` also remounts /sys for the netns; `unshare -m` then gives the
  # fake /proc and OpenSSL files a mount namespace that dies with sshd.
  setsid ip netns exec "$name" unshare -m --propagation private \
    "$self" _inside "$w" "$moddir" "$sslcnf" </dev/null >>"$w/sshd.log" 2>&1 &
  node_pid=$!
  fc_wait_listening "$w" "$name" 22 "$node_pid" -- "$addr"
  fc_known_hosts "$w" 22 "$addr"
  echo "$addr" >"$w/address"
  trap - EXIT
  fc_log "FIPS node $name up at $addr:22 (sshd pid $(cat "$w/sshd.pid")); known_hosts: $w/known_hosts"
}

# Runs inside the node's network + private mount namespace; ends as sshd.
inside() {
  local w=$1 moddir=$2 sslcnf=$3 real d out
  # Keep the real /proc/sys subtrees reachable, then cover /proc/sys with a tmpfs
  # that holds them plus a fake crypto/ directory (the kernel has no CONFIG_CRYPTO_FIPS).
  real=$w/realsys
  mkdir -p "$real"
  mount --rbind /proc/sys "$real"
  mount -t tmpfs -o size=1m,mode=0555 fcfakesys /proc/sys
  for d in "$real"/*; do
    [ "${d##*/}" = crypto ] && continue
    mkdir "/proc/sys/${d##*/}"
    mount --rbind "$d" "/proc/sys/${d##*/}"
  done
  mkdir /proc/sys/crypto
  echo 1 >/proc/sys/crypto/fips_enabled
  echo "Linux Kernel Cryptographic API" >/proc/sys/crypto/fips_name
  uname -r >/proc/sys/crypto/fips_version
  chmod 0444 /proc/sys/crypto/*
  chmod 0555 /proc/sys/crypto
  umount -l "$real"
  rmdir "$real"
  mount -o remount,ro /proc/sys

  mount --bind "$w/cmdline" /proc/cmdline
  mount --bind "$w/mods" "$moddir"
  mount --bind "$w/openssl.cnf" "$sslcnf"
  for d in /proc/cmdline "$moddir" "$sslcnf"; do mount -o remount,bind,ro "$d"; done

  # Fail here, visibly, rather than with an sshd that looks fine but is not FIPS.
  out=$(openssl list -providers)
  [[ "$out" == *"OpenSSL FIPS Provider"* ]] || fc_die "fips provider not active in the node: $out"
  if printf x | openssl md5 >/dev/null 2>&1; then fc_die "MD5 still works in the node"; fi
  exec "$FC_SSHD" -D -f "$w/sshd_config" -E "$w/sshd.log"
}

[ $# -ge 2 ] || usage
cmd=$1 w=$2
shift 2
case $cmd in
  start) start "$w" "$@" ;;
  stop) [ $# -eq 0 ] || usage; fc_stop_node "$w" ;;
  _inside) inside "$w" "$@" ;;
  *) usage ;;
esac
