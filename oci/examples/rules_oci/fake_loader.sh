#!/bin/sh
# A stand-in for `docker`/`podman`: `fake_loader.sh load` reads the archive on
# stdin and reports its size and first member's name, as a test can check.
set -eu
[ "${1:-}" = load ] || { echo "fake_loader: expected 'load', got '${1:-}'" >&2; exit 2; }
tmp=$(mktemp)
cat >"$tmp"
echo "loaded $(wc -c <"$tmp") bytes, first member $(head -c 100 "$tmp" | tr -d '\0')"
rm -f "$tmp"
