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

_DECOMPRESSORS = {"data.tar.xz": "xz", "data.tar.zst": "zstd", "data.tar.gz": "gzip"}

def _native_tar(rctx, member):
    """GNU tar, if it and the decompressor of this data member are on PATH."""
    tar = rctx.which("tar")
    tool = _DECOMPRESSORS.get(member)
    if not tar or not tool or not rctx.which(tool):
        return None
    return str(tar)

_UNPACK_BZL = str(Label("//deb/private:unpack.bzl"))

# A control file is small: anything larger is not one.
_MAX_CONTROL_BYTES = 1 << 20

def control_fields(text):
    """The fields of a control stanza (`Key: value`, continuation lines joined)."""
    fields = {}
    key = None
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line[0] in " \t":
            if key == None:
                return None
            fields[key] += "\n" + line
            continue
        key, colon, value = line.partition(":")
        if not colon or not key or " " in key:
            return None
        fields[key] = value.strip()
    return fields

def control_problem(text, name, package):
    """Why a .deb's control file does not belong to the lock's `package` entry, or None."""
    if len(text) > _MAX_CONTROL_BYTES:
        return "its control file is over %d bytes" % _MAX_CONTROL_BYTES
    fields = control_fields(text)
    if fields == None:
        return "its control file is not a control stanza"
    for key, want in (("Package", name), ("Version", package["version"])):
        if fields.get(key) != want:
            return "its control file says %s %r, the lock %r" % (key, fields.get(key), want)
    if fields.get("Architecture") not in (package["arch"], "all"):
        return "its control file says Architecture %r, the lock %r" % (fields.get("Architecture"), package["arch"])
    return None

def _control(rctx, name, member, package):
    """The package's control stanza, from its control.tar.*, checked against the lock."""
    out = "debs/%s/control.d" % name
    tar = _native_tar(rctx, member.basename)
    if tar:
        rctx.execute(["mkdir", "-p", out])
        result = rctx.execute([tar, "-x", "--no-same-owner", "-f", str(member), "-C", out, "./control"])
        if result.return_code != 0:
            fail("deb_root %s: %s's control.tar has no ./control:\n%s" % (rctx.name, name, result.stderr))
    else:
        rctx.extract(member, output = out)
    text = rctx.read(out + "/control")
    rctx.delete(out)
    problem = control_problem(text, name, package)
    if problem:
        fail("deb_root %s: %s %s: %s" % (rctx.name, name, package["version"], problem))
    return text if text.endswith("\n") else text + "\n"

def _data_member(rctx, name, package):
    """Splits a downloaded .deb (an ar archive): keeps its data member and writes its control stanza."""
    deb = "debs/%s.deb" % name
    rctx.extract(deb, output = "debs/" + name)
    rctx.delete(deb)
    members = rctx.path("debs/" + name).readdir()
    data = [f for f in members if f.basename.startswith("data.tar")]
    if len(data) != 1:
        fail("%s: expected one data.tar.* member, found %s" % (deb, [f.basename for f in members]))
    controls = [f for f in members if f.basename.startswith("control.tar")]
    if len(controls) != 1:
        fail("%s: expected one control.tar.* member, found %s" % (deb, [f.basename for f in members]))
    control = _control(rctx, name, controls[0], package)
    for f in members:
        if f != data[0]:
            rctx.delete(f)
    rctx.file("debs/%s/control" % name, control)
    return data[0]

