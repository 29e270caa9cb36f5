#!/usr/bin/env bash
# Builds //:image_layout twice, each time in a fresh output base (so the
# .debs and wheels are unpacked and installed again, and every action runs
# again), and checks that both give the same manifest digest and the same
# layer tars. Exit 0 when they match.
#
# Usage: tools/check_reproducible.sh
# Disk: about 12 GB per output base while it runs; both are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${MLIMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlimage}/bazel/reproducible
# The layer tars, from the one layer list (image/layers.bzl): "//pkg:name" is
# bazel-bin/pkg/name.tar.
mapfile -t layer_tars < <(sed -n 's|^ *("[^"]*", "//\([^:"]*\):\([^"]*\)"),$|\1/\2.tar|p' image/layers.bzl | sed 's|^/||')
(( ${#layer_tars[@]} > 0 )) || { echo "check_reproducible: no layers read from image/layers.bzl" >&2; exit 2; }
digests=()
for side in a b; do
  ob="$base-$side"
  rm -rf "$ob"
  echo "check_reproducible: building //:image_layout in $ob" >&2
  tools/bazel --output_base="$ob" build //:image_layout --output_groups=+digest >&2
  bin=$(tools/bazel --output_base="$ob" info bazel-bin 2>/dev/null)
  digests+=("$(cat "$bin/image_layout.digest")")
  (cd "$bin" && sha256sum "${layer_tars[@]}") >"$base-$side.layers"
  tools/bazel --output_base="$ob" shutdown >&2
done
echo "output base a: ${digests[0]}"
echo "output base b: ${digests[1]}"
status=0
if [[ "${digests[0]}" != "${digests[1]}" ]]; then
  echo "check_reproducible: the image digests differ; layer tars:" >&2
  diff "$base-a.layers" "$base-b.layers" >&2 || true
  status=1
else
  echo "check_reproducible: identical"
fi
rm -rf "$base-a" "$base-b" "$base-a.layers" "$base-b.layers"
exit "$status"
