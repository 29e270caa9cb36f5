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

# The build root's path is keyed by what goes into it, so changing its lock,
# the provisioning scripts or the root's bazelrc makes a new root.
buildroot_path() {
  local dir="$1/tools/buildroot" key
  key=$(cat "$1/third_party/debian/buildroot/lock.json" "$dir/provision.sh" \
    "$dir/locked_debs.py" "$dir/bazelrc" | sha256sum | cut -c1-12)
  echo "$(buildroot_cache)/buildroot-$key"
}

# Unmount everything mounted at or below PATH (deepest first), then remove it
# without crossing into any other file system. What an interrupted run leaves
# (a partial root, debootstrap's /proc inside it) cannot outlive this.
# PATH must lie strictly below the cache (buildroot_cache), and its last
# component is never followed: a symbolic link is removed, not its target.
buildroot_clear() {
  local cache parent name path
  cache=$(readlink -f "$(buildroot_cache)")
  parent=$(readlink -f "$(dirname -- "$1")")
  name=$(basename -- "$1")
  path="$parent/$name"
  if [[ -z "$cache" || "$cache" == / || "$name" == . || "$name" == .. || "$path" != "$cache"/* ]]; then
    buildroot_die "refusing to clear '$1': only paths below $cache are build-root paths"
  fi
  if [[ -L "$path" ]]; then
    rm -f -- "$path"
    return
  fi
  [[ -e "$path" ]] || return 0
  # /proc/self/mountinfo field 5 is the mount point (octal escapes for spaces).
  local mounts m
  mapfile -t mounts < <(awk -v p="$path" '$5 == p || index($5, p "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
  for m in "${mounts[@]}"; do
    umount -l "$(printf '%b' "$m")" 2>/dev/null || true
  done
  rm -rf --one-file-system -- "$path"
  [[ ! -e "$path" ]] || buildroot_die "could not remove $path (still mounted?); remove it by hand."
}

# Move the finished PARTIAL root to ROOT: whatever is at ROOT (a directory, a
# file, a link) is cleared first, and mv -T never moves PARTIAL into it.
buildroot_install() {
  local partial=$1 root=$2
  if [[ -e "$root" || -L "$root" ]]; then
    buildroot_log "replacing $root, which holds no complete build root"
    buildroot_clear "$root"
  fi
  mv -T "$partial" "$root"
}

# A whole number of GB, or die naming the variable (never shell arithmetic on
# what the environment says).
buildroot_whole_number() {
  local name=$1 value=$2
  [[ "$value" =~ ^[0-9]{1,6}$ ]] || buildroot_die "$name='$value' is not a whole number (of GB, at most 6 digits)."
  printf '%s\n' "$value"
}

# "PID KEY" of the build root namespace whose state is STATE (namespace.sh),
# if its PID 1 runs: STATE/init.pid says "HOST_PID START_TIME KEY"; the start
# time rules out a reused PID.
buildroot_ns_running() {
  local pid start made_of stat=()
  [[ -f "$1/init.pid" ]] || return 1
  read -r pid start made_of <"$1/init.pid" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  read -r -a stat 2>/dev/null <"/proc/$pid/stat" || return 1
  [[ "${stat[21]}" == "$start" && "${stat[2]}" != Z && -e "/proc/$pid/ns/mnt" ]] || return 1
  printf '%s %s\n' "$pid" "$made_of"
}
