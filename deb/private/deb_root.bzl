"""deb_root: merge pinned Debian packages into one root directory."""

load("//rules_common:downloads.bzl", "describe_failures", "download_all")

# Bazel's archive extraction rewrites an absolute symlink target (libc6's
# /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...) to point into the
# repository directory: a host path that must never reach an image. Put the
# package's own absolute target back.
_RESTORE_ABSOLUTE_LINKS = """
root=$1
real=$(cd "$root" && pwd -P)
find "$root" -type l | while IFS= read -r link; do
  target=$(readlink "$link")
  for prefix in "$root" "$real"; do
    case "$target" in
      "$prefix"/*) ln -sfn "/${target#"$prefix"/}" "$link"; break ;;
    esac
  done
done
"""

# For a root that actions run programs from (an interpreter, a tool), not an
# image: every absolute link is made relative, so it resolves inside the root
# wherever the root is (a sandbox, a remote worker: Bazel follows links in
# inputs, and an absolute one would reach the machine's own files or dangle),
# and a link that still dangles is removed.
_SELF_CONTAINED_LINKS = """
root=$1
find "$root" -type l | while IFS= read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /*) ln -sfn "$(realpath -ms --relative-to="$(dirname "$link")" "$root$target")" "$link" ;;
  esac
done
find "$root" -xtype l -delete
"""

_DECOMPRESSORS = {"data.tar.xz": "xz", "data.tar.zst": "zstd", "data.tar.gz": "gzip"}

def _native_tar(rctx, member):
    """GNU tar, if it and the decompressor of this data member are on PATH."""
    tar = rctx.which("tar")
    tool = _DECOMPRESSORS.get(member)
    if not tar or not tool or not rctx.which(tool):
        return None
    return str(tar)

def _deb_root_impl(rctx):
    lock = json.decode(rctx.read(rctx.attr.lock))
    names = rctx.attr.packages
    rctx.report_progress("fetching %d .debs" % len(names))

    for name in names:
        if name not in lock["packages"]:
            fail("deb_root %s: package %r is not in %s; regenerate the lock with its `:lock` target (e.g. `tools/bazel run //third_party/debian/bookworm:lock`)." % (rctx.name, name, rctx.attr.lock))
    failed = download_all(rctx, [
        struct(key = "%s %s" % (name, lock["packages"][name]["version"]), urls = lock["packages"][name]["urls"], output = "debs/%s.deb" % name, sha256 = lock["packages"][name]["sha256"])
        for name in names
    ])
    if failed:
        fail("deb_root %s: %d .deb(s) of %s failed:\n%s" % (
            rctx.name,
            len(failed),
            rctx.attr.lock,
            describe_failures(
                failed,
                rctx.attr.lock,
                "tools/bazel run //%s:lock" % rctx.attr.lock.package,
            ),
        ))
    root = rctx.path("root")
    rctx.execute(["mkdir", "-p", str(root)])
    for name in names:
        deb = "debs/%s.deb" % name
        rctx.report_progress("unpacking %s" % name)
        rctx.extract(deb, output = "debs/" + name)
        data = [f for f in rctx.path("debs/" + name).readdir() if f.basename.startswith("data.tar")]
        if len(data) != 1:
            fail("%s: expected one data.tar.* member, found %s" % (deb, [f.basename for f in data]))
        tar = _native_tar(rctx, data[0].basename)
        if tar:
            # GNU tar and xz/zstd decompress natively: about half the CPU of
            # Bazel's own (Java) extraction, which every clone pays for every
            # root. Owners are not kept (as Bazel's extraction); modes are.
            result = rctx.execute([tar, "-x", "--no-same-owner", "-f", str(data[0]), "-C", str(root)])
            if result.return_code != 0:
                fail("deb_root %s: unpacking %s failed:\n%s" % (rctx.name, deb, result.stderr))
        else:
            rctx.extract(data[0], output = "root")
        rctx.delete("debs/" + name)
        rctx.delete(deb)
    rctx.delete("debs")
    result = rctx.execute(["/bin/sh", "-c", _RESTORE_ABSOLUTE_LINKS, "sh", str(rctx.path("root"))])
    if result.return_code != 0:
        fail("deb_root %s: restoring absolute symlinks failed:\n%s" % (rctx.name, result.stderr))
    if rctx.attr.self_contained:
        result = rctx.execute(["/bin/sh", "-c", _SELF_CONTAINED_LINKS, "sh", str(rctx.path("root"))])
        if result.return_code != 0:
            fail("deb_root %s: making its links relative failed:\n%s" % (rctx.name, result.stderr))

    if rctx.attr.tar:
        # The root as one file, links kept as links: what image layers and the
        # CA bundle read. A source directory's links would be resolved by
        # Bazel 7 on the way to a remote cache or worker (bazelbuild/bazel#23620).
        # Sorted, owner 0:0, mtime 0: the same bytes wherever it is made, so
        # the actions that read it share one remote key across machines.
        rctx.report_progress("writing root.tar")
        result = rctx.execute(["tar", "--sort=name", "--format=gnu", "--numeric-owner", "--owner=0", "--group=0", "--mtime=@0", "-C", "root", "-cf", "root.tar", "."])
        if result.return_code != 0:
            fail("deb_root %s: writing root.tar failed (GNU tar 1.28 or later is needed for --sort):\n%s" % (rctx.name, result.stderr))
        rctx.delete("root")

    rctx.file("packages.txt", "".join(["%s %s\n" % (n, lock["packages"][n]["version"]) for n in names]))
    for path, content in rctx.attr.files.items():
        rctx.file(path, content, executable = True)
    rctx.file("BUILD.bazel", rctx.attr.build_file_content or ("""\
exports_files(["root.tar", "packages.txt"])
""" if rctx.attr.tar else """\
exports_files(["root", "packages.txt"])

# Keyrings as files of their own, for runfiles (the lock tool's and its
# test's): Bazel 7 sends no source directory in runfiles to a remote worker
# (bazelbuild/bazel#11495).
exports_files(glob(["root/usr/share/keyrings/*"], allow_empty = True))
"""))

deb_root = repository_rule(
    implementation = _deb_root_impl,
    doc = """Downloads the named packages of a Debian lock (sha256-checked, through
Bazel's downloader and repository cache) and unpacks their data into `root/`
(or, with `tar`, into `root.tar`).
No maintainer scripts run, as with `dpkg-deb -x`.""",
    attrs = {
        "build_file_content": attr.string(doc = "BUILD.bazel for the repository; default exports `root`."),
        "files": attr.string_dict(doc = "Extra executable files to write: path -> content."),
        "lock": attr.label(mandatory = True, allow_single_file = True, doc = "A lock.json written by a debian_lock target."),
        "packages": attr.string_list(mandatory = True, doc = "Package names from the lock."),
        "self_contained": attr.bool(doc = "Make every absolute link relative (resolving inside the root) and drop links that dangle: for roots that actions run programs from, never for image roots."),
        "tar": attr.bool(doc = "Write the root as `root.tar` (links kept, sorted, owner 0:0, mtime 0) instead of the directory `root/`: for image roots, which `image_layer` and the CA bundle read."),
    },
)
