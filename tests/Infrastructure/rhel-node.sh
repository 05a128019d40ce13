#!/usr/bin/env bash
# Usage:
#   rhel-node.sh start <workdir> --authorized-key <pubkey-file> [--name fcrhel0] [--subnet 10.213.8] [--os rhel9|debian12]
#   rhel-node.sh reboot <workdir>
#   rhel-node.sh stop <workdir>
#
# A simulated running RHEL 9 node that is NOT in FIPS mode yet, reachable over SSH at <subnet>.2:22 (login "fcprobe",
# not root, with password-less sudo), for Enable-FipsMode. Like fips-node.sh it lives in a network namespace and its
# sshd runs in a private mount namespace; there:
#   - /etc is an overlay of the host's /etc (writes land in <workdir>/etc-up): os-release says RHEL 9.4, the crypto
#     policy is DEFAULT, /etc/sudoers.d/fcprobe lets the login run anything with sudo -n;
#   - /boot is <workdir>/boot with two BLS entries (no fips=1) and a kernel HMAC file;
#   - /usr/local/bin holds stand-ins for fips-mode-setup, update-crypto-policies, grubby, dracut and systemctl (reboot):
#     each appends "uid=<uid> sudo_user=<SUDO_USER> <name> <args>" to <workdir>/commands.log and does what the real tool
#     leaves on disk (policy files, fips=1 in the entries, 40-fips.conf);
#   - /proc/sys/crypto/fips_enabled reads 0, /proc/cmdline has no fips=1, /proc/sys/kernel/random/boot_id is a file.
# "reboot" (or the systemctl reboot stand-in) simulates the reboot into FIPS mode: fips_enabled 1, fips=1 on the boot
# line, a new boot id, and OpenSSL with the FIPS provider by default (fips.so from fips-provider.sh), as RHEL 9 loads it.
# With --os debian12 the node is this host's Debian 12 (no stand-ins, no policy files). The host itself is unchanged.
set -euo pipefail

# shellcheck disable=SC2034 # read by sshd-common.sh (fc_log)
FC_PROG="rhel-node.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
self=$here/$(basename "${BASH_SOURCE[0]}")
# shellcheck source=sshd-common.sh
. "$here/sshd-common.sh"

