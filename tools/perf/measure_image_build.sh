#!/usr/bin/env bash
# Measures what docs/PERFORMANCE.md reports, in one run on one machine:
#   1. the cold `tools/bazel build //:image` with every download already in
#      Bazel's repository cache (after `clean --expunge`),
#   2. the rebuild after an app-only change (and which actions ran),
#   3. each layer's size raw, zstd and gzip (--//oci:layer_compression),
#   4. the baseline without Bazel: the same wheels installed with
#      `pip install --no-deps --target` and the result tarred once.
# Usage: tools/perf/measure_image_build.sh [OUT_DIR]   (default /tmp/mlimage-perf)
# Needs the network once (pip download of the locked wheels for the baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/mlimage-perf}
mkdir -p "$out"
report="$out/report.txt"
: >"$report"
note() { echo "$*" | tee -a "$report"; }
seconds() { local s=$SECONDS; "$@" >>"$out/commands.log" 2>&1; echo $((SECONDS - s)); }

note "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(date -u +%Y-%m-%dT%H:%MZ)"

# 1. cold build, downloads cached
tools/bazel build //:image >>"$out/commands.log" 2>&1   # everything fetched into the repository cache
tools/bazel clean --expunge >>"$out/commands.log" 2>&1
note "cold build (repository cache warm): $(seconds tools/bazel build //:image) s"

# 2. app-only change
note "no-op rebuild: $(seconds tools/bazel build //:image) s"
cp app/main.py "$out/main.py.orig"
trap 'cp "$out/main.py.orig" app/main.py' EXIT
echo "# perf: an app-only change" >>app/main.py
s=$SECONDS
tools/bazel build //:image 2>&1 | tee -a "$out/commands.log" >"$out/app_rebuild.log"
note "rebuild after an app-only change: $((SECONDS - s)) s"
note "  actions: $(grep -E '^INFO: [0-9]+ processes' "$out/app_rebuild.log" | tail -n 1)"
tools/bazel aquery 'mnemonic("ImageLayer|OciLayout|CompressLayer|DescribeLayer|SelectDistributions", //:image)' --output=summary 2>/dev/null | grep -E "^  [A-Za-z]+: [0-9]+" | sed 's/^/  /' >>"$report" || true
cp "$out/main.py.orig" app/main.py
trap - EXIT
tools/bazel build //:image >>"$out/commands.log" 2>&1

# 3. layer sizes
note ""
note "layer sizes (bytes): name raw zstd gzip"
declare -A raw zst gz
# The layers, from the one layer list (image/layers.bzl): "//pkg:name" -> pkg/name.
mapfile -t layers < <(sed -n 's|^ *("[^"]*", "//\([^:"]*\):\([^"]*\)"),$|\1/\2|p' image/layers.bzl | sed 's|^/||')
for layer in "${layers[@]}"; do
  raw[$layer]=$(stat -c %s "bazel-bin/$layer.tar")
done
note "zstd image build: $(seconds tools/bazel build --//oci:layer_compression=zstd //:image_layout) s"
for f in bazel-bin/image_layout_layers/*.tar.zst; do zst[$(basename "$f" .tar.zst)]=$(stat -c %s "$f"); done
note "gzip image build: $(seconds tools/bazel build --//oci:layer_compression=gzip //:image_layout) s"
for f in bazel-bin/image_layout_layers/*.tar.gz; do gz[$(basename "$f" .tar.gz)]=$(stat -c %s "$f"); done
for layer in "${layers[@]}"; do
  name=$(basename "$layer"); name=${name#layer_}
  note "  $name ${raw[$layer]} ${zst[$name]:-?} ${gz[$name]:-?}"
done
tools/bazel build //:image >>"$out/commands.log" 2>&1

# 4. baseline without Bazel: pip install --no-deps --target, then one tar
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
note ""
note "baseline: pip install --no-deps --target: $pip_s s; tar once: $tar_s s; total $((pip_s + tar_s)) s; tar $(stat -c %s "$out/baseline.tar") bytes"
rm -rf "$out/target" "$out/baseline.tar"
note "done: $report"
