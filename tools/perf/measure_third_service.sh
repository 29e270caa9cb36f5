#!/usr/bin/env bash
# What a third service on a shared torch adds to a cold build (docs/
# PERFORMANCE.md), in one run: from `clean --expunge` each time (downloads in
# the repository cache), the two first services' images, then the same plus
# //services/reranker:image; the time of each build and the output base's
# size after it. The reranker locks the embedding service's torch, triton and
# nvidia-* wheels: they are installed and layered once for both.
#
#   tools/perf/measure_third_service.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
two=(//:image //services/imagestats:image)
three=("${two[@]}" //services/reranker:image)
log=${TMPDIR:-/tmp}/measure_third_service.log
: >"$log"
measure() {
  tools/bazel clean --expunge >>"$log" 2>&1
  local start=$EPOCHREALTIME
  tools/bazel build "$@" >>"$log" 2>&1
  local s
  s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  local ob
  ob=$(tools/bazel info output_base 2>/dev/null)
  echo "$s $(du -sk "$ob" | cut -f1) $(grep -E '^INFO: [0-9]+ processes' "$log" | tail -n 1 | sed 's/^INFO: //')"
}
tools/bazel build "${three[@]}" >>"$log" 2>&1   # every download in the repository cache
read -r t2 k2 p2 < <(measure "${two[@]}")
read -r t3 k3 p3 < <(measure "${three[@]}")
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
echo "two services (baseline): $t2 s, output base $((k2 / 1024)) MiB; $p2"
echo "three services:          $t3 s, output base $((k3 / 1024)) MiB; $p3"
awk -v a="$t2" -v b="$t3" -v c="$k2" -v d="$k3" \
  'BEGIN { printf "the third service adds %.1f%% time and %.2f GiB of disk\n", (b / a - 1) * 100, (d - c) / 1048576 }'
