#!/bin/sh
# FipsCluster kubelet FIPS gate, run by systemd as kubelet's ExecStartPre. kubelet starts only when
#  1. the kernel is in FIPS mode (/proc/sys/crypto/fips_enabled is 1);
#  2. the program the unit starts (ExecStart, drop-ins merged as systemd merges them) is an ELF Go
#     executable whose own structure shows a FIPS module, judged as Test-FipsBinary judges it: its Go
#     build information (the "\xff Go buildinf:" blob) says BoringCrypto with cgo, confirmed by the code
#     (the amd64 sig marker, or _Cfunc__goboringcrypto_ names on other architectures), or GOFIPS140=v1.x
#     without a fips140=off default, or an OpenSSL-backed toolchain (X:strictfipsruntime, systemcrypto,
#     opensslcrypto). Marker strings elsewhere in a file prove nothing: only the sections the ELF
#     headers name are read;
#  3. the unit's environment (Environment=, EnvironmentFile=, and so this process's own) does not set
#     GODEBUG=fips140=off.
# POSIX sh with only what a minimal RHEL image has: cat, cut, head, od, sort, tail, tr, wc (coreutils), grep, sed.
# FIPS_ROOT=<dir> reads the kernel flag, the unit files and the binary under <dir> (tests).
set -u
LC_ALL=C
export LC_ALL
root=${FIPS_ROOT:-}
tab=$(printf '\t')

refuse() {
  printf 'fips-kubelet-check: %s; refusing to start kubelet\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- the kernel
flag=$(cat "$root/proc/sys/crypto/fips_enabled" 2>/dev/null) || flag=missing
[ "$flag" = 1 ] || refuse "the kernel is not in FIPS mode (fips_enabled=${flag:-empty})"

# ---------------------------------------------------------------- the unit
unit=kubelet.service
unit_dirs="/etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system"

# The value of GODEBUG in a list of assignments (Environment= syntax, quotes allowed); empty if none.
godebug_in() {
  printf ' %s\n' "$1" | tr "\"'" '  ' | tr ' ' '\n' | sed -n 's/^GODEBUG=//p' | tail -n 1
}

# The value of GODEBUG an environment file sets; empty if none.
godebug_in_file() {
  [ -r "$1" ] || return 0
  sed -n "s/^[ $tab]*GODEBUG[ $tab]*=[ $tab]*//p" "$1" | tail -n 1 | tr -d "\"'"
}

# A unit file's lines as systemd reads them: a trailing backslash joins the next line, leading blanks go.
join_lines() {
  sed -e :a -e '/\\$/N' -e 's/\\\n/ /' -e ta -e "s/^[ $tab]*//" "$1"
}

# The unit file, then its drop-ins in the order systemd applies them (by file name; for one name the
# first directory wins), with continuation lines joined.
unit_text() {
  for d in $unit_dirs; do
    if [ -f "$root$d/$unit" ]; then
      printf '[Unit file %s]\n' "$d/$unit"
      join_lines "$root$d/$unit"
      break
    fi
  done
  for d in $unit_dirs; do
    for f in "$root$d/$unit.d/"*.conf; do
      [ -f "$f" ] && printf '%s\n' "${f##*/}"
    done
  done | sort -u | while IFS= read -r name; do
    for d in $unit_dirs; do
      if [ -f "$root$d/$unit.d/$name" ]; then
        printf '[Drop-in %s]\n' "$d/$unit.d/$name"
        join_lines "$root$d/$unit.d/$name"
        break
      fi
    done
  done
}

exec_start="" unit_godebug="" unit_godebug_from="" env_files=""
shown=""
if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then
  shown=$(systemctl show -p ExecStart "$unit" 2>/dev/null | sed -n 's/.*[{; ]path=\([^ ;]*\).*/\1/p' | head -n 1)
fi
if [ -n "$shown" ]; then
  # systemd's own merge of the unit and its drop-ins.
  exec_start=$shown
  unit_godebug=$(godebug_in "$(systemctl show -p Environment "$unit" 2>/dev/null | sed 's/^Environment=//')")
  [ -z "$unit_godebug" ] || unit_godebug_from="Environment="
  env_files=$(systemctl show -p EnvironmentFiles "$unit" 2>/dev/null | sed -n 's/^EnvironmentFiles=\(.*\) (ignore_errors=.*$/\1/p')
else
  text=$(unit_text)
  [ -n "$text" ] || refuse "no $unit unit file under $root/etc/systemd/system or $root/usr/lib/systemd/system"
  section=""
  while IFS= read -r line; do
    case $line in
      '[Unit file '* | '[Drop-in '*) section="" ; continue ;;
      '['*']') section=$line; continue ;;
      '#'* | ';'* | '') continue ;;
    esac
    [ "$section" = "[Service]" ] || continue
    key=${line%%=*}
    [ "$key" != "$line" ] || continue
    value=${line#*=}
    key=$(printf '%s' "$key" | tr -d " $tab")
    value=$(printf '%s' "$value" | sed "s/^[ $tab]*//")
    case $key in
      ExecStart)
        exec_start=$value ;;
      Environment)
        if [ -z "$value" ]; then
          unit_godebug="" unit_godebug_from=""
        else
          v=$(godebug_in "$value")
          [ -z "$v" ] || { unit_godebug=$v; unit_godebug_from="Environment="; }
        fi ;;
      EnvironmentFile)
        if [ -z "$value" ]; then
          env_files=""
        else
          env_files="$env_files
