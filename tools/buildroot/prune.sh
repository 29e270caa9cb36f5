#!/usr/bin/env bash
# Remove what work trees that no longer exist left below Bazel's output root:
# each one's output base (28 GB measured once the suite has run), its
# namespace's state and its endpoint rc. A CI run clones into a new directory
# every time; without this, the disk fills with the output bases of clones
# that are gone. .ci/run runs it first; anyone may. Ends by saying how much
# is free.
#
#   tools/buildroot/prune.sh [--dry-run]
#
# An output base names its work tree in DO_NOT_BUILD_HERE (Bazel writes it).
# One whose work tree exists is kept; so is one whose Bazel server or
# namespace still runs, and the one the loopback engine runs from
# (tools/remote/up builds BuildGrid there).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=tools/buildroot/common.sh
source "$here/common.sh"
# shellcheck source=tools/remote/state.sh
source "$here/../remote/state.sh"
dry_run=""
case "${1:-}" in
  "") ;;
  --dry-run) dry_run=1 ;;
  *) echo "usage: tools/buildroot/prune.sh [--dry-run]" >&2; exit 2 ;;
esac

output_root=$(buildroot_output_root)
[[ -d "$output_root" ]] || exit 0
engine_from=""
if remote_state_answers "$output_root/remote" >/dev/null; then
  engine_from=$(head -c 4096 "$output_root/remote/workspace" 2>/dev/null || true)
fi

freed=0
for marker in "$output_root"/*/DO_NOT_BUILD_HERE; do
  [[ -f "$marker" ]] || continue
  base=$(dirname "$marker")
  key=$(basename "$base")
  [[ "$key" =~ ^[0-9a-f]{32}$ ]] || continue
  tree=$(head -c 4096 "$marker")
  [[ -n "$tree" && ! -e "$tree" ]] || continue
  if [[ "$tree" == "$engine_from" ]]; then
    buildroot_log "prune: keeping $base: the loopback engine runs from it (tools/remote/down first)"
    continue
  fi
  if buildroot_ns_running "$output_root/namespaces/$key" >/dev/null; then
    buildroot_log "prune: keeping $base: its namespace still runs (the Bazel server of $tree)"
    continue
  fi
  size=$(du -s --block-size=1M "$base" 2>/dev/null | cut -f1 || true)
  [[ "$size" =~ ^[0-9]+$ ]] || size=0
  if [[ -n "$dry_run" ]]; then
    buildroot_log "prune: would remove $base (${size} MB; its work tree $tree is gone)"
    continue
  fi
  buildroot_log "prune: removing $base (${size} MB; its work tree $tree is gone)"
  buildroot_clear "$base"
  buildroot_clear "$output_root/namespaces/$key"
  rm -f "$output_root/remote-endpoint/$key.bazelrc"
  freed=$((freed + size))
done
(( freed == 0 )) || buildroot_log "prune: freed ${freed} MB"
buildroot_log "prune: $(df -P --block-size=1G "$output_root" | awk 'NR == 2 {print $4}') GB free under $output_root"
