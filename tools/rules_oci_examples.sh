#!/usr/bin/env bash
# rules_oci's own example BUILD files against our rules, unchanged but for their
# load lines and the externals this network cannot reach (issue 21's measure).
#
# Usage: tools/rules_oci_examples.sh RULES_OCI [BAZEL_TEST_ARGS...]
#
# RULES_OCI is a checkout of rules_oci (v2.3.2 was measured): a work tree, or a
# git directory, whose v2.3.2 tag is then read (RULES_OCI_REV to change it).
# Nothing of it enters this repository: its examples/ are copied into
# .rules_oci_examples/ (ignored by git and by this workspace's Bazel), a
# workspace that depends on mlimage as any outside module would, and
# `bazel test` runs there. What changes, all of it printed:
#
# - load lines, and nothing else of a BUILD or .bzl file (see LOADS below);
# - the externals rules_oci's MODULE/WORKSPACE fetch from Docker Hub, GitHub or
#   a Debian mirror by URL: `@debian`, `@ubuntu` (oci/examples/bases: bash and
#   coreutils from pinned sid .debs, amd64 and arm64) and `@bash_amd64`;
#   `@jq_toolchains`, `@bsd_tar_toolchains`, `@oci_crane_toolchains` and
#   `@oci_cosign_toolchains` come from `//oci:extensions.bzl` (programs from
#   pinned .debs).
#
# Left out, each with its reason (SKIPPED below): what needs a docker daemon,
# a nested workspace, or regctl. The run prints what passed and what was left out.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd -P)

