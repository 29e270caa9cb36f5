#!/usr/bin/env bash
# $(JQ_BIN), $(CRANE_BIN) and $(COSIGN_BIN) run from the test's runfiles, the
# way rules_oci's push, sign and attest tests run them.
set -euo pipefail
readonly JQ="${1/external\//../}"
readonly CRANE="${2/external\//../}"
readonly COSIGN="${3/external\//../}"
[[ "$("$JQ" -r '.a | sub(":"; "/")' <<<'{"a": "sha256:abc"}')" == "sha256/abc" ]] || { echo "jq did not filter" >&2; exit 1; }
"$CRANE" --help | grep -qi "crane is a tool for managing container images" || { echo "crane did not run" >&2; exit 1; }
"$COSIGN" --help | grep -qi "a tool for container signing" || { echo "cosign did not run" >&2; exit 1; }
echo "ran $JQ, $CRANE and $COSIGN"
