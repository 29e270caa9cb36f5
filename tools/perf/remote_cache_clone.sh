#!/usr/bin/env bash
# usage: tools/perf/remote_cache_clone.sh NAME [bazel args...]: fresh clone of this repository in /tmp/rc-NAME, build, report.
set -uo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
name=$1; shift
dir=/tmp/rc-$name/main
rm -rf /tmp/rc-$name && mkdir -p /tmp/rc-$name && git clone -q "$repo" $dir && cd $dir
lo() { awk '/^ *lo:/ {print $2, $10}' /proc/net/dev; }
read rx0 tx0 < <(lo)
start=$(date +%s.%N)
tools/bazel build "$@" //:image > /tmp/rc-$name.log 2>&1
rc=$?
end=$(date +%s.%N)
read rx1 tx1 < <(lo)
echo "clone $name rc=$rc time=$(echo "$end - $start" | bc) s lo_rx=$(( (rx1-rx0)/1000000 )) MB"
grep -E "processes:|^sha256|Elapsed" /tmp/rc-$name.log
