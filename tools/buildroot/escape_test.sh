#!/usr/bin/env bash
# What a build action can reach from the build root's namespace
# (tools/buildroot/init.sh), checked from inside one: the test is tagged
# no-sandbox, so it runs as any action or repository rule does, outside
# Bazel's own sandbox.
#
# Passes when the action sees none of the host's processes, holds no
# capability, has no_new_privs, sees no /sys and only the minimal /dev, and
# can write nowhere but the work tree and the output root (and /tmp,
# /home/builder and /dev/shm, /dev/pts, which are the namespace's own).
# Run on the host (bash tools/buildroot/escape_test.sh) it must fail: .ci/run
# checks that it does.
set -uo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")
workspace=$(cd "$(dirname "$script")/../.." && pwd -P)
# Under Bazel the working directory is OUTPUT_BASE/execroot/_main/...; the
# output root is the output base's parent.
here=$(pwd -P)
output_root=""
[[ "$here" == */execroot/* ]] && output_root=$(dirname "${here%%/execroot/*}")

failures=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
refused() {  # refused DESCRIPTION COMMAND...: the command must fail
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "FAIL: $what (it worked)"; failures=$((failures + 1)); else echo "ok: $what is refused"; fi
}

# Processes: this PID namespace's own, PID 1 the build root's init.
check "PID 1 is the build root's init, not the host's" grep -qa mlimage-buildroot-init /proc/1/cmdline
every_root_is_ours() {
  local p
  for p in /proc/[0-9]*; do
    if [[ -d "$p/root/" ]]; then [[ "$p/root/" -ef / ]] || return 1; fi
  done
}
check "every visible process's /proc/PID/root is this root" every_root_is_ours

# Identity: unprivileged, nothing to gain.
status_field() { awk -v f="$1:" '$1 == f {print $2}' /proc/self/status; }
check "not uid 0" test "$(id -u)" != 0
for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
  check "$cap is empty" test "$(status_field "$cap")" = 0000000000000000
done
check "no_new_privs is set" test "$(status_field NoNewPrivs)" = 1

# Devices and kernel interfaces.
check "/sys is empty" test -z "$(ls -A /sys 2>/dev/null)"
dev_is_minimal() {
  [[ "$(cd /dev && ls -A | sort | paste -sd' ')" == "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero" ]]
}
check "/dev holds only null zero full random urandom tty, pts, shm" dev_is_minimal

# Mounts: the only writable ones are the work tree, the output root, the
# namespace's own /tmp, /home/builder (both below the output root), /proc,
# /dev/pts and /dev/shm, and the harmless device nodes.
writable_mounts_are_expected() {
  local line point source opts
  [[ -n "$output_root" ]] || return 1
  while read -r line; do
    # mountinfo: ID PARENT MAJ:MIN ROOT POINT OPTS ...
    read -r _ _ _ source point opts _ <<<"$line"
    [[ ",$opts," == *,rw,* ]] || continue
    case "$point" in
      "$workspace" | "$output_root" | /dev/pts | /dev/shm) ;;
      # The namespace's own /proc (builder's uid cannot write its kernel
      # knobs: tried below) and the device nodes writing to which is harmless.
      /proc | /dev/null | /dev/zero | /dev/full | /dev/random | /dev/urandom | /dev/tty) ;;
      /tmp | /home/builder) [[ "$source" == "$output_root"/* ]] || return 1 ;;
      *) echo "writable mount: $point" >&2; return 1 ;;
    esac
  done </proc/self/mountinfo
}
check "nothing but the work tree and the output root is writable" writable_mounts_are_expected

# Attempts: the host's files (through the old /proc/PID/root route too) and
# the kernel's knobs stay out of reach, and no mount can change that. They are
# made only where every check above passed: run on the host as root they
# would succeed, and change it. Even here, each undoes itself if it works.
if (( failures > 0 )); then
  echo "escape_test: $failures check(s) failed: this process is not isolated from the host;"
  echo "  the write and mount attempts are not made."
  exit 1
fi
probe=".escape-probe-$$"
for dir in / /etc /usr /root /var /opt /proc/1/root/etc; do
  refused "writing $dir" sh -c 'touch "$1" && rm -f "$1"' sh "$dir/$probe"
done
refused "writing /proc/sys/kernel/core_pattern (its own value)" \
  sh -c 'cat /proc/sys/kernel/core_pattern >/proc/sys/kernel/core_pattern'
scratch=$(mktemp -d)
refused "mounting a tmpfs" mount -t tmpfs none "$scratch"
refused "making / writable from a user namespace of its own" \
  unshare --user --map-root-user --mount sh -c "mount -o remount,rw / && touch /$probe && rm -f /$probe"
refused "chroot" chroot / true
rmdir "$scratch"

if (( failures > 0 )); then
  echo "escape_test: $failures check(s) failed: this action can reach the host."
  exit 1
fi
echo "escape_test: OK"