usage() {
  sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The stand-ins: each logs how it was called (as which user, through sudo or not), then leaves what the real tool leaves.
write_tools() {
  local w=$1 b=$1/bin
  mkdir -p "$b"
  cat >"$b/fc-log" <<EOF
#!/bin/sh
[ -n "\${FC_NESTED:-}" ] || printf 'uid=%s sudo_user=%s %s\n' "\$(id -u)" "\${SUDO_USER:-}" "\$*" >>$w/commands.log
EOF
  cat >"$b/update-crypto-policies" <<'EOF'
#!/bin/sh
set -e
fc-log update-crypto-policies "$@"
[ "$1" = --set ] || { echo "stand-in: only --set" >&2; exit 2; }
p=$2; d=/etc/crypto-policies
mkdir -p "$d/back-ends" "$d/state"
printf '%s\n' "$p" >"$d/config"
for n in bind gnutls java javasystem krb5 libreswan libssh nss openssh opensshserver opensslcnf openssl openssl_fips; do
  rm -f "$d/back-ends/$n.config"; printf '# %s back-end generated for %s (stand-in)\n' "$n" "$p" >"$d/back-ends/$n.config"
done
printf '%s\n' "$p" >"$d/state/current"
printf '# Policy %s dump\n' "$p" >"$d/state/CURRENT.pol"
echo "Setting system policy to $p"
EOF
  cat >"$b/grubby" <<'EOF'
#!/bin/sh
set -e
fc-log grubby "$@"
args=
for a in "$@"; do case $a in --args=*) args=${a#--args=} ;; esac; done
for e in /boot/loader/entries/*.conf; do
  for t in $args; do
    grep -Eq "^options.*(^| )$t( |\$)" "$e" || sed -i "s|^options .*|& $t|" "$e"
  done
done
EOF
  cat >"$b/dracut" <<'EOF'
#!/bin/sh
fc-log dracut "$@"
EOF
  cat >"$b/fips-mode-setup" <<'EOF'
#!/bin/sh
set -e
fc-log fips-mode-setup "$@"
[ "$1" = --enable ] || { echo "stand-in: only --enable" >&2; exit 2; }
export FC_NESTED=1
mkdir -p /etc/dracut.conf.d
printf 'add_dracutmodules+=" fips "\n' >/etc/dracut.conf.d/40-fips.conf
dracut -f --regenerate-all
update-crypto-policies --set FIPS >/dev/null
grubby --update-kernel=ALL --args=fips=1
echo "FIPS mode will be enabled."
echo "Please reboot the system for the setting to take effect."
EOF
  cat >"$b/systemctl" <<EOF
#!/bin/sh
if [ "\$1" = reboot ]; then
  fc-log systemctl "\$@"
  exec sh $w/reboot-inside.sh
fi
exec /usr/bin/systemctl "\$@"
EOF
  chmod 0755 "$b"/*
  chmod 0755 "$b"
}

start() {
  local w=$1 key="" name=fcrhel0 subnet=10.213.8 os=rhel9
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --authorized-key) key=${2:?}; shift 2 ;;
      --name) name=${2:?}; shift 2 ;;
      --subnet) subnet=${2:?}; shift 2 ;;
      --os) os=${2:?}; shift 2 ;;
      *) fc_die "unknown argument $1" ;;
    esac
  done
  [ -n "$key" ] || fc_die "--authorized-key <pubkey-file> is required"
  [[ "$name" =~ ^[A-Za-z0-9_]{1,13}$ ]] || fc_die "--name must be 1-13 characters [A-Za-z0-9_]"
  [[ "$os" =~ ^(rhel9|debian12)$ ]] || fc_die "--os must be rhel9 or debian12"
  local addr=$subnet.2 tool
  fc_require
  for tool in ip unshare nsenter mountpoint openssl sudo; do
    command -v "$tool" >/dev/null || fc_die "'$tool' not found (apt-get install iproute2 util-linux openssl sudo)"
  done
  w=$(fc_abspath "$w")
  fc_stop_node "$w"
  fc_remove_netns "$name"
  if ip -o -4 addr show | awk '{print $4}' | grep -q "^${subnet//./\\.}\.1/"; then
    fc_die "$subnet.1 is already assigned on this host; pick another --subnet"
  fi
  rm -rf "${w:?}/etc-up" "${w:?}/etc-work" "${w:?}/boot" "${w:?}/bin" "${w:?}/known_hosts" "${w:?}/address"
  : >"$w/sshd.log"
  : >"$w/commands.log"
  chmod 0644 "$w/commands.log"

  local fips_so moddir sslcnf
  fips_so=$("$here/fips-provider.sh" "${FC_CACHE:-/tmp/fc-cache}/openssl-fips" | tail -n 1)
  [ -s "$fips_so" ] || fc_die "fips-provider.sh did not produce fips.so"
  moddir=$(openssl version -m | sed -E 's/^MODULESDIR: "(.*)"$/\1/')
  sslcnf=$(readlink -f "$(openssl version -d | sed -E 's/^OPENSSLDIR: "(.*)"$/\1/')/openssl.cnf")
  rm -rf "$w/mods"; mkdir -p "$w/mods"; cp -a "$moddir/." "$w/mods/"; cp "$fips_so" "$w/mods/fips.so"
  openssl fipsinstall -out "$w/fipsmodule.cnf" -module "$w/mods/fips.so" >"$w/fipsinstall.log" 2>&1 || fc_die "openssl fipsinstall failed"
  cat >"$w/openssl-fips.cnf" <<EOF
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

  fc_ensure_user
  fc_host_keys "$w"
  fc_authorized_key "$w" "$key"
  # Every boot starts without FIPS; the reboot below turns it on.
  echo "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-$(uname -r) root=/dev/mapper/rhel-root ro rhgb quiet" >"$w/cmdline"
  cat /proc/sys/kernel/random/uuid >"$w/boot_id"
  echo 0 >"$w/fips_enabled"
  chmod 0644 "$w/cmdline" "$w/boot_id" "$w/fips_enabled"
  cat >"$w/reboot-inside.sh" <<EOF
# The simulated reboot into FIPS mode (runs as root in the node's mount namespace).
set -e
# Written in place: /proc/cmdline is a bind mount of this very inode (sed -i would make a new one).
if ! grep -q ' fips=1' $w/cmdline; then line=\$(cat $w/cmdline); printf '%s fips=1\\n' "\$line" >$w/cmdline; fi
echo 1 >$w/fips_enabled
cat /proc/sys/kernel/random/uuid >$w/boot_id
mountpoint -q $moddir && umount $moddir || true
mount --bind $w/mods $moddir
mount --bind $w/openssl-fips.cnf $sslcnf
EOF

  mkdir -p "$w/etc-up" "$w/etc-work" "$w/boot"
  if [ "$os" = rhel9 ]; then
    write_tools "$w"
    cat >"$w/etc-up/os-release" <<'EOF'
NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
EOF
    mkdir -p "$w/etc-up/crypto-policies/back-ends" "$w/etc-up/crypto-policies/state" "$w/etc-up/sudoers.d"
    echo DEFAULT >"$w/etc-up/crypto-policies/config"
    for n in bind gnutls java javasystem krb5 libreswan libssh nss openssh opensshserver opensslcnf openssl openssl_fips; do
      printf '# %s back-end generated for DEFAULT\n' "$n" >"$w/etc-up/crypto-policies/back-ends/$n.config"
    done
    echo DEFAULT >"$w/etc-up/crypto-policies/state/current"
    printf '# Policy DEFAULT dump\n' >"$w/etc-up/crypto-policies/state/CURRENT.pol"
    mkdir -p "$w/boot/loader/entries"
    local k
    k=$(uname -r)
    printf 'title Red Hat Enterprise Linux (%s) 9.4 (Plow)\nversion %s\nlinux /vmlinuz-%s\ninitrd /initramfs-%s.img\noptions root=/dev/mapper/rhel-root ro rhgb quiet\ngrub_class rhel\n' "$k" "$k" "$k" "$k" \
      >"$w/boot/loader/entries/fc0000-$k.conf"
    printf 'title Red Hat Enterprise Linux (0-rescue) 9.4 (Plow)\nversion 0-rescue\nlinux /vmlinuz-0-rescue\ninitrd /initramfs-0-rescue.img\noptions root=/dev/mapper/rhel-root ro\ngrub_class rhel\n' \
      >"$w/boot/loader/entries/fc0000-0-rescue.conf"
    echo "0000  vmlinuz-$k" >"$w/boot/.vmlinuz-$k.hmac"
  else
    mkdir -p "$w/etc-up/sudoers.d" "$w/bin"
    chmod 0755 "$w/bin"
  fi
  printf 'Defaults:%s !requiretty\n%s ALL=(ALL) NOPASSWD: ALL\n' "$FC_USER" "$FC_USER" >"$w/etc-up/sudoers.d/fcprobe"
  chmod 0440 "$w/etc-up/sudoers.d/fcprobe"
  fc_sshd_config "$w/sshd_config" "$w" "$w/sshd.pid" 22 500:30:1000 1 "$addr"
  echo "$name" >"$w/name"

  trap 'fc_stop_node "$w"' EXIT
  ip netns add "$name"
  ip link add "$name-h" type veth peer name "$name-n"
  ip link set "$name-n" netns "$name"
  ip addr add "$subnet.1/24" dev "$name-h"
  ip link set "$name-h" up
  ip -n "$name" addr add "$addr/24" dev "$name-n"
  ip -n "$name" link set "$name-n" up
  ip -n "$name" link set lo up
  setsid ip netns exec "$name" unshare -m --propagation private \
    "$self" _inside "$w" "$os" </dev/null >>"$w/sshd.log" 2>&1 &
  local node_pid=$!
  fc_wait_listening "$w" "$name" 22 "$node_pid" -- "$addr"
  fc_known_hosts "$w" 22 "$addr"
  echo "$addr" >"$w/address"
  trap - EXIT
  fc_log "simulated $os node $name up at $addr:22 (sshd pid $(cat "$w/sshd.pid"))"
}

inside() {
  local w=$1 os=$2 real d
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
  touch /proc/sys/crypto/fips_enabled
  mount --bind "$w/fips_enabled" /proc/sys/crypto/fips_enabled
  echo "Linux Kernel Cryptographic API" >/proc/sys/crypto/fips_name
  umount -l "$real"
  rmdir "$real"
  mount --bind "$w/boot_id" /proc/sys/kernel/random/boot_id
  mount --bind "$w/cmdline" /proc/cmdline
  mount -t overlay fcetc -o "lowerdir=/etc,upperdir=$w/etc-up,workdir=$w/etc-work" /etc
  if [ "$os" = rhel9 ]; then
    mount --bind "$w/boot" /boot
    mount --bind "$w/bin" /usr/local/bin
  fi
  exec "$FC_SSHD" -D -f "$w/sshd_config" -E "$w/sshd.log"
}

reboot() {
  local w=$1
  nsenter -t "$(cat "$w/sshd.pid")" -m sh "$w/reboot-inside.sh"
}

[ $# -ge 2 ] || usage
cmd=$1 w=$2
shift 2
case $cmd in
  start) start "$w" "$@" ;;
  stop) [ $# -eq 0 ] || usage; fc_stop_node "$w" ;;
  reboot) reboot "$w" ;;
  _inside) inside "$w" "$@" ;;
  *) usage ;;
esac