if (( $# < 1 )); then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi
source_dir=$1
shift
rev=${RULES_OCI_REV:-v2.3.2}
ws="$here/.rules_oci_examples"

# Upstream examples that cannot run here, and why (paths under examples/, or
# single targets). The rest run.
SKIPPED_DIRS=(
  "assertion/attest_external: cosign, and a nested workspace"
  "assertion/sign_external: cosign, and a nested workspace"
  "dockerfile: docker buildx, a nested workspace of its own"
  "tarball_as_base: regctl, which no Debian release packages"
)
SKIPPED_TARGETS=(
  "//examples/assertion:case10_run: runs oci_load's loader (docker) in a genrule"
  "//examples/assertion:case11_test: expects docker's \"Loaded image:\" line"
  "//examples/assertion:test: build_test that includes case10_run (its other targets are built below)"
  "//examples/multi_architecture_image:check_digest: pins the index digest over Docker Hub's ubuntu; on the stand-in base it differs (oci/examples/compat/multi_architecture_image pins ours)"
)
# What the build_test named above checks, built instead.
EXTRA_TARGETS=(
  //examples/assertion:imagE
  //examples/assertion:case2
  //examples/assertion:case3
  //examples/assertion:case4_tar
  //examples/assertion:case5_tar
)

# Load lines: the file rules_oci's examples load from -> ours.
LOADS=(
  '@rules_oci//oci:defs.bzl=@mlimage//oci:defs.bzl'
  '//oci:defs.bzl=@mlimage//oci:defs.bzl'
  '@tar.bzl=@mlimage//oci:tar.bzl'
  '//examples:assert.bzl=@mlimage//oci:testing.bzl'
  '@aspect_bazel_lib//lib:testing.bzl=@mlimage//oci:testing.bzl'
  '@aspect_bazel_lib//lib:expand_template.bzl=@mlimage//oci:expand_template.bzl'
  '@aspect_bazel_lib//lib:copy_file.bzl=@mlimage//oci:bazel_lib.bzl'
  '@aspect_bazel_lib//lib:run_binary.bzl=@mlimage//oci:bazel_lib.bzl'
  '@aspect_bazel_lib//lib:transitions.bzl=@mlimage//oci:bazel_lib.bzl'
  '@rules_multirun//:defs.bzl=@mlimage//oci:multirun.bzl'
  '//cosign:defs.bzl=@mlimage//oci:cosign.bzl'
)

rm -rf "$ws"
mkdir -p "$ws"
if [[ -d "$source_dir/examples" ]]; then
  cp -r "$source_dir/examples" "$ws/examples"
elif git --git-dir="$source_dir" rev-parse --verify -q "$rev^{commit}" >/dev/null; then
  # File by file, outside the skipped directories: a partial clone may lack
  # their blobs (tarball_as_base's tarball.tar is one), and git archive
  # stops at a missing blob anywhere in the tree.
  skip_pattern=$(printf '\texamples/%s/|' "${SKIPPED_DIRS[@]%%:*}")
  while IFS=$'\t' read -r meta path; do
    read -r mode _ object <<<"$meta"
    mkdir -p "$ws/$(dirname "$path")"
    git --git-dir="$source_dir" cat-file blob "$object" >"$ws/$path"
    [[ "$mode" == 100755 ]] && chmod +x "$ws/$path"
  done < <(git --git-dir="$source_dir" ls-tree -r "$rev" examples | grep -Ev "${skip_pattern%|}")
else
  echo "rules_oci_examples: $source_dir is neither a rules_oci work tree (no examples/) nor a git directory with $rev" >&2
  exit 2
fi

for entry in "${SKIPPED_DIRS[@]}"; do
  rm -rf "$ws/examples/${entry%%:*}"
done

# Rewrite load lines only: a line that starts with `load("X"` where X is one of
# LOADS. Any other difference would be an edit of the example, so the files
# are compared with the originals after, line by line.
mapfile -t files < <(cd "$ws" && find examples \( -name BUILD.bazel -o -name '*.bzl' \) | sort)
for file in "${files[@]}"; do
  for pair in "${LOADS[@]}"; do
    from=${pair%%=*} to=${pair#*=}
    sed -i "s|^load(\"${from//./\\.}\"|load(\"$to\"|" "$ws/$file"
  done
done
changed=0
for file in "${files[@]}"; do
  if [[ -d "$source_dir/examples" ]]; then
    original=$(cat "$source_dir/$file")
  else
    original=$(git --git-dir="$source_dir" show "$rev:$file")
  fi
  if ! diff <(grep -v '^load(' <<<"$original") <(grep -v '^load(' "$ws/$file") >/dev/null; then
    echo "rules_oci_examples: $file differs from upstream beyond its load lines" >&2
    exit 1
  fi
  if ! diff -q <(cat <<<"$original") "$ws/$file" >/dev/null; then
    changed=$((changed + 1))
  fi
done

cat >"$ws/MODULE.bazel" <<'EOF'
"""rules_oci's examples on mlimage's rules (written by tools/rules_oci_examples.sh)."""

module(name = "rules_oci_examples")

bazel_dep(name = "mlimage")
local_path_override(
    module_name = "mlimage",
    path = "..",
)

bazel_dep(name = "bazel_skylib", version = "1.7.1")
bazel_dep(name = "platforms", version = "0.0.10")

oci = use_extension("@mlimage//oci:extensions.bzl", "oci")
use_repo(oci, "bsd_tar_toolchains", "jq_toolchains", "oci_cosign_toolchains", "oci_crane_toolchains")

# The images rules_oci pulls from Docker Hub and the bash .deb it fetches by
# URL, neither reachable here: stand-ins from pinned sid .debs.
stand_in = use_repo_rule("//:stand_in.bzl", "stand_in")

stand_in(
    name = "debian",
    actual = {"debian": "@mlimage//oci/examples/bases:debian"},
)

stand_in(
    name = "ubuntu",
    actual = {"ubuntu": "@mlimage//oci/examples/bases:ubuntu"},
)

stand_in(
    name = "bash_amd64",
    actual = {"layer": "@mlimage//oci/examples/bases:shell_amd64"},
)
EOF
cat >"$ws/stand_in.bzl" <<'EOF'
"""A repository of aliases: where an unreachable external's targets point here."""

def _stand_in_impl(rctx):
    rctx.file("BUILD.bazel", "".join([
        'alias(name = "%s", actual = "%s", visibility = ["//visibility:public"])\n' % (name, actual)
        for name, actual in sorted(rctx.attr.actual.items())
    ]))

stand_in = repository_rule(
    implementation = _stand_in_impl,
    attrs = {"actual": attr.string_dict(mandatory = True)},
)
EOF
printf '' >"$ws/BUILD.bazel"
cp "$here/e2e/.bazelrc" "$here/.bazelversion" "$ws/"

echo "rules_oci_examples: rules_oci $rev examples in $ws: ${#files[@]} BUILD/.bzl files, $changed with load lines changed, nothing else"
for entry in "${SKIPPED_DIRS[@]}"; do
  echo "  left out: examples/$entry"
done
for entry in "${SKIPPED_TARGETS[@]}"; do
  echo "  left out: $entry"
done

excluded=()
for entry in "${SKIPPED_TARGETS[@]}"; do
  excluded+=("-${entry%%: *}")
done
cd "$ws"
"$here/tools/bazel" test -- //examples/... "${EXTRA_TARGETS[@]}" "${excluded[@]}" "$@"
