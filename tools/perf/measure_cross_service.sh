#!/usr/bin/env bash
# Measures what an app-only change in one service costs the other service
# (docs/PERFORMANCE.md, "Two services"): for each service, a comment line is
# appended to its app, both images are rebuilt with an execution log, and the
# other service's tests are run again. Reported: the rebuild time, every
# action that ran (mnemonic and target), and how many of the other service's
# tests were cached. The app files are restored at the end.
# Usage: tools/perf/measure_cross_service.sh [OUT_DIR]   (default /tmp/mlimage-cross)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/mlimage-cross}
mkdir -p "$out"
report="$out/report.txt"
: >"$report"
note() { echo "$*" | tee -a "$report"; }

images=(//:image //services/imagestats:image)
cuda_tests=(//:gates //:app_test //:image_structure_test)
imagestats_tests=(//services/imagestats:gates //services/imagestats:app_test //services/imagestats:image_structure_test)
# The execution log must be where Bazel (in the build root) and this script
# (on the host) both see it: below the output base.
log="$(tools/bazel info output_base 2>/dev/null)/cross_service_exec.json"

note "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
tools/bazel build "${images[@]}" >>"$out/commands.log" 2>&1
tools/bazel test "${cuda_tests[@]}" "${imagestats_tests[@]}" >>"$out/commands.log" 2>&1

summarise() {
  # The spawns the execution log records (each ran: no cache hits here).
  python3 - "$log" <<'PY'
import collections, json, sys
text = open(sys.argv[1], encoding="utf-8").read()
decoder, i, spawns = json.JSONDecoder(), 0, []
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = decoder.raw_decode(text, i)
    spawns.append(obj)
count = collections.Counter((s.get("mnemonic", "?"), s.get("targetLabel", "?")) for s in spawns)
print(f"  {len(spawns)} spawns executed")
for (mnemonic, target), n in sorted(count.items()):
    print(f"    {n} x {mnemonic} {target}")
PY
}

measure() {
  local service=$1 file=$2
  shift 2
  local other_tests=("$@")
  cp "$file" "$out/app.orig"
  trap 'cp "$out/app.orig" "$file"' EXIT
  echo "# perf: an app-only change" >>"$file"
  note ""
  note "app-only change in $service ($file):"
  local start end
  start=$(date +%s.%N)
  tools/bazel build "${images[@]}" --execution_log_json_file="$log" >>"$out/commands.log" 2>&1
  end=$(date +%s.%N)
  note "  rebuild of both images: $(python3 -c "print(f'{$end - $start:.2f}')") s"
  summarise | tee -a "$report"
  tools/bazel test "${other_tests[@]}" 2>&1 | tee -a "$out/commands.log" >"$out/other_tests.log"
  note "  the other service's tests: $(grep -c '(cached) PASSED' "$out/other_tests.log") cached of $(grep -cE ' (PASSED|FAILED)' "$out/other_tests.log")"
  cp "$out/app.orig" "$file"
  trap - EXIT
  # Back to the committed app before the next measurement starts.
  tools/bazel build "${images[@]}" >>"$out/commands.log" 2>&1
}

measure imagestats services/imagestats/imagestats/main.py "${cuda_tests[@]}"
measure embedding-service app/main.py "${imagestats_tests[@]}"
rm -f "$log"
note ""
note "report: $report"
