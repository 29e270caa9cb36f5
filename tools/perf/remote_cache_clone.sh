#!/usr/bin/env bash
# A second clone against the remote cache, measured (docs/PERFORMANCE.md):
#
#   tools/perf/remote_cache_clone.sh NAME [bazel args...]
#
# clones this repository into /tmp/rc-NAME/main (a new work tree, so a new,
# empty output base; the repository cache stays shared, as on CI), builds
# //:image_layout and its digest there with ARGS, and prints the time, the
# bytes the loopback interface received (every cache byte crosses it twice:
# BuildGrid to casd and back), Bazel's process summary and the digest. Then
# the clone and its output base (up to 20 GB) are removed; KEEP=1 keeps them.
# With EXEC_LOG=1 it also prints where each spawn ran, by mnemonic (Bazel's
# execution log, read by //tools/remote:exec_log).
set -uo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
name=$1; shift
[[ "$name" =~ ^[A-Za-z0-9_-]+$ ]] || { echo "remote_cache_clone: NAME must be [A-Za-z0-9_-]+" >&2; exit 2; }
dir=/tmp/rc-$name/main
log=/tmp/rc-$name.log
rm -rf "/tmp/rc-$name" && mkdir -p "/tmp/rc-$name" && git clone -q "$repo" "$dir" && cd "$dir" || exit 1
lo() { awk '/^ *lo:/ {print $2}' /proc/net/dev; }
exec_args=()
if [[ -n "${EXEC_LOG:-}" ]]; then
  # Below the output root: Bazel writes it inside the build root's namespace.
  exec_json="$(tools/bazel info output_base 2>/dev/null)/clone-exec.json"
  exec_args=(--execution_log_json_file="$exec_json")
fi
rx0=$(lo)
start=$(date +%s.%N)
tools/bazel build "$@" "${exec_args[@]}" --output_groups=+digest //:image_layout >"$log" 2>&1
rc=$?
end=$(date +%s.%N)
rx1=$(lo)
echo "clone $name rc=$rc time=$(echo "$end - $start" | bc) s lo_rx=$(( (rx1 - rx0) / 1000000 )) MB"
grep -E "processes:|Elapsed" "$log"
echo "digest: $(cat bazel-bin/image_layout.digest 2>/dev/null || echo "none (not downloaded)")"
if [[ -n "${EXEC_LOG:-}" ]]; then
  tools/bazel run //tools/remote:exec_log -- "$exec_json" 2>/dev/null
fi
if [[ -z "${KEEP:-}" ]]; then
  tools/bazel clean --expunge >/dev/null 2>&1
  # A server left behind (seen after some expunges) would hold GBs of memory
  # through the next clone's measurement.
  tools/bazel shutdown >/dev/null 2>&1
  cd / && rm -rf "/tmp/rc-$name"
fi
exit "$rc"
