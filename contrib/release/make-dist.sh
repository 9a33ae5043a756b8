#!/usr/bin/env bash
# Packs a release: `make dist` calls this after building the static binary and the man-page tool.
#   make-dist.sh BINARY GENERATE_MANUAL VERSION OUT.tar.gz
# The tarball is laid out as `make install` lays out a prefix (bin/, share/tcplab/experiments/,
# share/man, the completions), because the binary finds its experiments from its own real path:
# PREFIX/bin/tcplab reads PREFIX/share/tcplab/experiments, wherever PREFIX is unpacked.
set -euo pipefail
binary=$1 manual_tool=$2 version=$3 out=$4
cd "$(dirname "$0")/../.."
name=$(basename "$out" .tar.gz)

# A release that still needs the toolchain would run here and nowhere else: refuse to pack it.
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -Eq 'swift|Foundation|dispatch|BlocksRuntime' <<<"$needed" || ldd "$binary" | grep -q /opt/swift; then
  echo "make-dist: $binary still needs the Swift toolchain's libraries: $(echo $needed)" >&2; exit 1
fi
# The oldest glibc it runs on is the newest symbol version it binds to.
glibc=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
[ -n "$glibc" ] || { echo "make-dist: found no GLIBC_ symbol versions in $binary" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
make -s install-files PREFIX="$root" INSTALL_BIN="$binary" >/dev/null
install -d "$root/share/man/man1"
"$manual_tool" "$binary" --output-directory "$root/share/man/man1" >/dev/null
[ -s "$root/share/man/man1/tcplab.1" ] || { echo "make-dist: generate-manual wrote no tcplab.1" >&2; exit 1; }
sed -e "s|@VERSION@|$version|g" -e "s|@NAME@|$name|g" -e "s|@GLIBC@|$glibc|g" -e "s|@ARCH@|$(uname -m)|g" \
    -e "s|@NEEDED@|$(echo $needed | sed 's/ /, /g')|g" contrib/release/INSTALL.in > "$root/INSTALL"
echo "$version" > "$root/VERSION"

# Written beside its final name and renamed, so an interrupted `make dist` leaves no half tarball.
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$stage/$name.tar.gz" "$name"
mv -f "$stage/$name.tar.gz" "$out"
echo "$out: $(du -h "$out" | cut -f1), glibc >= $glibc, needs $(echo $needed)"
