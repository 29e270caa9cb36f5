#!/usr/bin/env bash
# What an interrupted or hostile provisioning run can leave or pass in, and
# that provision.sh (through common.sh) copes with. The cases that mount run
# in a user and mount namespace of their own (Bazel runs unprivileged in the
# build root's namespace; root there is enough for mounts of its own).
set -euo pipefail
dir="$TEST_SRCDIR/_main/tools/buildroot"
tmp=$(mktemp -d "$TEST_TMPDIR/provision.XXXXXX")
# Everything the helpers may touch is below this cache; nothing outside it.
export MLIMAGE_CACHE="$tmp/cache"
mkdir -p "$MLIMAGE_CACHE"
c=$MLIMAGE_CACHE
fail() { echo "FAIL: $*" >&2; exit 1; }
in_ns() { unshare --user --map-root-user --mount --propagation unchanged -- bash -euc "source '$dir/common.sh'; c='$c'; $1"; }

# 1. MLIMAGE_MIN_FREE_GB is checked, never evaluated as shell arithmetic.
out=$(MLIMAGE_MIN_FREE_GB="x[\$(touch $tmp/pwned)]" bash "$dir/provision.sh" "$c/r" 2>&1) \
  && fail "provision.sh accepted a non-number"
[[ ! -e "$tmp/pwned" ]] || fail "MLIMAGE_MIN_FREE_GB ran a command"
[[ "$out" == *"MLIMAGE_MIN_FREE_GB="*"is not a whole number"* ]] || fail "message: $out"
(( $(source "$dir/common.sh"; buildroot_whole_number X 30) == 30 )) || fail "30 refused"
out=$(MLIMAGE_DEBIAN_MIRROR='http://x/$(id)' bash "$dir/provision.sh" "$c/r" 2>&1) \
  && fail "provision.sh accepted a mirror URL with shell syntax"
[[ "$out" == *"MLIMAGE_DEBIAN_MIRROR="*"is not an http(s) URL"* ]] || fail "message: $out"

# 2. A partial root with a mount inside (debootstrap's /proc, killed): the old
#    `rm -rf --one-file-system` leaves it; buildroot_clear removes it all.
in_ns '
  stale=$c/root.partial-1
  mkdir -p "$stale/proc" && mount -t tmpfs none "$stale/proc" && touch "$stale/proc/x"
  rm -rf --one-file-system "$stale" 2>/dev/null || true
  [[ -e "$stale/proc/x" ]] || { echo "FAIL: expected rm alone to leave the mount" >&2; exit 1; }
  buildroot_clear "$stale"
  [[ ! -e "$stale" ]] || { echo "FAIL: $stale still there" >&2; exit 1; }
  ! grep -q "root.partial-1" /proc/self/mountinfo || { echo "FAIL: still mounted" >&2; exit 1; }
'

# 3. It clears nothing outside the cache, and follows no link out of it.
mkdir -p "$tmp/victim" && touch "$tmp/victim/keep"
for outside in "$tmp/victim" "$c/.." "$c" "$c/sub/../.."; do
  out=$(bash -c "source '$dir/common.sh'; buildroot_clear '$outside'" 2>&1) \
    && fail "buildroot_clear $outside ran"
  [[ "$out" == *"refusing to clear"* ]] || fail "message for $outside: $out"
done
ln -s "$tmp/victim" "$c/link"
bash -c "source '$dir/common.sh'; buildroot_clear '$c/link'"
[[ ! -L "$c/link" && -f "$tmp/victim/keep" ]] || fail "a link was followed out of the cache"

# 4. Something already at the target path: plain mv would move the new root
#    INTO an existing directory; buildroot_install replaces it (a link to a
#    directory outside the cache included, which is left alone).
mkdir -p "$c/root/junk" "$c/partial"
touch "$c/partial/.complete"
in_ns 'buildroot_install "$c/partial" "$c/root"' 2>/dev/null
[[ -f "$c/root/.complete" && ! -e "$c/root/junk" && ! -e "$c/root/partial" ]] \
  || fail "the new root is not exactly at the target: $(ls -A "$c/root")"
mkdir "$c/partial2" && touch "$c/partial2/.complete" && ln -s "$tmp/victim" "$c/root2"
in_ns 'buildroot_install "$c/partial2" "$c/root2"' 2>/dev/null
[[ -d "$c/root2" && ! -L "$c/root2" && -f "$c/root2/.complete" && -f "$tmp/victim/keep" ]] \
  || fail "a symlink at the target was followed"
echo "provision_test: OK"
