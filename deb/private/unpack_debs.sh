#!/bin/sh
# Unpacks the data members of Debian packages (data.tar.xz, .zst or .gz) into
# one root, in the order given (a later package's file replaces an earlier
# one's), as `dpkg-deb -x` does: no maintainer script runs. It is the build
# action behind deb/private/unpack.bzl; it runs on the build root's sh,
# coreutils, findutils, GNU tar and decompressors (what
# //tools/remote:buildroot declares a worker has),
# never on a Python, since the interpreters are themselves made by it.
#
#   unpack_debs.sh tar OUT.tar DATA... [DIR/PACKAGE/control...]
#       the root as one tar: links kept as the packages have them (absolute
#       ones too: it is an image's root), sorted, owner 0:0, mtime 0, so the
#       same packages give the same bytes on every machine; each control
#       stanza given becomes /var/lib/dpkg/status.d/PACKAGE;
#   unpack_debs.sh tree OUT_DIR DATA...
#       the root as a directory that programs run from wherever it is staged
#       (a sandbox, runfiles, a remote worker): every link, resolved inside
#       the root, becomes hard links to what it names; a link that dangles
#       is removed.
set -eu
umask 022
usage() { echo "usage: unpack_debs.sh tar|tree OUT DATA..." >&2; exit 2; }
[ $# -ge 3 ] || usage
mode=$1 out=$2
shift 2
case $mode in
  tar)
    root=$out.d
    trap 'rm -rf "$root"' EXIT
    ;;
  tree) root=$out ;;
  *) usage ;;
esac
rm -rf "$root"
mkdir -p "$root"
for data in "$@"; do
  case $data in
    */control)
      # A package's control stanza (deb_root checked it against the lock):
      # /var/lib/dpkg/status.d/<package>, as distroless writes it.
      package=$(basename "$(dirname "$data")")
      mkdir -p "$root/var/lib/dpkg/status.d"
      cp "$data" "$root/var/lib/dpkg/status.d/$package"
      chmod 0644 "$root/var/lib/dpkg/status.d/$package"
      continue
      ;;
    *.tar.xz) z=--xz ;;
    *.tar.zst) z=--zstd ;;
    *.tar.gz) z=--gzip ;;
    *) echo "unpack_debs: $data: not a .deb's data.tar.xz, .zst or .gz" >&2; exit 2 ;;
  esac
  # Modes as packaged (umask aside), owners not kept: the tar mode writes 0:0.
  if ! tar -x "$z" --no-same-owner --preserve-permissions -f "$data" -C "$root"; then
    echo "unpack_debs: unpacking $data failed (above)" >&2
    exit 1
  fi
done
case $mode in
  tar)
    # GNU tar 1.28 or later (--sort); the build root has it.
    tar --sort=name --format=gnu --numeric-owner --owner=0 --group=0 --mtime=@0 \
      -C "$root" -cf "$out" .
    ;;
  tree)
    # A link is resolved inside the root (an absolute target is the
    # package's /, i.e. the root), then replaced by hard links to what it
    # names: a file's by a link to that file, a directory's by a tree of
    # links (cp -al). No byte is copied, and the tree holds no symbolic
    # link: Bazel stages it file by file in sandboxes and runfiles, and a
    # remote cache keeps it as plain files, which --remote_download_minimal
    # need not download (with links in an output, Bazel 7 fetches it all).
    # A link that dangles is dropped.
    tab=$(printf '\t')
    find "$root" -type l -printf '%p\t%l\n' | while IFS=$tab read -r link target; do
      case $target in
        /*) ln -sfn "$(realpath -ms --relative-to="$(dirname "$link")" "$root$target")" "$link" ;;
      esac
    done
    find "$root" -xtype l -delete
    # Files first, so that a directory's links copy no link; then
    # directories, outermost first; again while a copy brought links along.
    passes=0
    while [ -n "$(find "$root" -type l -print -quit)" ]; do
      passes=$((passes + 1))
      if [ "$passes" -gt 8 ]; then
        echo "unpack_debs: links still left after 8 passes (a cycle?):" >&2
        find "$root" -type l -printf '  %p -> %l\n' >&2
        exit 1
      fi
      find "$root" -type l -xtype f | while IFS= read -r link; do
        ln -fnT "$(realpath -e "$link")" "$link"
      done
      find "$root" -type l -xtype d | sort | while IFS= read -r link; do
        [ -L "$link" ] || continue
        resolved=$(realpath -e "$link")
        case $(realpath -ms "$link")/ in
          "$resolved"/*)
            echo "unpack_debs: $link links to a directory that holds it" >&2
            exit 1
            ;;
        esac
        rm "$link"
        cp -al "$resolved" "$link"
      done
    done
    ;;
esac
