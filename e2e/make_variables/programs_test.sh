#!/usr/bin/env bash
# $(JQ_BIN), $(CRANE_BIN) and $(COSIGN_BIN) run from the test's runfiles, the
# way rules_oci's push, sign and attest tests run them.
set -euo pipefail
readonly JQ="${1/external\//../}"
readonly CRANE="${2/external\//../}"
readonly COSIGN="${3/external\//../}"
[[ "$("$JQ" -r '.a | sub(":"; "/")' <<<'{"a": "sha256:abc"}')" == "sha256/abc" ]] || { echo "jq did not filter" >&2; exit 1; }
# Each help text read whole before it is searched: `grep -q` in a pipe stops
# reading at the first match, the program then dies of SIGPIPE, and
# pipefail would call that a failure (it did, once in a few runs).
crane_help=$("$CRANE" --help) || { echo "crane did not run" >&2; exit 1; }
grep -qi "crane is a tool for managing container images" <<<"$crane_help" || { echo "crane's help is not crane's" >&2; exit 1; }
cosign_help=$("$COSIGN" --help) || { echo "cosign did not run" >&2; exit 1; }
grep -qi "a tool for container signing" <<<"$cosign_help" || { echo "cosign's help is not cosign's" >&2; exit 1; }
echo "ran $JQ, $CRANE and $COSIGN"
