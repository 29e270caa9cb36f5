#!/usr/bin/env bash
# oci.pull against a registry on loopback (docs: README, "rules_oci"): pushes
# //oci/examples:hello and the index //oci/examples/index:app_all to `crane
# registry serve` on 127.0.0.1:5124, then, in e2e/:
# - builds and tests an image on `@pulled_hello` (pinned in e2e/MODULE.bazel
#   by hello's digest);
# - tests `@pulled_index` (the index pulled with `platforms`) as amd64 and,
#   through a transition, as arm64;
# - checks that `@pulled_missing` (a digest the registry lacks) fails to fetch,
#   naming itself, and that `@pulled_by_tag` (a tag, no digest) fails saying
#   the digest to pin.
#
# Usage: tools/oci_pull_check.sh     (.ci/run runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
port=5124
tools/bazel build //oci/examples:hello.digest //oci/examples:hello_push \
  //oci/examples/index:app_all.digest //oci/examples/index:app_all_push @crane//:root >/dev/null 2>&1
# The digest e2e/MODULE.bazel pins for a repository name.
pinned_for() {
  sed -n "/name = \"$1\"/,/)/s/.*digest = \"\(sha256:[0-9a-f]*\)\".*/\1/p" e2e/MODULE.bazel
}
for pair in pulled_hello=oci/examples/hello pulled_index=oci/examples/index/app_all; do
  pinned=$(pinned_for "${pair%%=*}")
  built=$(cat "bazel-bin/${pair#*=}.digest")
  if [[ "$pinned" != "$built" ]]; then
    echo "oci_pull_check: e2e/MODULE.bazel pins $pinned for ${pair%%=*}, but //${pair#*=} is $built: update the pin" >&2
    exit 1
  fi
done
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
bazel-bin/oci/examples/index/app_all_push.sh --repository "127.0.0.1:$port/mlimage/index" --insecure
hello_digest=$(cat bazel-bin/oci/examples/hello.digest)
cd e2e
../tools/bazel test --fetch //pull:on_pulled_test //pull:pulled_index_amd64_test //pull:pulled_index_arm64_test 2>&1 | tail -5
by_tag=$(../tools/bazel build //pull:by_tag 2>&1 || true)
if ! grep -q "it names $hello_digest now. Pin it: digest = \"$hello_digest\"" <<<"$by_tag"; then
  echo "oci_pull_check: fetching @pulled_by_tag (a tag alone) did not fail naming $hello_digest:" >&2
  echo "$by_tag" | tail -20 >&2
  exit 1
fi
missing=$(../tools/bazel build //pull:missing 2>&1 || true)
if ! grep -q "oci_pull pulled_missing: the pull failed" <<<"$missing"; then
  echo "oci_pull_check: fetching @pulled_missing did not fail as it must:" >&2
  echo "$missing" | tail -20 >&2
  exit 1
fi
echo "oci_pull_check: @pulled_hello pulled and built on; @pulled_index pulled for amd64 and arm64; @pulled_by_tag refused with the digest to pin; @pulled_missing refused: $(grep -o 'MANIFEST_UNKNOWN[^;]*' <<<"$missing" | head -1)"
