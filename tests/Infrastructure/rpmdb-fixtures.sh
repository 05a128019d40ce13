#!/usr/bin/env bash
# Usage: rpmdb-fixtures.sh <out-dir>
#
# Builds the RPM databases of the RHEL fixture roots with the real tools, from empty packages that carry the
# names, versions and releases of RHEL 8.10 and 9.4's FIPS-relevant packages (and one that the checks ignore):
#   <out>/rhel9/rpmdb.sqlite  rpm's SQLite backend (RHEL 9+), written by 'rpm -i --justdb'
#   <out>/rhel8/Packages      rpm's Berkeley DB hash backend (RHEL 7-8), loaded with db5.3_load from the same
#                             header blobs, keyed by the 4-byte header number as rpm's BDB backend keys them
# and checks both by reading them back with rpm itself (sqlite and bdb_ro backends). Needs rpm, rpmbuild,
# sqlite3 and db5.3-util (Debian packages rpm, sqlite3, db5.3-util). The outputs are committed under
# tests/FipsCluster.Core.Tests/Fixtures/Roots/rhel{8,9}-fips/var/lib/rpm/; this script says how they were made.
set -euo pipefail
out=$(realpath -m "${1:?usage: rpmdb-fixtures.sh <out-dir>}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() { # build <set> <name> <version> <release> [epoch]
  local set=$1 name=$2 version=$3 release=$4 epoch=${5:-}
  mkdir -p "$work/$set/rpms"
  cat >"$work/$name-$set.spec" <<SPEC
Name: $name
Version: $version
Release: $release
${epoch:+Epoch: $epoch}
Summary: fixture package $name
License: MIT
BuildArch: noarch
%description
An empty package with the name, version and release of the RHEL package.
%files
SPEC
  rpmbuild -bb --quiet --define "_topdir $work/top-$set-$name" --define "_rpmdir $work/$set/rpms" "$work/$name-$set.spec" >/dev/null
}

# RHEL 9.4
build rhel9 openssl-libs 3.0.7 27.el9 1
build rhel9 openssl 3.0.7 27.el9 1
build rhel9 gnutls 3.7.6 23.el9_3.4
build rhel9 libgcrypt 1.10.0 10.el9_2
build rhel9 crypto-policies 20240202 1.git283706d.el9
build rhel9 bash 5.1.8 9.el9
# RHEL 8.10
build rhel8 openssl-libs 1.1.1k 12.el8_9 1
build rhel8 openssl 1.1.1k 12.el8_9 1
build rhel8 gnutls 3.6.16 8.el8_9.3
build rhel8 libgcrypt 1.8.5 7.el8_6
build rhel8 crypto-policies 20230731 1.git3177e06.el8
build rhel8 dracut-fips 049 233.git20240115.el8
build rhel8 bash 4.4.20 5.el8

query='%{NAME} %{VERSION}-%{RELEASE} installed\n'
for set in rhel9 rhel8; do
  mkdir -p "$work/$set/db"
  rpm --dbpath "$work/$set/db" --initdb
  rpm --dbpath "$work/$set/db" -i --justdb --nodeps --noscripts --notriggers --ignorearch --ignoreos "$work/$set"/rpms/noarch/*.rpm
done

mkdir -p "$out/rhel9" "$out/rhel8"
# rpm leaves the database in WAL mode; checkpoint it into the main file, as a clean shutdown does.
sqlite3 "$work/rhel9/db/rpmdb.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE); VACUUM;' >/dev/null
cp "$work/rhel9/db/rpmdb.sqlite" "$out/rhel9/rpmdb.sqlite"

# Berkeley DB: the same header blobs, keyed by the native-endian (x86: little-endian) 32-bit header number.
{
  printf 'VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n'
  sqlite3 "$work/rhel8/db/rpmdb.sqlite" "SELECT hnum, hex(blob) FROM Packages ORDER BY hnum" | while IFS='|' read -r hnum blob; do
    printf ' %02x%02x%02x%02x\n' $((hnum & 255)) $(((hnum >> 8) & 255)) $(((hnum >> 16) & 255)) $(((hnum >> 24) & 255))
    printf ' %s\n' "$(echo "$blob" | tr 'A-F' 'a-f')"
  done
  printf 'DATA=END\n'
} >"$work/rhel8/packages.dump"
rm -f "$out/rhel8/Packages"
db5.3_load -f "$work/rhel8/packages.dump" "$out/rhel8/Packages"

# Read back with rpm itself: the fixtures must say what they were built from.
rpm --dbpath "$out/rhel9" -qa --qf "$query" | sort
rpm --define '_db_backend bdb_ro' --dbpath "$out/rhel8" -qa --qf "$query" | sort
