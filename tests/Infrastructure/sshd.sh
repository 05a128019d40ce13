#!/usr/bin/env bash
# Usage:
#   sshd.sh start <workdir> --port <port> --authorized-key <pubkey-file>
#                 [--fips-algorithms] [--max-startups 500:30:1000] [--setenv NAME=VALUE]...
#                 [--forced-command /path/to/program] <listen-address>...
#   sshd.sh stop <workdir>
#
# Starts a plain OpenSSH server (host network namespace) that listens on every
# given address at <port>, for login as the dedicated user "fcprobe" with the
# given public key only. Loopback addresses 127.0.0.1-127.255.255.254 work
# without any network configuration, so one host can pose as many nodes; ::1
# (the IPv6 loopback) is accepted too.
#
# Files in <workdir>: host_ecdsa/host_rsa (generated once, reused), authorized_keys,
# sshd_config*, sshd*.pid, sshd.log, and known_hosts ("[addr]:port type key", or
# "addr type key" for port 22) covering every listen address.
#
# --setenv sets a variable in every session (sshd_config SetEnv, which sshd applies
# after its own defaults, so PATH=... puts test programs first, e.g. stand-ins for
# the programs a remote node would have).
#
# --forced-command makes the key run that program whatever the client asks
# (authorized_keys command="..."; the request is in $SSH_ORIGINAL_COMMAND): a
# node that answers with what the test wants, e.g. far too much output.
#
# sshd opens at most 16 listen sockets per process (MAX_LISTEN_SOCKS), so more
# than 16 addresses are spread over several sshd processes with identical
# settings (sshd_config, sshd_config.1, ...; pidfiles sshd.pid, sshd.1.pid, ...).
set -euo pipefail

# shellcheck disable=SC2034 # read by sshd-common.sh (fc_log)
FC_PROG=sshd.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=sshd-common.sh
. "$here/sshd-common.sh"

readonly SOCKS_PER_SSHD=16

usage() {
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

stop() {
  local w=$1 f
  [ -d "$w" ] || return 0
  shopt -s nullglob
  for f in "$w"/sshd.pid "$w"/sshd.*.pid; do fc_stop_pidfile "$f"; done
  shopt -u nullglob
}

# On a failed start, leave nothing running.
started=()
failed_dir=
abort_start() {
  local p
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "$failed_dir" ] || stop "$failed_dir"
}

start() {
  local w=$1 port="" key="" fips=0 startups=500:30:1000 addrs=() a setenv=() forced=
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=${2:?--port needs a value}; shift 2 ;;
      --authorized-key) key=${2:?--authorized-key needs a value}; shift 2 ;;
      --fips-algorithms) fips=1; shift ;;
      --max-startups) startups=${2:?--max-startups needs a value}; shift 2 ;;
      --forced-command) forced=${2:?--forced-command needs a value}; [[ "$forced" =~ ^/[A-Za-z0-9._/-]+$ ]] || fc_die "--forced-command needs an absolute path without spaces or quotes"; shift 2 ;;
      --setenv) [[ "${2:-}" =~ ^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]\"]*$ ]] || fc_die "--setenv needs NAME=VALUE (no spaces or quotes)"; setenv+=("$2"); shift 2 ;;
      --*) fc_die "unknown option $1" ;;
      *) addrs+=("$1"); shift ;;
    esac
  done
  [[ "$port" =~ ^[0-9]+$ ]] || fc_die "--port <port> is required"
  [ -n "$key" ] || fc_die "--authorized-key <pubkey-file> is required"
  [ "${#addrs[@]}" -gt 0 ] || fc_die "at least one listen address is required"
  for a in "${addrs[@]}"; do
    [[ "$a" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ || "$a" == ::1 ]] || fc_die "not an IPv4 address (or ::1): $a"
  done

  fc_require
  w=$(fc_abspath "$w")
  stop "$w"   # restart cleanly if this workdir already has a running server
  rm -f "$w"/sshd_config "$w"/sshd_config.* "$w"/known_hosts
  : >"$w/sshd.log"   # one log per run, so failure tails show this run only
  fc_ensure_user
  fc_host_keys "$w"
  fc_authorized_key "$w" "$key"
  if [ -n "$forced" ]; then
    sed -i "s|^|command=\"$forced\" |" "$w/authorized_keys"
  fi

  local n=${#addrs[@]} i=0 cfg pidfile
  started=()
  failed_dir=$w
  trap abort_start EXIT
  while [ $((i * SOCKS_PER_SSHD)) -lt "$n" ]; do
    if [ "$i" = 0 ]; then cfg=$w/sshd_config pidfile=$w/sshd.pid
    else cfg=$w/sshd_config.$i pidfile=$w/sshd.$i.pid; fi
    fc_sshd_config "$cfg" "$w" "$pidfile" "$port" "$startups" "$fips" \
      "${addrs[@]:$((i * SOCKS_PER_SSHD)):SOCKS_PER_SSHD}"
    if [ "${#setenv[@]}" -gt 0 ]; then
      echo "SetEnv ${setenv[*]}" >>"$cfg"
      "$FC_SSHD" -t -f "$cfg" || fc_die "sshd rejected SetEnv in $cfg"
    fi
    # -D + setsid instead of letting sshd daemonise: we keep its pid to notice an
    # early exit (e.g. port in use). All fds are redirected so callers reading our
    # stdout/stderr to EOF do not hang on the long-lived daemon.
    setsid "$FC_SSHD" -D -f "$cfg" -E "$w/sshd.log" </dev/null >/dev/null 2>&1 &
    started+=("$!")
    i=$((i + 1))
  done
  fc_wait_listening "$w" "" "$port" "${started[@]}" -- "${addrs[@]}"
  fc_known_hosts "$w" "$port" "${addrs[@]}"
  trap - EXIT
  fc_log "listening on ${#addrs[@]} address(es) port $port with ${#started[@]} sshd process(es); known_hosts: $w/known_hosts"
}

[ $# -ge 2 ] || usage
cmd=$1 w=$2
shift 2
case $cmd in
  start) start "$w" "$@" ;;
  stop) [ $# -eq 0 ] || usage; stop "$w" ;;
  *) usage ;;
esac
