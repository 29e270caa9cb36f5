# Shared by tools/bazel and tools/buildroot/provision.sh: where the build root
# and Bazel's output root live, and how errors are reported.

buildroot_die() {
  echo "tools/bazel: error: $*" >&2
  exit 1
}

buildroot_log() {
  echo "tools/bazel: $*" >&2
}

# The cache that every clone shares: MLIMAGE_CACHE, else $XDG_CACHE_HOME/mlimage.
buildroot_cache() {
  echo "${MLIMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mlimage}"
}

# Bazel's --output_user_root; its repository cache (downloaded .debs and
# wheels) is shared by every clone on this machine.
buildroot_output_root() {
  echo "$(buildroot_cache)/bazel"
}

# The build root's path is keyed by what goes into it, so changing the package
# list, the provisioning script or the root's bazelrc makes a new root.
buildroot_path() {
  local dir="$1/tools/buildroot" key
  key=$(cat "$dir/packages.txt" "$dir/provision.sh" "$dir/bazelrc" | sha256sum | cut -c1-12)
  echo "$(buildroot_cache)/buildroot-$key"
}
