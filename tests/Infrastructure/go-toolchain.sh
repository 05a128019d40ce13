#!/usr/bin/env bash
# Usage: go-toolchain.sh <go-version>     e.g. go-toolchain.sh 1.24
#
# Prints the GOROOT of a real Go toolchain of that version, from Debian's packages
# golang-<v>-go and golang-<v>-src: 1.24 from trixie, 1.26 from trixie-backports.
# The .debs are downloaded with a PRIVATE apt state (own sources.list, lists, cache
# and status file under the cache dir) and unpacked with dpkg -x: the system's apt
# state and installed packages are never touched. The unpacked tree is cached in
# ${FC_CACHE:-/tmp/fc-cache}/go-<v> (a machine pays the download once); concurrent
# callers serialise on a lock. Exits non-zero with a message on stderr when the
# packages cannot be had.
set -euo pipefail

version=${1:?usage: go-toolchain.sh <go-version>}
case "$version" in
  1.24) suite=trixie ;;
  1.26) suite=trixie-backports ;;
  *) echo "go-toolchain.sh: no Debian source known for Go $version" >&2; exit 2 ;;
esac

cache=${FC_CACHE:-/tmp/fc-cache}
target=$cache/go-$version
goroot=$target/usr/lib/go-$version
mkdir -p "$cache"

exec 9>"$cache/go-$version.lock"
flock 9

if [ -x "$goroot/bin/go" ] && [ -f "$target/.complete" ]; then
  echo "$goroot"
  exit 0
fi

apt_dir=$cache/apt-$suite
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$apt_dir/etc/apt.conf.d" "$apt_dir/debs"
: >"$apt_dir/status"
# trixie-backports needs trixie beside it (its packages may depend on trixie's).
{
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main"
  [ "$suite" = trixie-backports ] && echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main"
} >"$apt_dir/sources.list"

apt_opts=(
  -o "Dir::State=$apt_dir"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/status"
  -o "Dir::Cache=$apt_dir"
  -o "Dir::Cache::archives=$apt_dir/archives"
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/none"
  -o "Dir::Etc::Preferences=$apt_dir/none"
  -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
  -o "Dir::Etc::Parts=$apt_dir/etc/apt.conf.d"
  -o "APT::Architecture=amd64"
  -o "Acquire::Languages=none"
  -o "Debug::NoLocking=1"
)

if ! apt-get -qq "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1; then
  echo "go-toolchain.sh: apt-get update of $suite failed:" >&2
  tail -5 "$apt_dir/update.log" >&2
  exit 1
fi

rm -f "$apt_dir/debs"/*.deb
if ! (cd "$apt_dir/debs" && apt-get -qq "${apt_opts[@]}" download "golang-$version-go" "golang-$version-src") >"$apt_dir/download.log" 2>&1; then
  echo "go-toolchain.sh: apt-get download golang-$version-go golang-$version-src failed:" >&2
  tail -5 "$apt_dir/download.log" >&2
  exit 1
fi

rm -rf "$target.tmp"
mkdir -p "$target.tmp"
for deb in "$apt_dir/debs"/*.deb; do
  dpkg -x "$deb" "$target.tmp"
done
if [ ! -x "$target.tmp/usr/lib/go-$version/bin/go" ]; then
  echo "go-toolchain.sh: the packages did not contain usr/lib/go-$version/bin/go" >&2
  exit 1
fi
rm -rf "$target" "$apt_dir/debs"
mv "$target.tmp" "$target"
touch "$target/.complete"
echo "$goroot"
