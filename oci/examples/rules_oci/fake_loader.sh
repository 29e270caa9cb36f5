#!/bin/sh
# A stand-in for `docker`/`podman`, called as rules_oci calls a loader:
# `fake_loader.sh load --input ARCHIVE`. It reports the archive's size and
# first member's name, as a test can check.
set -eu
[ "${1:-}" = load ] && [ "${2:-}" = --input ] && [ -n "${3:-}" ] || {
  echo "fake_loader: expected 'load --input ARCHIVE', got '$*'" >&2
  exit 2
}
tmp=$(mktemp)
cat "$3" >"$tmp"
echo "loaded $(wc -c <"$tmp") bytes, first member $(head -c 100 "$tmp" | tr -d '\0')"
rm -f "$tmp"
