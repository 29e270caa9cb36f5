#!/usr/bin/env bash
# One cache for CI's remote execution and a developer's remote cache, measured
# (docs/PERFORMANCE.md), against the loopback engine (start it first:
# tools/remote/up), in one run:
#
#   tools/perf/remote_cache_shared.sh
#
#   1. clone "local": a plain local cold build of //:image_layout (repository
#      cache warm, empty output base): the baseline;
#   2. clone "exec": `--config=remote --remote_download_minimal`: the engine
#      executes every action (as CI does);
#   3. clone "reader": `--config=remote_cache --remote_download_minimal`: a
#      second machine reading that cache. Its execution log must show no spawn
#      run here: every action a remote cache hit, no wheel installed locally.
# Each clone is a new work tree with a new output base (tools/perf/
# remote_cache_clone.sh), removed afterwards.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
echo "== local (baseline)"
"$here/remote_cache_clone.sh" local || status=1
echo "== exec: --config=remote"
EXEC_LOG=1 "$here/remote_cache_clone.sh" exec --config=remote --remote_download_minimal || status=1
echo "== reader: --config=remote_cache"
out=$(EXEC_LOG=1 "$here/remote_cache_clone.sh" reader --config=remote_cache --remote_download_minimal) || status=1
echo "$out"
# Every spawn a cache hit: exec_log prints one line per (mnemonic, runner).
local_spawns=$(echo "$out" | grep -E '^ +[0-9]+ +[A-Za-z]+ +' | grep -v 'remote cache hit' || true)
if [[ -n "$local_spawns" ]]; then
  echo "remote_cache_shared: the reader ran spawns itself (above): the configs do not share the cache"
  status=1
else
  echo "remote_cache_shared: every spawn of the reader was a remote cache hit"
fi
exit "$status"
