#!/usr/bin/env bash
# Provision the build root: a Debian sid root holding the pinned Bazel, the
# host's CA certificates and offline module resolution. Its packages are
# exactly those of third_party/debian/buildroot/lock.json (group buildroot),
# each .deb checked by sha256; nothing is resolved here.
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
mirror=${MLIMAGE_DEBIAN_MIRROR:-}
[[ -z "$mirror" || "$mirror" =~ ^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$ ]] \
  || buildroot_die "MLIMAGE_DEBIAN_MIRROR='$mirror' is not an http(s) URL of a Debian mirror."
min_free_gb=$(buildroot_whole_number MLIMAGE_MIN_FREE_GB "${MLIMAGE_MIN_FREE_GB:-30}")
lock=$(cd "$here/../.." && pwd -P)/third_party/debian/buildroot/lock.json

[[ "$(id -u)" == 0 ]] || buildroot_die "provisioning the build root needs root (dpkg in a chroot)."
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

for tool in python3 dpkg-deb tar unshare chroot; do
  command -v "$tool" >/dev/null \
    || buildroot_die "provisioning the build root needs $tool on the host (a Debian or Ubuntu host has it; python3: any 3.9 or later, standard library only)."
done

partial="$root.partial-$$"
trap 'buildroot_clear "$partial"' EXIT
mkdir -p "$partial"

# Exactly the locked .debs, each checked by sha256 (tried from every suite
# that lists it), kept by hash in the cache so a later provisioning needs no
# network for them; nothing is resolved here.
step "fetching the .debs $lock locks (about 680 MB once; kept in $cache/debs)"
mirror_args=()
[[ -n "$mirror" ]] && mirror_args=(--mirror "$mirror")
debs_list="$partial/.locked-debs"
python3 "$here/locked_debs.py" fetch --lock "$lock" --group buildroot --cache "$cache/debs" \
  "${mirror_args[@]}" >"$debs_list" || buildroot_die "fetching the build root's .debs failed (above)."
mapfile -t debs <"$debs_list"
rm -f "$debs_list"

# Unpack every file first (base-files first: it makes the merged-/usr links),
# so every maintainer script finds its tools; then dpkg installs the same
# .debs, recording them and running their scripts, as debootstrap does.
step "unpacking ${#debs[@]} .debs"
for deb in "${debs[@]}"; do
  dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$partial" \
    || buildroot_die "cannot unpack $deb"
done
mkdir -p "$partial/var/lib/dpkg/info" "$partial/var/lib/dpkg/updates" "$partial/var/lib/dpkg/triggers"
: >"$partial/var/lib/dpkg/status"
: >"$partial/var/lib/dpkg/available"
# Nothing starts services while packages are configured.
printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
chmod 755 "$partial/usr/sbin/policy-rc.d"

# The host's CA certificates (an intercepting proxy's CA among them) go into the
# root's trust stores, the JVM's included, when ca-certificates is configured.
mkdir -p "$partial/usr/local/share/ca-certificates"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$partial/usr/local/share/ca-certificates/"
fi

in_root() {
  unshare --mount --propagation private -- /bin/bash -euc '
    root=$1 debs=$2; shift 2
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    if [[ -d "$root/var/cache/locked-debs" ]]; then
      mount --bind -o ro "$debs" "$root/var/cache/locked-debs"
    fi
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
  ' in_root "$partial" "$cache/debs" "$@"
}
dpkg_opts=(--force-depends --force-confdef --force-confold)
inside=()
for deb in "${debs[@]}"; do inside+=("/var/cache/locked-debs/$(basename "$deb")"); done
step "dpkg: installing ${#debs[@]} packages (about 60 s)"
mkdir "$partial/var/cache/locked-debs"
in_root dpkg "${dpkg_opts[@]}" --unpack "${inside[@]}" \
  >"$cache/dpkg.log" 2>&1 || buildroot_die "dpkg --unpack in the build root failed; see $cache/dpkg.log"
in_root dpkg "${dpkg_opts[@]}" --configure -a >>"$cache/dpkg.log" 2>&1 \
  || buildroot_die "dpkg --configure in the build root failed; see $cache/dpkg.log"
in_root update-ca-certificates --fresh >>"$cache/dpkg.log" 2>&1
rm -f "$partial/usr/sbin/policy-rc.d"
rmdir "$partial/var/cache/locked-debs"
in_root dpkg-query -W -f '${Package} ${Version} ${Architecture} ${db:Status-Abbrev}\n' \
  | python3 "$here/locked_debs.py" check --lock "$lock" --group buildroot \
  || buildroot_die "the build root's packages differ from $lock (above)."

# Bazel runs as builder (uid 61000, tools/bazel) in the root's namespace (init.sh).
echo 'builder:x:61000:61000:tools/bazel:/home/builder:/bin/bash' >>"$partial/etc/passwd"
echo 'builder:x:61000:' >>"$partial/etc/group"
mkdir -p "$partial/home/builder"
: >"$partial/etc/resolv.conf"   # the host's is mounted over it

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
