#!/usr/bin/env bash
# webtorrent-bundle.sh: WebTorrent's browser bundle (an ES module) for the Chromium tests,
# without installing webtorrent as a dependency (hundreds of packages, native install scripts).
#
#   scripts/webtorrent-bundle.sh [CACHE_DIR]    default CACHE_DIR: test/.cache (git-ignored)
#
# `npm pack` fetches the one tarball (no dependencies, no install scripts run); its sha512 must
# equal the registry's `dist.integrity`, then only `package/dist/webtorrent.min.js` is extracted.
# Prints the bundle's path on stdout; does nothing but print it when the bundle is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=3.0.21
CACHE_DIR=${1:-test/.cache}
OUT="$CACHE_DIR/webtorrent-$VERSION/webtorrent.min.js"

if [ -s "$OUT" ]; then
  echo "$OUT"
  exit 0
fi

mkdir -p "$CACHE_DIR"
work=$(mktemp -d "$CACHE_DIR/.pack.XXXXXX")
trap 'rm -rf "$work"' EXIT

expected=$(npm view "webtorrent@$VERSION" dist.integrity)
tarball=$(npm pack "webtorrent@$VERSION" --pack-destination "$work" --silent | tail -n 1)
actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
if [ "$actual" != "$expected" ]; then
  echo "webtorrent-bundle.sh: $tarball integrity $actual does not match the registry's $expected" >&2
  exit 1
fi

tar -xzf "$work/$tarball" -C "$work" package/dist/webtorrent.min.js
mkdir -p "$(dirname "$OUT")"
mv "$work/package/dist/webtorrent.min.js" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