${value#-}"
        fi ;;
    esac
  done <<EOF
$text
EOF
  # The program: the first word after systemd's prefixes (-@:+!), or the first quoted string, unquoted.
  exec_start=$(printf '%s\n' "$exec_start" | sed -e 's/^[-@:+!]*//' -e "/^[\"']/!s/[ $tab].*//" \
    -e 's/^"\([^"]*\)".*/\1/' -e "s/^'\\([^']*\\)'.*/\\1/")
fi
[ -n "$exec_start" ] || refuse "$unit has no ExecStart"
case $exec_start in
  /*) kubelet=$exec_start ;;
  *)
    kubelet=""
    for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
      if [ -f "$root$d/$exec_start" ]; then kubelet=$d/$exec_start; break; fi
    done
    [ -n "$kubelet" ] || refuse "$unit starts '$exec_start', which is not in systemd's search path" ;;
esac
# Environment files override Environment= (later files override earlier ones).
while IFS= read -r f; do
  [ -n "$f" ] || continue
  v=$(godebug_in_file "$root$f")
  [ -z "$v" ] || { unit_godebug=$v; unit_godebug_from="EnvironmentFile=$f"; }
done <<EOF
$env_files
EOF

# The last value of KEY in a GODEBUG-style list (a=1,b=2) into R; empty if absent.
godebug_value() {
  R=""
  _list=$1
  while [ -n "$_list" ]; do
    _item=${_list%%,*}
    case $_list in *,*) _list=${_list#*,} ;; *) _list="" ;; esac
    case $_item in
      *=*)
        _k=$(printf '%s' "${_item%%=*}" | tr -d " $tab")
        [ "$_k" != "$2" ] || R=$(printf '%s' "${_item#*=}" | tr -d " $tab") ;;
    esac
  done
}

godebug_value "$unit_godebug" fips140
[ "$R" != off ] || refuse "$unit sets GODEBUG=$unit_godebug ($unit_godebug_from), which turns Go's FIPS 140-3 mode off"
godebug_value "${GODEBUG:-}" fips140
[ "$R" != off ] || refuse "the environment sets GODEBUG=${GODEBUG:-}, which turns Go's FIPS 140-3 mode off"

# ---------------------------------------------------------------- the binary: ELF headers
bin=$root$kubelet
[ -f "$bin" ] && [ -r "$bin" ] || refuse "$kubelet (the ExecStart of $unit) is not a readable file"
size=$(wc -c <"$bin" | tr -d ' ')

# bytes OFFSET COUNT: B = those bytes of the file as unsigned decimals, space separated.
bytes() {
  B=$(od -A n -v -t u1 -j "$1" -N "$2" "$bin" 2>/dev/null | tr '\n' ' ')
}

# u INDEX COUNT BYTES...: R = the COUNT-byte integer at INDEX of BYTES, in the file's byte order ($be).
u() {
  _at=$1 _n=$2
  shift 2
  R=-1
  [ "$#" -ge $((_at + _n)) ] || return 0
  shift "$_at"
  R=0 _m=1
  while [ "$_n" -gt 0 ]; do
    if [ "$be" = 1 ]; then R=$((R * 256 + $1)); else R=$((R + $1 * _m)); _m=$((_m * 256)); fi
    shift
    _n=$((_n - 1))
  done
}

# in_file OFFSET LENGTH: true when [OFFSET, OFFSET+LENGTH) lies inside the file.
in_file() {
  [ "$1" -ge 0 ] && [ "$2" -ge 0 ] && [ "$1" -le "$size" ] && [ "$2" -le $((size - $1)) ]
}

# range OFFSET LENGTH: those bytes of the file on stdout.
range() {
  tail -c +$(($1 + 1)) "$bin" 2>/dev/null | head -c "$2"
}

bytes 0 64; set -- $B
[ "$#" -ge 52 ] && [ "$1" = 127 ] && [ "$2" = 69 ] && [ "$3" = 76 ] && [ "$4" = 70 ] \
  || refuse "$kubelet is not an ELF executable"
cls=$5 be=$(($6 - 1))
[ "$cls" = 1 ] || [ "$cls" = 2 ] || refuse "$kubelet: invalid ELF class $cls"
[ "$be" = 0 ] || [ "$be" = 1 ] || refuse "$kubelet: invalid ELF data encoding $6"
u 16 2 "$@"; etype=$R
[ "$etype" = 2 ] || [ "$etype" = 3 ] || refuse "$kubelet is an ELF file but not an executable (e_type $etype)"
u 18 2 "$@"; machine=$R
if [ "$cls" = 2 ]; then
  u 32 8 "$@"; phoff=$R; u 40 8 "$@"; shoff=$R
  u 54 2 "$@"; phentsize=$R; u 56 2 "$@"; phnum=$R
  u 58 2 "$@"; shentsize=$R; u 60 2 "$@"; shnum=$R; u 62 2 "$@"; shstrndx=$R
  phmin=56 shmin=64
else
  u 28 4 "$@"; phoff=$R; u 32 4 "$@"; shoff=$R
  u 42 2 "$@"; phentsize=$R; u 44 2 "$@"; phnum=$R
  u 46 2 "$@"; shentsize=$R; u 48 2 "$@"; shnum=$R; u 50 2 "$@"; shstrndx=$R
  phmin=32 shmin=40
fi
case $machine in
  62) arch=amd64 ;; 183) arch=arm64 ;; 3) arch=386 ;; 40) arch=arm ;; 22) arch=s390x ;; 243) arch=riscv64 ;;
  21) if [ "$be" = 1 ]; then arch=ppc64; else arch=ppc64le; fi ;;
  *) arch=elf-machine-$machine ;;
esac

# Loadable segments "offset length address" (pointer-form build info), writable data, executable code.
segments="" data_segment="" exec_segments=""
if [ "$phoff" -gt 0 ] && [ "$phentsize" -ge "$phmin" ] && in_file "$phoff" $((phnum * phentsize)); then
  i=0
  while [ "$i" -lt "$phnum" ]; do
    bytes $((phoff + i * phentsize)) "$phmin"; set -- $B
    i=$((i + 1))
    u 0 4 "$@"
    [ "$R" = 1 ] || continue
    if [ "$cls" = 2 ]; then
      u 4 4 "$@"; pflags=$R; u 8 8 "$@"; poff=$R; u 16 8 "$@"; paddr=$R; u 32 8 "$@"; psize=$R
    else
      u 4 4 "$@"; poff=$R; u 8 4 "$@"; paddr=$R; u 16 4 "$@"; psize=$R; u 24 4 "$@"; pflags=$R
    fi
    [ "$psize" -gt 0 ] && in_file "$poff" 0 || continue
    [ "$psize" -le $((size - poff)) ] || psize=$((size - poff))
    segments="$segments$poff $psize $paddr
"
    if [ -z "$data_segment" ] && [ $((pflags & 2)) != 0 ] && [ $((pflags & 1)) = 0 ]; then
      data_segment="$poff $psize $paddr"
    fi
    [ $((pflags & 1)) = 0 ] || exec_segments="$exec_segments$poff $psize $paddr
"
  done
fi

# Sections: the build info, Go's function table, executable code, and the symbol string tables.
buildinfo="" pclntab="" text="" strtabs="" links="" section_segments="" has_symtab=0 names_off=-1 names_size=0
if [ "$shoff" -gt 0 ] && [ "$shentsize" -ge "$shmin" ] && in_file "$shoff" $((shnum * shentsize)); then
  # sh_offset, sh_size of section INDEX into S_OFF S_SIZE (and the other fields).
  section() {
    bytes $((shoff + $1 * shentsize)) "$shmin"; set -- $B
    if [ "$cls" = 2 ]; then
      u 0 4 "$@"; S_NAME=$R; u 4 4 "$@"; S_TYPE=$R; u 8 8 "$@"; S_FLAGS=$R; u 16 8 "$@"; S_ADDR=$R
      u 24 8 "$@"; S_OFF=$R; u 32 8 "$@"; S_SIZE=$R; u 40 4 "$@"; S_LINK=$R
    else
      u 0 4 "$@"; S_NAME=$R; u 4 4 "$@"; S_TYPE=$R; u 8 4 "$@"; S_FLAGS=$R; u 12 4 "$@"; S_ADDR=$R
      u 16 4 "$@"; S_OFF=$R; u 20 4 "$@"; S_SIZE=$R; u 24 4 "$@"; S_LINK=$R
    fi
    # NOBITS, empty or starting outside the file: nothing to read; one running past the end is cut there.
    [ "$S_TYPE" != 8 ] && [ "$S_SIZE" -gt 0 ] && [ "$S_OFF" -ge 0 ] && [ "$S_OFF" -lt "$size" ] || return 1
    [ "$S_SIZE" -le $((size - S_OFF)) ] || S_SIZE=$((size - S_OFF))
  }
  if [ "$shstrndx" -gt 0 ] && [ "$shstrndx" -lt "$shnum" ] && section "$shstrndx"; then
    names_off=$S_OFF names_size=$S_SIZE
  fi
  i=0
  while [ "$i" -lt "$shnum" ]; do
    section "$i" || { i=$((i + 1)); continue; }
    i=$((i + 1))
    # No program headers: allocated sections stand in for the loadable segments.
    if [ -z "$segments" ] && [ $((S_FLAGS & 2)) != 0 ] && [ "$S_ADDR" != 0 ]; then
      section_segments="$section_segments$S_OFF $S_SIZE $S_ADDR
"
    fi
    if [ "$S_TYPE" = 1 ] && [ $((S_FLAGS & 4)) != 0 ]; then
      text="$text$S_OFF $S_SIZE $S_ADDR
"
    elif [ "$S_TYPE" = 1 ] && [ "$names_off" -ge 0 ] && [ "$S_NAME" -lt "$names_size" ]; then
      name=$(range $((names_off + S_NAME)) 32 | tr '\000' '\n' | head -n 1)
      case $name in
        .go.buildinfo) [ -n "$buildinfo" ] || buildinfo="$S_OFF $S_SIZE $S_ADDR" ;;
        .gopclntab) pclntab="$S_OFF $S_SIZE" ;;
      esac
    elif [ "$S_TYPE" = 2 ] || [ "$S_TYPE" = 11 ]; then
      # .symtab / .dynsym: the string table they link to (each once).
      link=$S_LINK type=$S_TYPE
      [ "$link" -gt 0 ] && [ "$link" -lt "$shnum" ] || continue
      case " $links " in *" $link "*) continue ;; esac
      links="$links $link"
      [ "$type" != 2 ] || has_symtab=1
      if section "$link"; then
        strtabs="$strtabs$S_OFF $S_SIZE
"
      fi
    fi
  done
fi
[ -n "$segments" ] || segments=$section_segments
[ -n "$text" ] || text=$exec_segments
[ -n "$buildinfo" ] || buildinfo=$data_segment
[ -n "$buildinfo" ] || refuse "$kubelet is not a Go binary (no .go.buildinfo section or data segment)"

# ---------------------------------------------------------------- the binary: Go build information
# map_address ADDRESS LENGTH: R = the file offset of [ADDRESS, ADDRESS+LENGTH) in one loadable segment, or -1.
map_address() {
  R=-1
  while read -r _o _s _a; do
    [ -n "$_o" ] || continue
    if [ "$1" -ge "$_a" ] && [ $(($1 - _a)) -lt "$_s" ] && [ "$2" -le $((_s - ($1 - _a))) ]; then
      R=$((_o + $1 - _a))
      return 0
    fi
  done <<EOF
$segments
EOF
}

# uvarint OFFSET: R = the value (encoding/binary.Uvarint), N = its length in bytes; R=-1 when malformed.
uvarint() {
  bytes "$1" 10; set -- $B
  R=0 N=0 _shift=0
  while [ "$#" -gt 0 ]; do
    N=$((N + 1))
    if [ "$1" -lt 128 ]; then
      { [ "$N" -lt 10 ] || [ "$1" -le 1 ]; } || break
      R=$((R + ($1 << _shift)))
      return 0
    fi
    R=$((R + (($1 - 128) << _shift)))
    _shift=$((_shift + 7))
    shift
  done
  R=-1
}

set -- $buildinfo
bi_off=$1 bi_size=$2
[ "$bi_size" -le 67108864 ] || bi_size=67108864
magic=$(printf '\377 Go buildinf:')
header=-1
for at in $(range "$bi_off" "$bi_size" | grep -a -b -o -F "$magic" | cut -d: -f1); do
  if [ $((at % 16)) = 0 ] && [ $((bi_size - at)) -ge 32 ]; then
    header=$((bi_off + at))
    break
  fi
done
[ "$header" -ge 0 ] || refuse "$kubelet is not a Go binary (no Go build information)"
bi_end=$((bi_off + bi_size))
bytes "$header" 32; set -- $B
[ "$#" = 32 ] || refuse "$kubelet: truncated Go build information"
bi_ptr=${15} bi_flags=${16}
if [ $((bi_flags & 2)) != 0 ]; then
  # Inline (Go >= 1.18): uvarint length + version, uvarint length + modinfo.
  at=$((header + 32))
  uvarint "$at"
  [ "$R" -ge 0 ] && [ "$R" -le 8388608 ] && [ $((at + N + R)) -le "$bi_end" ] || refuse "$kubelet: corrupt Go build information"
  version_at=$((at + N)) version_len=$R
  at=$((version_at + version_len))
  uvarint "$at"
  [ "$R" -ge 0 ] && [ "$R" -le 8388608 ] && [ $((at + N + R)) -le "$bi_end" ] || refuse "$kubelet: corrupt Go build information"
  mod_at=$((at + N)) mod_len=$R
else
  # Pointer form (Go 1.13-1.17): two addresses of Go string headers {data, len}.
  [ "$bi_ptr" = 4 ] || [ "$bi_ptr" = 8 ] || refuse "$kubelet: Go build information with pointer size $bi_ptr"
  be=$((bi_flags & 1))
  u 16 "$bi_ptr" "$@"; version_ptr=$R
  u $((16 + bi_ptr)) "$bi_ptr" "$@"; mod_ptr=$R
  # go_string ADDRESS: S_AT S_LEN = where the string that header points to lies in the file.
  go_string() {
    map_address "$1" $((2 * bi_ptr))
    [ "$R" -ge 0 ] || return 1
    bytes "$R" $((2 * bi_ptr)); set -- $B
    u 0 "$bi_ptr" "$@"; _data=$R
    u "$bi_ptr" "$bi_ptr" "$@"; S_LEN=$R
    S_AT=0
    [ "$S_LEN" -ge 0 ] && [ "$S_LEN" -le 8388608 ] || return 1
    [ "$S_LEN" -gt 0 ] || return 0
    map_address "$_data" "$S_LEN"
    S_AT=$R
    [ "$S_AT" -ge 0 ]
  }
  go_string "$version_ptr" || refuse "$kubelet: corrupt Go build information"
  version_at=$S_AT version_len=$S_LEN
  go_string "$mod_ptr" || refuse "$kubelet: corrupt Go build information"
  mod_at=$S_AT mod_len=$S_LEN
fi
[ "$version_len" -gt 0 ] || refuse "$kubelet: Go build information without a Go version"
version=$(range "$version_at" "$version_len" | tr -d '\000\n')
# modinfo is framed by two 16-byte sentinels (a module build); without them there are no build settings.
settings=""
bytes $((mod_at + mod_len - 17)) 1; set -- $B
if [ "$mod_len" -ge 33 ] && [ "${1:-}" = 10 ]; then
  settings=$(range $((mod_at + 16)) $((mod_len - 32)) | tr -d '\000' | grep "^build$tab")
fi

# setting KEY: R = the last value of "build KEY=VALUE" (key or value may be Go-quoted), S = 1 when there is one.
setting() {
  R=$(printf '%s\n' "$settings" | sed -n -e "s/^build$tab$1=//p" -e "s/^build$tab\"$1\"=//p" | tail -n 1)
  S=0
  printf '%s\n' "$settings" | grep -q -e "^build$tab$1=" -e "^build$tab\"$1\"=" && S=1
  case $R in
    \"*\") R=$(printf '%s' "$R" | sed -e 's/^"//' -e 's/"$//' -e 's/\\\(.\)/\1/g') ;;
    \`*\`) R=${R#\`}; R=${R%\`} ;;
  esac
}

setting CGO_ENABLED; cgo=$R cgo_set=$S
setting GOEXPERIMENT; goexperiment=$R
setting GOFIPS140; gofips=$R gofips_set=$S
setting DefaultGODEBUG; default_godebug=$R
godebug_value "$default_godebug" fips140; fips_default=$R

# Experiments in effect: the " X:a,b" of the version, then GOEXPERIMENT; "noa" removes a.
experiments=","
add_experiments() {
  _list=$1
  while [ -n "$_list" ]; do
    _e=${_list%%,*}
    case $_list in *,*) _list=${_list#*,} ;; *) _list="" ;; esac
    _e=$(printf '%s' "$_e" | tr -d " $tab")
    [ -n "$_e" ] || continue
    case $_e in
      no*)
        _x=${_e#no}
        case $experiments in *",$_x,"*) experiments="${experiments%%,"$_x",*},${experiments#*,"$_x",}" ;; esac ;;
      *)
        case $experiments in *",$_e,"*) ;; *) experiments="$experiments$_e," ;; esac ;;
    esac
  done
}
case $version in
  *" X:"*)
    x=${version#*" X:"}
    add_experiments "${x%% *}" ;;
esac
add_experiments "$goexperiment"
has_experiment() { case $experiments in *",$1,"*) return 0 ;; esac; return 1; }

boring_claim=0
printf '%s\n' "$version" | grep -Eq '^go[0-9]+(\.[0-9]+){0,2}b[0-9]+' && boring_claim=1
has_experiment boringcrypto && boring_claim=1
backend=""
for b in strictfipsruntime systemcrypto opensslcrypto cngcrypto darwincrypto; do
  if has_experiment "$b"; then backend=$b; break; fi
done

accept() {
  printf 'fips-kubelet-check: %s: %s; kernel in FIPS mode: starting kubelet\n' "$kubelet" "$*"
  exit 0
}
built="$version, $arch"

# ---------------------------------------------------------------- judgement (as GoCryptoVerdict.Judge)
# 1. Go's native FIPS 140-3 module, selected at build time.
if [ "$gofips_set" = 1 ] && [ "$gofips" != off ]; then
  [ "$boring_claim" = 0 ] || refuse "$kubelet claims GOFIPS140=$gofips together with BoringCrypto, which cmd/go refuses: its build information is contradictory"
  [ "$fips_default" != off ] || refuse "$kubelet is built with GOFIPS140=$gofips but its DefaultGODEBUG sets fips140=off ($built)"
  case $gofips in
    v1.*) accept "Go Cryptographic Module $gofips (GOFIPS140), FIPS 140-3 mode ${fips_default:-on} ($built)" ;;
  esac
  refuse "$kubelet is built with GOFIPS140=$gofips, which is not a frozen v1 Go Cryptographic Module ($built)"
fi
if [ "$fips_default" = on ] || [ "$fips_default" = only ]; then
  refuse "$kubelet sets fips140=$fips_default without GOFIPS140: Go's in-tree crypto, not a frozen Go Cryptographic Module ($built)"
fi
# 2. Crypto delegated to the system's OpenSSL (Red Hat's Go, Microsoft Go).
[ -z "$backend" ] || accept "OpenSSL-backed Go (X:$backend), FIPS through the host's OpenSSL ($built)"

# 3./4. BoringCrypto: the claim is only as good as the code that is linked.
[ "$boring_claim" = 0 ] || [ "$cgo_set" = 0 ] || [ "$cgo" = 1 ] \
  || refuse "$kubelet claims BoringCrypto but is built with CGO_ENABLED=$cgo, so standard Go crypto is linked ($built)"

# Names in the symbol string tables (and Go's function table): _Cfunc__goboringcrypto_ functions, the
# crypto/internal/boring/sig functions, crypto packages.
boring_functions=0 sig_boring=0 sig_standard=0 sig_fipsonly=0 crypto_packages=0 names_read=$has_symtab
scan_names() {
  _found=$(range "$1" "$2" | tr '\000' '\n' \
    | grep -a -o -E '_Cfunc__goboringcrypto_|crypto/internal/boring/sig\.(BoringCrypto|StandardCrypto|FIPSOnly)(\.|$)|^crypto/|golang\.org/x/crypto/' \
    | sed 's/\.$//' | sort -u)
  _cfunc=0 _sig=0 _sigb=0
  while IFS= read -r _n; do
    case $_n in
      _Cfunc__goboringcrypto_) _cfunc=1 ;;
      crypto/internal/boring/sig.BoringCrypto) _sig=1 _sigb=1 sig_boring=1 ;;
      crypto/internal/boring/sig.StandardCrypto) _sig=1 sig_standard=1 ;;
      crypto/internal/boring/sig.FIPSOnly) _sig=1 sig_fipsonly=1 ;;
      crypto/ | golang.org/x/crypto/) crypto_packages=1 ;;
    esac
  done <<EOF
$_found
EOF
  # BoringCrypto's init always calls sig.BoringCrypto: without it, _Cfunc__goboringcrypto_ names do not count.
  if [ "$_cfunc" = 1 ] && { [ "$_sig" = 0 ] || [ "$_sigb" = 1 ]; }; then boring_functions=1; fi
}
while read -r o s; do
  [ -z "$o" ] || scan_names "$o" "$s"
done <<EOF
$strtabs
EOF

# amd64: the 32-byte sig markers (crypto/internal/boring/sig/sig_amd64.s) at 16-byte aligned addresses in the code.
marker_boring=0 marker_standard=0 marker_fipsonly=0 markers_searched=0
if [ "$arch" = amd64 ] && [ -n "$text" ]; then
  markers_searched=1
  prefix='\353\035\364\110\364\113\364'
  m_boring=$(printf "$prefix"'\263\062\365\050\023\243\264\120\324\101\314\044\205\360\001\105\116\222\020\033\035\057\031\120\303')
  m_standard=$(printf "$prefix"'\272\356\115\372\230\121\312\126\251\021\105\350\076\231\305\234\371\021\313\216\200\332\361\057\303')
  m_fipsonly=$(printf "$prefix"'\066\074\271\316\235\150\004\175\061\362\215\062\135\134\245\207\077\135\200\312\366\326\025\033\303')
  while read -r o s a; do
    [ -n "$o" ] || continue
    found=$(range "$o" "$s" | grep -a -b -o -F -e "$m_boring" -e "$m_standard" -e "$m_fipsonly")
    while IFS= read -r hit; do
      [ -n "$hit" ] || continue
      at=${hit%%:*} m=${hit#*:}
      if [ "$a" != 0 ]; then address=$((a + at)); else address=$((o + at)); fi
      [ $((address % 16)) = 0 ] || continue
      if [ "$m" = "$m_boring" ]; then marker_boring=1
      elif [ "$m" = "$m_standard" ]; then marker_standard=1
      elif [ "$m" = "$m_fipsonly" ]; then marker_fipsonly=1
      fi
    done <<EOF
$found
EOF
  done <<EOF
$text
EOF
fi
markers=$((marker_boring + marker_standard + marker_fipsonly))
# Stripped (no static symbols) and no marker: Go's function-name table, which survives stripping.
if [ "$markers" = 0 ] && [ "$has_symtab" = 0 ] && [ -n "$pclntab" ]; then
  set -- $pclntab
  scan_names "$1" "$2"
  names_read=1
fi
boring_linked=0 standard_linked=0 fips_only=0
[ "$marker_boring" = 0 ] && [ "$sig_boring" = 0 ] && [ "$boring_functions" = 0 ] || boring_linked=1
[ "$marker_standard" = 0 ] && [ "$sig_standard" = 0 ] || standard_linked=1
[ "$marker_fipsonly" = 0 ] && [ "$sig_fipsonly" = 0 ] || fips_only=1
links_crypto=unknown
if [ "$crypto_packages" = 1 ] || [ "$boring_functions" = 1 ] || [ $((sig_boring + sig_standard + sig_fipsonly + markers)) -gt 0 ]; then
  links_crypto=yes
elif [ "$names_read" = 1 ]; then
  links_crypto=no
fi
what="Go+BoringCrypto"
[ "$fips_only" = 0 ] || what="Go+BoringCrypto with crypto/tls/fipsonly"

if [ "$boring_claim" = 1 ]; then
  [ "$boring_linked" = 0 ] || [ "$standard_linked" = 0 ] || refuse "$kubelet links both BoringCrypto and standard Go crypto ($built)"
  [ "$boring_linked" = 0 ] || accept "$what, linked ($built)"
  [ "$standard_linked" = 0 ] || refuse "$kubelet claims BoringCrypto but links standard Go crypto ($built)"
  if [ "$links_crypto" != unknown ] || [ "$markers_searched" = 1 ]; then
    refuse "$kubelet claims BoringCrypto but no BoringCrypto code is linked ($built)"
  fi
  accept "$what claimed by the build; stripped and without sig markers on $arch, so not confirmed by the code ($built)"
fi
# 5. No FIPS option at build time.
[ "$boring_linked" = 0 ] || [ "$standard_linked" = 1 ] || accept "$what, linked ($built)"
refuse "$kubelet is not a FIPS build: no BoringCrypto, GOFIPS140 v1 module or OpenSSL backend ($built)"
