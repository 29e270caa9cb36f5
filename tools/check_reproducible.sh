#!/usr/bin/env bash
# Builds an image's layout twice, each time in a fresh output base (so the
# .debs and wheels are unpacked and installed again, and every action runs
# again), and checks that both give the same manifest digest and the same
# layer tars. Exit 0 when they match.
#
# Usage: tools/check_reproducible.sh [IMAGE_LAYOUT LAYERS_BZL]
#   default: //:image_layout image/layers.bzl (the CUDA service); e.g.
#   tools/check_reproducible.sh //services/imagestats:image_layout services/imagestats/layers.bzl
# Disk: about 12 GB per output base while it runs; both are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${MLIMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlimage}/bazel/reproducible
target=${1:-//:image_layout}
layers_bzl=${2:-image/layers.bzl}
[[ "$target" == //*:* ]] || { echo "check_reproducible: $target: expected a label //pkg:name" >&2; exit 2; }
# bazel-bin/<pkg>/<name>: where the layout and its .digest are.
out_path=${target#//}; out_path=${out_path/://}; out_path=${out_path#/}
# The layer tars, from the image's one layer list: "//pkg:name" is
# bazel-bin/pkg/name.tar.
mapfile -t layer_tars < <(sed -n 's|^ *("[^"]*", "//\([^:"]*\):\([^"]*\)"),$|\1/\2.tar|p' "$layers_bzl" | sed 's|^/||')
(( ${#layer_tars[@]} > 0 )) || { echo "check_reproducible: no layers read from $layers_bzl" >&2; exit 2; }
digests=()
for side in a b; do
  ob="$base-$side"
  rm -rf "$ob"
  echo "check_reproducible: building $target in $ob" >&2
  tools/bazel --output_base="$ob" build "$target" --output_groups=+digest >&2
  bin=$(tools/bazel --output_base="$ob" info bazel-bin 2>/dev/null)
  digests+=("$(cat "$bin/$out_path.digest")")
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
