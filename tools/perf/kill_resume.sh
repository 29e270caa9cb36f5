#!/usr/bin/env bash
# A cold build killed with `kill -9` of the Bazel server, then built again:
# the second build must succeed first time with the digest of an uninterrupted
# build (docs/PERFORMANCE.md). As a CI machine that loses its server to the
# OOM killer or a preemption.
#
#   tools/perf/kill_resume.sh [TARGET]      (default //:image_layout)
#
# First an uninterrupted cold build gives the reference digest. Then, for each
# phase, from `clean --expunge`: a cold build is started, and the server is
# killed as soon as the build reports that phase (a Debian root's unpacking,
# the first wheel install, torch's install, which streams the wheel into its
# layer tar, a layer tar, the layout); the build is run again and must pass
# with the reference digest. Downloads come from the repository cache.
# KILL_RESUME_PHASES (e.g. "debroot layout") runs only the phases it names.
set -uo pipefail
cd "$(dirname "$0")/../.."
target=${1:-//:image_layout}
[[ "$target" == //*:* ]] || { echo "kill_resume: $target: expected a label //pkg:name" >&2; exit 2; }
digest_path=${target#//}; digest_path=${digest_path/://}; digest_path="bazel-bin/${digest_path#/}.digest"
log=${TMPDIR:-/tmp}/kill_resume.log
: >"$log"

build() { tools/bazel build --output_groups=+digest "$target" >>"$log" 2>&1; }

tools/bazel clean --expunge >>"$log" 2>&1
build || { echo "kill_resume: the uninterrupted build failed; see $log" >&2; exit 1; }
reference=$(cat "$digest_path")
echo "reference (uninterrupted cold build): $reference"
output_base=$(tools/bazel info output_base 2>/dev/null)

# phase name -> the progress text that starts it
phases=(
  "debroot|Unpacking [0-9]+ Debian packages"
  "install|Installing .*\\.whl"
  "torch|Installing torch-"
  "layer|Writing image layer "
  "layout|Assembling OCI image layout"
)
status=0
for entry in "${phases[@]}"; do
  phase=${entry%%|*} pattern=${entry#*|}
  if [[ -n "${KILL_RESUME_PHASES:-}" && " $KILL_RESUME_PHASES " != *" $phase "* ]]; then
    continue
  fi
  tools/bazel clean --expunge >>"$log" 2>&1
  progress=${TMPDIR:-/tmp}/kill_resume.$phase.log
  start=$SECONDS
  tools/bazel build --curses=no --output_groups=+digest "$target" >"$progress" 2>&1 &
  client=$!
  killed=""
  while kill -0 "$client" 2>/dev/null; do
    if grep -qE "$pattern" "$progress"; then
      # The server runs in the build root's namespace: find it by its output base.
      server=$(pgrep -f "bazel\\(.*--output_base=$output_base( |$)" | head -n 1)
      if [[ -n "$server" ]]; then
        kill -9 "$server" && killed="$(grep -E "$pattern" "$progress" | tail -n 1 | sed 's/^ *//' | cut -c1-100)"
      fi
      break
    fi
    sleep 0.2
  done
  wait "$client" 2>/dev/null
  if [[ -z "$killed" ]]; then
    echo "phase $phase: never reached (see $progress)"
    status=1
    continue
  fi
  echo "phase $phase: server killed after $((SECONDS - start)) s, during: $killed"
  if build; then
    got=$(cat "$digest_path")
    if [[ "$got" == "$reference" ]]; then
      echo "phase $phase: the next build succeeded first time, digest $got"
    else
      echo "phase $phase: the next build gave $got, not $reference"
      status=1
    fi
  else
    echo "phase $phase: the next build FAILED (see $log)"
    status=1
  fi
done
exit "$status"
