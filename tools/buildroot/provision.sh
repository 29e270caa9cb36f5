#!/usr/bin/env bash
# Provision the build root: a Debian sid root holding the pinned Bazel, the
# host's CA certificates and offline module resolution.
#
# Usage: tools/buildroot/provision.sh ROOT
#
# Idempotent and safe to interrupt: the root is made in ROOT.partial-<pid> and
# renamed to ROOT only once complete, so a half-made root is never used; a
# leftover partial root from an interrupted run is removed on the next run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=tools/buildroot/common.sh
source "$here/common.sh"

root=${1:?usage: provision.sh ROOT}
mirror=${MLIMAGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
[[ "$mirror" =~ ^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$ ]] \
  || buildroot_die "MLIMAGE_DEBIAN_MIRROR='$mirror' is not an http(s) URL of a Debian mirror."
min_free_gb=$(buildroot_whole_number MLIMAGE_MIN_FREE_GB "${MLIMAGE_MIN_FREE_GB:-30}")
apt_opts=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=false -q -y)

[[ "$(id -u)" == 0 ]] || buildroot_die "provisioning the build root needs root (debootstrap, chroot)."
[[ -f "$root/.complete" ]] && exit 0

cache=$(dirname "$root")
mkdir -p "$cache"
exec 9>"$cache/.provision.lock"
if ! flock -n 9; then
  buildroot_log "another tools/bazel is provisioning; waiting for $cache/.provision.lock ..."
  flock 9
fi
[[ -f "$root/.complete" ]] && exit 0

step() { buildroot_log "[build root] $*"; }

# Remove what interrupted runs left behind, mounts below them included.
for stale in "$root".partial-*; do
  [[ -e "$stale" ]] || continue
  step "removing the unfinished root $stale from an interrupted run"
  buildroot_clear "$stale"
done

free_gb=$(df -P --block-size=1G "$cache" | awk 'NR == 2 {print $4}')
if (( free_gb < min_free_gb )); then
  buildroot_die "only ${free_gb} GB free under $cache; the build root and the image build need about ${min_free_gb} GB (set MLIMAGE_CACHE to a larger disk)."
fi

if ! curl -fsS --max-time 30 -o /dev/null "$mirror/dists/sid/InRelease"; then
  buildroot_die "cannot reach the Debian mirror $mirror (needed once, to make the build root). Check the network or set MLIMAGE_DEBIAN_MIRROR."
fi

if ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || buildroot_die "debootstrap is missing and there is no apt-get to install it; install debootstrap."
  step "installing debootstrap on the host (apt-get)"
  apt-get -q update >/dev/null
  apt-get "${apt_opts[@]}" install debootstrap >/dev/null
fi

partial="$root.partial-$$"
trap 'buildroot_clear "$partial"' EXIT

step "debootstrap --variant=minbase sid (about 30 s, 220 MB)"
# In a private mount namespace: the /proc and /sys debootstrap mounts in the
# target die with it, even when it is killed.
unshare --mount --propagation private -- \
  debootstrap --variant=minbase sid "$partial" "$mirror" >"$cache/debootstrap.log" 2>&1 \
  || buildroot_die "debootstrap failed; see $cache/debootstrap.log"

# The host's CA certificates (an intercepting proxy's CA among them) go into the
# root's trust stores, the JVM's included, before anything is downloaded.
mkdir -p "$partial/usr/local/share/ca-certificates"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$partial/usr/local/share/ca-certificates/"
fi

mapfile -t packages < <(grep -v '^\s*#' "$here/packages.txt" | grep -v '^\s*$')
bazel_spec=$(printf '%s\n' "${packages[@]}" | grep '^bazel-bootstrap=' || true)
step "apt-get install ${packages[*]} (about 60 s, 650 MB)"
in_root() {
  unshare --mount --propagation private -- /bin/bash -euc '
    root=$1; shift
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
  ' in_root "$partial" "$@"
}
in_root apt-get "${apt_opts[@]}" update >"$cache/apt.log" 2>&1 || buildroot_die "apt-get update in the build root failed; see $cache/apt.log"
if [[ -n "$bazel_spec" ]]; then
  want=${bazel_spec#bazel-bootstrap=}
  available=$(in_root apt-cache madison bazel-bootstrap | awk -F'|' '{gsub(/ /, "", $2); print $2}' | paste -sd' ')
  if ! grep -qw -- "$want" <<<"$available"; then
    buildroot_die "Debian sid no longer has bazel-bootstrap $want (it has: ${available:-none}). Update tools/buildroot/packages.txt, and .bazelversion if the Bazel version changed."
  fi
fi
in_root apt-get "${apt_opts[@]}" install "${packages[@]}" >>"$cache/apt.log" 2>&1 \
  || buildroot_die "apt-get install in the build root failed; see $cache/apt.log"
in_root update-ca-certificates --fresh >>"$cache/apt.log" 2>&1
in_root apt-get clean

step "offline module resolution (stub modules, empty registry)"
offline="$partial/opt/bazel-offline"
mkdir -p "$offline/registry"
echo '{}' >"$offline/registry/bazel_registry.json"
for module in apple_support buildozer protobuf zlib; do
  mkdir -p "$offline/modules/$module"
  echo "module(name = \"$module\")" >"$offline/modules/$module/MODULE.bazel"
  : >"$offline/modules/$module/BUILD.bazel"
done
cp "$here/bazelrc" "$partial/etc/bazel.bazelrc"

version=$(in_root /usr/bin/bazel --version 2>/dev/null | sed -n 's/^bazel \([0-9][0-9.]*\).*/\1/p')
[[ -n "$version" ]] || buildroot_die "the build root's bazel does not run (bazel --version printed nothing)."
echo "$version" >"$partial/.bazel-version"
date -u +%Y-%m-%dT%H:%M:%SZ >"$partial/.complete"
buildroot_install "$partial" "$root"
trap - EXIT
step "ready: $root (Bazel $version)"
