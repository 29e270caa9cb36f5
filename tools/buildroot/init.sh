# The build root's namespace: what tools/bazel starts once per work tree, as
# PID 1 of a new PID and mount namespace (it is read into memory and run with
# `bash -c`, never from the work tree, which builds can write).
#
#   init.sh ROOT WORKSPACE OUTPUT_ROOT STATE BUILDER_UID KEY
#
# It builds the namespace's file system and pivots into it:
#   /                    the build root, read-only
#   /proc                this PID namespace's own, whole: builder's uid cannot
#                        write the kernel's knobs, and sandboxes inside (Bazel's,
#                        bubblewrap's) may mount a proc only where one is
#                        fully visible
#   /dev                 null zero full random urandom tty, a new devpts
#                        instance (ptmx), a tmpfs /dev/shm; nothing else
#   /sys                 nothing (an empty directory)
#   /etc/resolv.conf     the host's, read-only (the root has none of its own)
#   /tmp, /home/builder  STATE/tmp and STATE/home, emptied at every start
#   WORKSPACE, OUTPUT_ROOT  the work tree and Bazel's output root, read-write,
#                        at their host paths (bazel-bin/... work from the host),
#                        as idmapped mounts: what the host's root owns there,
#                        builder (BUILDER_UID) owns inside, and what builder
#                        writes is root's on the host, as before.
# then writes "HOST_PID START_TIME KEY" to STATE/init.pid (how tools/bazel
# finds it to nsenter), drops every capability and waits, reaping orphans,
# until nothing else has run in the namespace for 30 s (the Bazel server
# stopped). When PID 1 exits the kernel ends every process left inside.
set -euo pipefail
root=$1 workspace=$2 output_root=$3 state=$4 builder=$5 key=$6
# /proc is still the host's: field 1 is this process's host PID, 22 its start.
read -r -a self_stat </proc/self/stat

exec 3>"$state/init.pid"
rm -rf "$state/tmp" "$state/home"
mkdir -p "$state/tmp" "$state/home"
chmod 1777 "$state/tmp"
chown "$builder:$builder" "$state/home"
# Mount points in the shared root (empty directories; the root turns read-only
# below, so they are made first).
mkdir -p "$root/home/builder" "$root/sys"
[[ -e "$root/etc/resolv.conf" ]] || : >"$root/etc/resolv.conf"

mount --bind "$root" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,noexec,mode=755,size=64k tmpfs "$root/dev"
for node in null zero full random urandom tty; do
  : >"$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec devpts "$root/dev/pts"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -o remount,ro,nosuid,noexec,size=64k "$root/dev"
mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
mount -o remount,bind,ro "$root/etc/resolv.conf"
mount --bind "$state/tmp" "$root/tmp"
mount --bind "$state/home" "$root/home/builder"
# Their mount points are made only now: a work tree below /tmp (a CI clone)
# has its mount point in the namespace's own /tmp, mounted just above.
for tree in "$workspace" "$output_root"; do
  mkdir -p "$root$tree"
  # builder must get to it (the root's /root is 0700).
  dir=$(dirname "$tree")
  while [[ "$dir" != / ]]; do chmod o+x "$root$dir"; dir=$(dirname "$dir"); done
  mount --bind "$tree" "$root$tree"
done
mount -o remount,bind,ro "$root"

cd "$root"
pivot_root . .
umount -l .
cd /
# Idmapped over the plain binds (util-linux's mount, in the root, makes the
# user namespace the mapping needs; that cannot be done from a chroot).
for tree in "$workspace" "$output_root"; do
  mount --bind -o "X-mount.idmap=b:0:$builder:1" "$tree" "$tree"
done
# Ready: tools/bazel waits for this line (written through a descriptor opened
# before the idmapped mounts, through which root, unmapped there, cannot write).
echo "${self_stat[0]} ${self_stat[21]} $key" >&3
exec 3>&-

# No capabilities from here on, for this process and anything it could exec.
exec /usr/bin/setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs -- \
  /bin/bash -c '
    quiet=0
    while (( quiet < 30 )); do
      sleep 5 || true
      others=0
      for entry in /proc/[0-9]*; do
        [[ ${entry#/proc/} == 1 ]] || others=$((others + 1))
      done
      if (( others == 0 )); then quiet=$((quiet + 5)); else quiet=0; fi
    done
  ' mlimage-buildroot-init
