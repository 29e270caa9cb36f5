#!/usr/bin/env bash
# Builds an image's layout twice, each time in a fresh output base (so the
# .debs and wheels are unpacked and installed again, and every action runs
# again), and checks that both give the same manifest digest and the same
# layer tars; where the image has attachments (`<image>_attached` beside
# `<image>_layout`: its SBOMs and provenance), the attached layout's
# index.json (every attachment's digest) must be the same too. Exit 0 when
# they match.
#
# Usage: tools/check_reproducible.sh [IMAGE_LAYOUT]
#   default: //:image_layout (the CUDA service); e.g.
#   tools/check_reproducible.sh //services/imagestats:image_layout
# Disk: about 12 GB per output base while it runs; both are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${MLIMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlimage}/bazel/reproducible
target=${1:-//:image_layout}
[[ "$target" == //*:* ]] || { echo "check_reproducible: $target: expected a label //pkg:name" >&2; exit 2; }
# bazel-bin/<pkg>/<name>: where the layout and its .digest are.
out_path=${target#//}; out_path=${out_path/://}; out_path=${out_path#/}
attached=${target%_layout}_attached
digests=()
indexes=()
for side in a b; do
  ob="$base-$side"
  rm -rf "$ob"
  echo "check_reproducible: building $target in $ob" >&2
  tools/bazel --output_base="$ob" build "$target" --output_groups=+digest >&2
  bin=$(tools/bazel --output_base="$ob" info bazel-bin 2>/dev/null)
  execroot=$(tools/bazel --output_base="$ob" info execution_root 2>/dev/null)
  digests+=("$(cat "$bin/$out_path.digest")")
  index="none"
  if [[ "$attached" != "$target" ]] &&
    tools/bazel --output_base="$ob" query "$attached" >/dev/null 2>&1; then
    tools/bazel --output_base="$ob" build "$attached" >&2
    index=$(sha256sum "$bin/${out_path%_layout}_attached/index.json" | cut -d' ' -f1)
  fi
  indexes+=("$index")
  # The files its layer blobs link to (the image's layer tars, in order).
  mapfile -t layer_tars < <(tools/bazel --output_base="$ob" cquery --output=files \
    --output_groups=layer_blobs "$target" 2>/dev/null)
  (( ${#layer_tars[@]} > 0 )) || { echo "check_reproducible: no layer of $target found" >&2; exit 2; }
  (cd "$execroot" && sha256sum "${layer_tars[@]}" | sed 's|bazel-out/[^/]*/bin/||') >"$base-$side.layers"
  tools/bazel --output_base="$ob" shutdown >&2
done
echo "output base a: ${digests[0]} (attached index.json sha256 ${indexes[0]})"
echo "output base b: ${digests[1]} (attached index.json sha256 ${indexes[1]})"
status=0
if [[ "${digests[0]}" != "${digests[1]}" ]]; then
  echo "check_reproducible: the image digests differ; layer tars:" >&2
  diff "$base-a.layers" "$base-b.layers" >&2 || true
  status=1
elif [[ "${indexes[0]}" != "${indexes[1]}" ]]; then
  echo "check_reproducible: the attachments differ ($attached's index.json)" >&2
  status=1
else
  echo "check_reproducible: identical"
fi
rm -rf "$base-a" "$base-b" "$base-a.layers" "$base-b.layers"
exit "$status"
