#!/usr/bin/env bash
# Measures what docs/PERFORMANCE.md reports for the monorepo's deploy
# (//services:push_all, every service's image at once) against a loopback
# registry: (1) a first push, (2) a second push of the unchanged images, (3) a
# push after an app-only change in one service (imagestats). Each prints the
# push's own table (per image: digest, pushed or unchanged, bytes sent: the
# blobs crane reports as pushed, plus the manifest) and its time.
# Usage: tools/perf/measure_push.sh [PORT]   (default 5123; loopback only)
# crane's registry keeps blobs in memory: about 7 GB of RAM while it runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${1:-5123}
registry="127.0.0.1:$port"
changed=services/imagestats/imagestats/main.py
tools/bazel build //third_party/debian:crane >/dev/null 2>&1
# The wrapper finds crane's root in its runfiles, beside it in bazel-out.
crane="$PWD/$(tools/bazel cquery --output=starlark --starlark:expr=target.files_to_run.executable.path //third_party/debian:crane 2>/dev/null)"
"$crane" registry serve --address "$registry" >/dev/null 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  if [[ -f "$changed.perf-orig" ]]; then mv "$changed.perf-orig" "$changed"; fi
}
trap cleanup EXIT
sleep 1

push() {  # $1: what
  local s=$SECONDS
  echo "== $1"
  tools/bazel run //services:push_all -- --registry "$registry" 2>/dev/null
  echo "($((SECONDS - s)) s, the build before it included)"
}
tools/bazel build //services:push_all >/dev/null 2>&1
push "first push, every service"
push "second push, nothing changed"
cp "$changed" "$changed.perf-orig"
echo "# perf: an app-only change" >>"$changed"
push "push after an app-only change in imagestats"
