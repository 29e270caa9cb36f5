#!/usr/bin/env bash
# oci.pull against a registry on loopback (docs: README, "rules_oci"): pushes
# //oci/examples:hello to `crane registry serve` on 127.0.0.1:5124, then, in
# e2e/, builds and tests an image on `@pulled_hello` (pinned in
# e2e/MODULE.bazel by hello's digest) and checks that `@pulled_missing` (a
# digest the registry lacks) fails to fetch, naming itself.
#
# Usage: tools/oci_pull_check.sh     (.ci/run runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
port=5124
tools/bazel build //oci/examples:hello.digest //oci/examples:hello_push @crane//:root >/dev/null 2>&1
pinned=$(sed -n 's/.*digest = "\(sha256:[0-9a-f]*\)".*/\1/p' e2e/MODULE.bazel | head -1)
built=$(cat bazel-bin/oci/examples/hello.digest)
if [[ "$pinned" != "$built" ]]; then
  echo "oci_pull_check: e2e/MODULE.bazel pins $pinned for pulled_hello, but //oci/examples:hello is $built: update the pin" >&2
  exit 1
fi
# crane is a static binary (sid's .deb, unpacked by the build).
crane=bazel-bin/external/_main~debian~crane/root/usr/bin/crane
"$crane" registry serve --address "127.0.0.1:$port" >/tmp/oci-pull-registry.log 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 50); do
  "$crane" catalog --insecure "127.0.0.1:$port" >/dev/null 2>&1 && break
  sleep 0.2
done
bazel-bin/oci/examples/hello_push.sh --repository "127.0.0.1:$port/mlimage/hello" --insecure
cd e2e
../tools/bazel test --fetch //pull:on_pulled_test 2>&1 | tail -3
missing=$(../tools/bazel build //pull:missing 2>&1 || true)
if ! grep -q "oci_pull pulled_missing: the pull failed" <<<"$missing"; then
  echo "oci_pull_check: fetching @pulled_missing did not fail as it must:" >&2
  echo "$missing" | tail -20 >&2
  exit 1
fi
echo "oci_pull_check: @pulled_hello pulled and built on; @pulled_missing refused: $(grep -o 'MANIFEST_UNKNOWN[^;]*' <<<"$missing" | head -1)"
