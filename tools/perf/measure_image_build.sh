#!/usr/bin/env bash
# Measures what docs/PERFORMANCE.md reports, in one run on one machine:
#   1. the baseline without Bazel: the locked wheels installed with
#      `pip install --no-deps --target` and the result tarred once;
#   2. the cold `tools/bazel build //:image` with every download already in
#      Bazel's repository cache (after `clean --expunge`), against (1);
#   3. the rebuild after an app-only change, three changes in a row (best of
#      3), and which actions ran;
#   4. the image's layers (name, bytes) and how many blobs of the layout are
#      links to them;
#   5. with --compression: the zstd and gzip builds of the layers;
#   6. with --suite: the output base's size after `tools/bazel test //...`,
#      alone and without the downloads it shares with the repository cache.
# Usage: tools/perf/measure_image_build.sh [--compression] [--suite] [OUT_DIR]
#   (default OUT_DIR /tmp/mlimage-perf). Needs the network once (pip download
#   of the locked wheels for the baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
compression="" suite=""
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --compression) compression=1 ;;
    --suite) suite=1 ;;
    *) echo "measure_image_build: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
out=${1:-/tmp/mlimage-perf}
mkdir -p "$out"
report="$out/report.txt"
: >"$report"
note() { echo "$*" | tee -a "$report"; }
# Seconds (3 decimals) that a command takes; its output goes to commands.log.
seconds() {
  local start=$EPOCHREALTIME
  "$@" >>"$out/commands.log" 2>&1
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

note "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"

# 1. baseline without Bazel: pip install --no-deps --target, then one tar
wheels="$out/wheelhouse"
if [[ ! -d "$wheels" ]]; then
  env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null python3 -m pip download -q \
    --no-deps --require-hashes --only-binary=:all: --python-version 3.11 --platform manylinux_2_36_x86_64 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --implementation cp \
    -d "$wheels" -r requirements_lock.txt >>"$out/commands.log" 2>&1
fi
rm -rf "$out/target" "$out/baseline.tar"
pip_s=$(seconds env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null python3 -m pip install -q \
  --no-deps --no-index --no-compile --find-links "$wheels" --require-hashes --target "$out/target" -r requirements_lock.txt)
tar_s=$(seconds tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$out/target" -cf "$out/baseline.tar" .)
baseline=$(awk -v a="$pip_s" -v b="$tar_s" 'BEGIN { printf "%.3f", a + b }')
note "baseline: pip install --no-deps --target: $pip_s s; tar once: $tar_s s; total $baseline s (1.00)"
rm -rf "$out/target" "$out/baseline.tar"

# 2. cold build, downloads cached
tools/bazel build //:image >>"$out/commands.log" 2>&1   # everything fetched into the repository cache
tools/bazel clean --expunge >>"$out/commands.log" 2>&1
cold=$(seconds tools/bazel build //:image)
note "cold build (repository cache warm): $cold s ($(ratio "$cold" "$baseline") x the baseline)"
note "  actions: $(grep -E '^INFO: [0-9]+ processes' "$out/commands.log" | tail -n 1)"

# 3. app-only change, three in a row (after a no-op build, so each is warm)
note "no-op rebuild: $(seconds tools/bazel build //:image) s"
cp app/main.py "$out/main.py.orig"
trap 'cp "$out/main.py.orig" app/main.py' EXIT
best=""
for i in 1 2 3; do
  echo "# perf: an app-only change $i" >>app/main.py
  start=$EPOCHREALTIME
  tools/bazel build //:image >"$out/app_rebuild.log" 2>&1
  s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
  cat "$out/app_rebuild.log" >>"$out/commands.log"
  note "rebuild after an app-only change ($i): $s s; $(grep -E '^INFO: [0-9]+ processes' "$out/app_rebuild.log" | tail -n 1 | sed 's/^INFO: //')"
  if [[ -z "$best" ]] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
done
note "rebuild after an app-only change, best of 3: $best s"
cp "$out/main.py.orig" app/main.py
trap - EXIT
tools/bazel build //:image >>"$out/commands.log" 2>&1

# 4. the layers and the layout's links
note ""
note "layers (bottom first): name bytes"
execroot=$(tools/bazel info execution_root 2>/dev/null)
mapfile -t layers < <(tools/bazel cquery --output=files --output_groups=layer_blobs //:image_layout 2>/dev/null)
total=0
for layer in "${layers[@]}"; do
  size=$(stat -c %s "$execroot/$layer")
  total=$((total + size))
  note "  $layer $size"
done
note "  ${#layers[@]} layers, $total bytes"
links=$(find bazel-bin/image_layout/blobs/sha256 -type l | wc -l)
files=$(find bazel-bin/image_layout/blobs/sha256 -type f | wc -l)
note "layout blobs: $links links, $files files (config and manifest)"

# 5. compression (optional: several minutes)
if [[ -n "$compression" ]]; then
  note ""
  note "zstd image build: $(seconds tools/bazel build --//oci:layer_compression=zstd //:image_layout) s, $(du -cb bazel-bin/image_layout_layers/*.tar.zst | tail -n 1 | cut -f1) bytes"
  note "gzip image build: $(seconds tools/bazel build --//oci:layer_compression=gzip //:image_layout) s, $(du -cb bazel-bin/image_layout_layers/*.tar.gz | tail -n 1 | cut -f1) bytes"
  tools/bazel build //:image >>"$out/commands.log" 2>&1
fi

# 6. the output base after the whole suite (optional: the suite's minutes)
if [[ -n "$suite" ]]; then
  note ""
  suite_s=$(seconds tools/bazel test //...) || true
  note "tools/bazel test //...: $suite_s s, $(grep -E '^Executed' "$out/commands.log" | tail -n 1)"
  output_base=$(tools/bazel info output_base 2>/dev/null)
  repository_cache=$(tools/bazel info repository_cache 2>/dev/null)
  gib() { awk -v k="$1" 'BEGIN { printf "%.2f GiB (%.1f GB)", k / 1048576, k * 1024 / 1e9 }'; }
  alone=$(du -sk "$output_base" 2>/dev/null | cut -f1)
  # du counts a file with several links once, where it meets it first: with
  # the repository cache first, the downloads that --experimental_repository_cache_hardlinks
  # links into the output base count as the cache's, not the output base's.
  own=$(du -sk "$repository_cache" "$output_base" 2>/dev/null | tail -n 1 | cut -f1)
  linked=$(find "$output_base/external" -type f -links +1 | wc -l)
  note "output base after test //...: $(gib "$alone") as du sees it alone ($output_base)"
  note "  of which its own blocks: $(gib "$own"); the rest are $linked downloads hard-linked from the repository cache"
fi
note "done: $report"
