#!/usr/bin/env bash
# endpoint.sh: the environment's endpoint becomes bazelrc lines for the two
# remote configs only; a value that is not an address is refused, naming the
# variable, and writes nothing.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/remote/endpoint.sh
source "$here/endpoint.sh"
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_rc "ENV..." EXPECTED_LINES: remote_endpoint_rc's output in that environment.
expect_rc() {
  local env=$1 want=$2 got
  got=$(env -u MLIMAGE_REMOTE_ENDPOINT -u MLIMAGE_REMOTE_INSTANCE -u MLIMAGE_REMOTE_PORT \
    $env bash -c 'source "$1"; remote_endpoint_rc' sh "$here/endpoint.sh" 2>&1)
  [[ "$got" == "$want" ]] || fail "[$env] gave:
$got
wanted:
$want"
}

# expect_refused "ENV..." VARIABLE: fails (status 2) and names the variable.
expect_refused() {
  local env=$1 variable=$2 got status
  got=$(env -u MLIMAGE_REMOTE_ENDPOINT -u MLIMAGE_REMOTE_INSTANCE -u MLIMAGE_REMOTE_PORT \
    $env bash -c 'source "$1"; remote_endpoint_rc' sh "$here/endpoint.sh" 2>&1)
  status=$?
  (( status == 2 )) || fail "[$env] exited $status, wanted 2 (output: $got)"
  [[ "$got" == *"$variable="* ]] || fail "[$env] does not name $variable: $got"
  [[ "$got" != *"--remote"* ]] || fail "[$env] printed a flag anyway: $got"
}

expect_rc "" ""
expect_rc "MLIMAGE_REMOTE_ENDPOINT=grpcs://buildgrid.example:443" \
  "build:remote_endpoint --remote_cache=grpcs://buildgrid.example:443
build:remote --remote_executor=grpcs://buildgrid.example:443"
expect_rc "MLIMAGE_REMOTE_INSTANCE=prod/linux" "build:remote_endpoint --remote_instance_name=prod/linux"
expect_rc "MLIMAGE_REMOTE_PORT=50061" \
  "build:remote_endpoint --remote_cache=grpc://127.0.0.1:50061
build:remote --remote_executor=grpc://127.0.0.1:50061"
# An explicit endpoint wins over the loopback engine's port.
expect_rc "MLIMAGE_REMOTE_PORT=50061 MLIMAGE_REMOTE_ENDPOINT=unix:///run/bgd.sock" \
  "build:remote_endpoint --remote_cache=unix:///run/bgd.sock
build:remote --remote_executor=unix:///run/bgd.sock"
expect_rc "MLIMAGE_REMOTE_ENDPOINT=grpc://[::1]:50051" \
  "build:remote_endpoint --remote_cache=grpc://[::1]:50051
build:remote --remote_executor=grpc://[::1]:50051"

# A second flag smuggled in, another scheme, a bare host, a bad port or name.
expect_refused "MLIMAGE_REMOTE_ENDPOINT=http://h:80" MLIMAGE_REMOTE_ENDPOINT
expect_refused "MLIMAGE_REMOTE_ENDPOINT=buildgrid:443" MLIMAGE_REMOTE_ENDPOINT
expect_refused "MLIMAGE_REMOTE_ENDPOINT=grpc://$(printf 'a%.0s' {1..300})" MLIMAGE_REMOTE_ENDPOINT
expect_refused "MLIMAGE_REMOTE_PORT=99999" MLIMAGE_REMOTE_PORT
expect_refused "MLIMAGE_REMOTE_PORT=50051;x" MLIMAGE_REMOTE_PORT
expect_refused "MLIMAGE_REMOTE_INSTANCE=a;b" MLIMAGE_REMOTE_INSTANCE
got=$(MLIMAGE_REMOTE_ENDPOINT='grpc://h:1 --remote_download_all' bash -c 'source "$1"; remote_endpoint_rc' sh "$here/endpoint.sh" 2>&1)
[[ "$got" == *"MLIMAGE_REMOTE_ENDPOINT="* && "$got" != *"build:"* ]] || fail "an endpoint with a space was not refused: $got"

# The startup options: none (and no file) without the environment; else the
# user's rc first (--bazelrc replaces it), then the written file.
rc="$tmp/rc/endpoint.bazelrc"
touch "$tmp/home.bazelrc"
unset MLIMAGE_REMOTE_ENDPOINT MLIMAGE_REMOTE_INSTANCE MLIMAGE_REMOTE_PORT
echo stale >"$tmp/stale.bazelrc"
remote_endpoint_startup "$tmp/stale.bazelrc" "$tmp/home.bazelrc"
(( ${#remote_startup_options[@]} == 0 )) || fail "startup options without the environment: ${remote_startup_options[*]}"
[[ ! -e "$tmp/stale.bazelrc" ]] || fail "a stale endpoint rc was left in place"
MLIMAGE_REMOTE_INSTANCE=ci remote_endpoint_startup "$rc" "$tmp/home.bazelrc"
[[ "${remote_startup_options[*]}" == "--bazelrc=$tmp/home.bazelrc --bazelrc=$rc" ]] \
  || fail "startup options: ${remote_startup_options[*]}"
grep -qx 'build:remote_endpoint --remote_instance_name=ci' "$rc" || fail "rc file: $(cat "$rc")"
MLIMAGE_REMOTE_INSTANCE=ci remote_endpoint_startup "$rc" "$tmp/no-such.bazelrc"
[[ "${remote_startup_options[*]}" == "--bazelrc=$rc" ]] || fail "a missing user rc was passed: ${remote_startup_options[*]}"
if MLIMAGE_REMOTE_INSTANCE='x y' remote_endpoint_startup "$tmp/bad.bazelrc" "" 2>/dev/null; then
  fail "a bad instance name was accepted"
fi
[[ ! -e "$tmp/bad.bazelrc" ]] || fail "a refused environment wrote $tmp/bad.bazelrc"

if (( failures )); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "endpoint.sh: all checks passed"
