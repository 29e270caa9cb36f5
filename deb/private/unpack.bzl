"""deb_root_tar, deb_root_tree: Debian packages' data unpacked into one root by a build action.

The repositories `deb_root` makes only download the .debs and split off their
data members; the unpacking is an action, so a machine reading a remote
cache gets the root as a cache hit (and, with --remote_download_minimal, does
not even fetch it) instead of unpacking every root in every clone.
"""

_UNPACK = Label("//deb/private:unpack_debs.sh")

# The build root's programs (sh, coreutils, findutils, GNU tar and its
# decompressors). A fixed PATH, not the client's: the action's key is the
# same on every machine.
_ENV = {"PATH": "/usr/bin:/bin"}

_DATA_DOC = "The packages' data members (data.tar.xz, .zst or .gz), in unpacking order: a later package's file replaces an earlier one's."

def _unpack(ctx, mode, out, control = []):
    ctx.actions.run(
        executable = "/bin/sh",
        arguments = [ctx.file._unpack.path, mode, out.path] + [f.path for f in ctx.files.data + control],
        inputs = [ctx.file._unpack] + ctx.files.data + control,
        outputs = [out],
        env = _ENV,
        mnemonic = "DebRoot",
        progress_message = "Unpacking %d Debian packages into %%{output}" % len(ctx.files.data),
    )

def _deb_root_tar_impl(ctx):
    _unpack(ctx, "tar", ctx.outputs.out, ctx.files.control)
    return [DefaultInfo(files = depset([ctx.outputs.out]))]

deb_root_tar = rule(
    implementation = _deb_root_tar_impl,
    doc = "The packages' root as one tar (links as packaged, sorted, owner 0:0, mtime 0): an image root, with each package's control stanza in /var/lib/dpkg/status.d/.",
    attrs = {
        "control": attr.label_list(allow_files = True, doc = "Each package's control stanza, `<dir>/<package>/control`: written to /var/lib/dpkg/status.d/<package> (distroless's layout, what scanners read)."),
        "data": attr.label_list(allow_files = True, mandatory = True, doc = _DATA_DOC),
        "out": attr.output(mandatory = True, doc = "The tar to write, e.g. `root.tar`."),
        "_unpack": attr.label(default = _UNPACK, allow_single_file = True),
    },
)

def _deb_root_tree_impl(ctx):
    root = ctx.actions.declare_directory(ctx.attr.name)
    _unpack(ctx, "tree", root)
    return [DefaultInfo(files = depset([root]), runfiles = ctx.runfiles([root]))]

deb_root_tree = rule(
    implementation = _deb_root_tree_impl,
    doc = "The packages' root as a directory named after the target, every link resolving inside it: a root that programs run from.",
    attrs = {
        "data": attr.label_list(allow_files = True, mandatory = True, doc = _DATA_DOC),
        "_unpack": attr.label(default = _UNPACK, allow_single_file = True),
    },
)
