#!/usr/bin/env bash
# Measures what docs/PERFORMANCE.md reports for pushing: the bytes crane
# uploads to a loopback registry for (1) a first push of //:image, (2) a
# second push of the unchanged image, (3) a push after an app-only change.
# Bytes are the sizes of the blobs crane reports as "pushed blob" (blobs the
# registry already has are "existing blob" and cost nothing).
# Usage: tools/perf/measure_push.sh [PORT]   (default 5123; loopback only)
# crane's registry keeps blobs in memory: about 6 GB of RAM while it runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:-5123}
repo="127.0.0.1:$port/mlimage/embedding-service"
tools/bazel build //third_party/debian:crane >/dev/null 2>&1
crane="$(tools/bazel info output_base 2>/dev/null)/external/_main~debian~crane/crane.sh"
"$crane" registry serve --address "127.0.0.1:$port" >/dev/null 2>&1 &
registry=$!
cleanup() { kill "$registry" 2>/dev/null || true; cp app/main.py.perf-orig app/main.py 2>/dev/null && rm -f app/main.py.perf-orig; }
trap cleanup EXIT
sleep 1

layout=bazel-bin/image_layout
push() {  # $1: what; prints pushed bytes and seconds
  local log s=$SECONDS bytes=0 blobs=0
  log=$(tools/bazel run //:image_push -- --repository "$repo" 2>&1)
  while read -r digest; do
    bytes=$((bytes + $(stat -c %s "$layout/blobs/sha256/${digest#sha256:}")))
    blobs=$((blobs + 1))
  done < <(sed -n 's/.*pushed blob: \(sha256:[0-9a-f]*\).*/\1/p' <<<"$log")
  echo "$1: $blobs blobs, $bytes bytes uploaded, $((SECONDS - s)) s"
}
tools/bazel build //:image >/dev/null 2>&1
push "first push"
push "second push, unchanged image"
cp app/main.py app/main.py.perf-orig
echo "# perf: an app-only change" >>app/main.py
tools/bazel build //:image >/dev/null 2>&1
push "push after an app-only change"
