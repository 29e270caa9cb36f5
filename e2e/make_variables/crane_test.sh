#!/usr/bin/env bash
# $(CRANE_BIN) runs from the test's runfiles, the way rules_oci's push test runs it.
set -euo pipefail
readonly CRANE="${1/external\//../}"
help=$("$CRANE" --help)
grep -qi "crane is a tool for managing container images" <<<"$help" || { echo "crane --help said: $help" >&2; exit 1; }
echo "ran $CRANE"