def _unpack_here(rctx, names, data):
    """The "dir" layout: the root unpacked in the repository itself."""
    root = rctx.path("root")
    rctx.execute(["mkdir", "-p", str(root)])
    for name in names:
        rctx.report_progress("unpacking %s" % name)
        member = data[name]
        tar = _native_tar(rctx, member.basename)
        if tar:
            # GNU tar and xz/zstd decompress natively: about half the CPU of
            # Bazel's own (Java) extraction. Owners are not kept (as Bazel's
            # extraction); modes are.
            result = rctx.execute([tar, "-x", "--no-same-owner", "-f", str(member), "-C", str(root)])
            if result.return_code != 0:
                fail("deb_root %s: unpacking %s failed:\n%s" % (rctx.name, name, result.stderr))
        else:
            rctx.extract(member, output = "root")
    rctx.delete("debs")
    result = rctx.execute(["/bin/sh", "-c", _RESTORE_ABSOLUTE_LINKS, "sh", str(root)])
    if result.return_code != 0:
        fail("deb_root %s: restoring absolute symlinks failed:\n%s" % (rctx.name, result.stderr))

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
    data = {name: _data_member(rctx, name, lock["packages"][name]) for name in names}
    layout = rctx.attr.layout
    if layout == "dir":
        _unpack_here(rctx, names, data)
        rule = ""
    else:
        # Unpacked by a build action (unpack.bzl): cached, locally and remotely.
        srcs = "".join(['        "debs/%s/%s",\n' % (name, data[name].basename) for name in names])

        # An image root also says what it holds: each package's control
        # stanza as /var/lib/dpkg/status.d/<package> (distroless's layout,
        # which scanners read).
        controls = "".join(['        "debs/%s/control",\n' % name for name in names])
        rule = """load("{bzl}", "deb_root_{layout}")

deb_root_{layout}(
    name = "{name}",
    data = [
{srcs}    ],{control}{out}
    visibility = ["//visibility:public"],
)
""".format(
            bzl = _UNPACK_BZL,
            layout = layout,
            name = "root" if layout == "tree" else "root_tar",
            control = "\n    control = [\n%s    ]," % controls if layout == "tar" else "",
            out = "\n    out = \"root.tar\"," if layout == "tar" else "",
            srcs = srcs,
        )

    rctx.file("packages.txt", "".join(["%s %s\n" % (n, lock["packages"][n]["version"]) for n in names]))
    for path, content in rctx.attr.files.items():
        rctx.file(path, content, executable = True)
    rctx.file("BUILD.bazel", rule + "\n" + (rctx.attr.build_file_content or _DEFAULT_BUILD[layout]))

_DEFAULT_BUILD = {
    "dir": """\
exports_files(["root", "packages.txt"])

# Keyrings as files of their own, for runfiles (the lock tool's and its
# test's): Bazel 7 sends no source directory in runfiles to a remote worker
# (bazelbuild/bazel#11495).
exports_files(glob(["root/usr/share/keyrings/*"], allow_empty = True))

# Programs as files of their own: a static one (crane) runs from here, at a
# source path that is the same in every configuration (CRANE_BIN).
exports_files(glob(["root/usr/bin/*"], allow_empty = True))
""",
    "tar": """exports_files(["packages.txt"])\n""",
    "tree": """exports_files(["packages.txt"])\n""",
}

deb_root = repository_rule(
    implementation = _deb_root_impl,
    doc = """Downloads the named packages of a Debian lock (sha256-checked, through
Bazel's downloader and repository cache) and keeps each one's data member.
No maintainer scripts run, as with `dpkg-deb -x`. By `layout`, the root is:

- `tar`: `:root.tar`, written by a build action (an image root: links as
  packaged, sorted, owner 0:0, mtime 0);
- `tree`: the directory `:root`, written by a build action, every link
  resolving inside it (a root that programs run from);
- `dir`: the directory `root/`, unpacked in the repository (files taken one
  by one, such as a keyring, or a root run in place outside Bazel).""",
    attrs = {
        "build_file_content": attr.string(doc = "What BUILD.bazel declares beside the root's own target."),
        "files": attr.string_dict(doc = "Extra executable files to write: path -> content."),
        "layout": attr.string(mandatory = True, values = ["dir", "tar", "tree"], doc = "How the root is delivered (see above)."),
        "lock": attr.label(mandatory = True, allow_single_file = True, doc = "A lock.json written by a debian_lock target."),
        "packages": attr.string_list(mandatory = True, doc = "Package names from the lock."),
    },
)
