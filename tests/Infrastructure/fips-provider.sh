#!/usr/bin/env bash
# Usage: fips-provider.sh <cache-dir>
#
# Ensures <cache-dir>/fips.so exists: an OpenSSL 3 FIPS provider built from the
# upstream tarball of Debian's openssl source package. Debian 12 ships no FIPS
# provider, so tests that simulate a FIPS node have to build one. The module is
# functional but NOT a validated module.
#
# Idempotent: a cached fips.so is reused. The absolute path of fips.so is the
# last line on stdout; all progress goes to stderr.
#
# Needs: gcc, make, perl (build-essential, perl), apt-get with network access
# to the configured Debian mirrors.
set -euo pipefail

log() { printf 'fips-provider: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ $# -eq 1 ] || die "usage: $0 <cache-dir>"
mkdir -p "$1"
cache=$(cd "$1" && pwd -P)
out="$cache/fips.so"

# Serialise concurrent callers (parallel test jobs sharing one cache).
exec 9>"$cache/.lock"
flock 9

if [ -s "$out" ]; then
  log "using cached $out ($(cat "$cache/fips.so.version" 2>/dev/null || echo 'unknown version'))"
  printf '%s\n' "$out"
  exit 0
fi

for tool in gcc make perl tar apt-get; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install build-essential perl)"
done

start=$(date +%s)
work="$cache/work"
rm -rf "$work"
mkdir -p "$work"/apt/lists/partial "$work"/apt/cache/archives/partial "$work"/apt/parts "$work"/src

# Private apt state: deb-src entries derived from the machine's own sources, so
# the system's apt lists and config stay untouched.
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
  sed 's/^Types:.*/Types: deb-src/' "$f" >"$work/apt/parts/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >"$work/apt/parts/$(basename "$f").list"
done
shopt -u nullglob
apt_opts=(
  -o Dir::Etc::SourceList=/dev/null
  -o "Dir::Etc::SourceParts=$work/apt/parts"
  -o "Dir::State::Lists=$work/apt/lists"
  -o "Dir::Cache=$work/apt/cache"
  -o APT::Sandbox::User=root   # the private dirs are not _apt-accessible; avoids a warning
)
log "downloading openssl source index (private apt state in $work/apt)"
apt-get "${apt_opts[@]}" update -qq >&2 || die "apt-get update (private deb-src state) failed"

# Only the orig tarball is needed; the .dsc and .debian.tar.xz have been seen to
# 404 on the mirror, so a non-zero exit (and its alarming output, kept in a log)
# is tolerated as long as the tarball arrived. apt checks it against the signed index.
log "downloading openssl orig tarball"
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only openssl) >"$work/source.log" 2>&1 || true
tarballs=("$work"/src/openssl_*.orig.tar.*)
[ -f "${tarballs[0]}" ] || { cat "$work/source.log" >&2; die "no openssl_*.orig.tar.* downloaded into $work/src"; }
tarball=${tarballs[0]}
version=$(basename "$tarball" | sed -E 's/^openssl_(.*)\.orig\.tar\..*$/\1/')
log "building fips.so from $(basename "$tarball") (log: $cache/build.log)"

tar -xf "$tarball" -C "$work/src"
srcdir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'openssl-*' | head -n1)
[ -n "$srcdir" ] || die "tarball did not unpack to openssl-*"

jobs=$(nproc)
if ! (
  cd "$srcdir"
  ./Configure enable-fips no-tests
  make -j"$jobs" build_generated
  make -j"$jobs" providers/fips.so
) >"$cache/build.log" 2>&1; then
  tail -n 40 "$cache/build.log" >&2
  die "build failed; full log in $cache/build.log"
fi

# Atomic publish, so a half-written fips.so is never taken as cached.
cp "$srcdir/providers/fips.so" "$out.tmp"
mv "$out.tmp" "$out"
printf '%s\n' "$version" >"$cache/fips.so.version"
rm -rf "$work"   # ~200 MB of sources and objects; only fips.so is cached
log "built OpenSSL FIPS provider $version in $(($(date +%s) - start)) s"
printf '%s\n' "$out"
