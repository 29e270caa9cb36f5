"""tar: a plain, reproducible tar of files at their workspace paths (tar.bzl's `tar`)."""

load("//rules_common:worker.bzl", "WORKER_REQUIREMENTS", "worker_args")

_ZSTD = "//oci:zstd_toolchain_type"
_SUFFIX = {"": ".tar", "gzip": ".tar.gz", "zstd": ".tar.zst"}

# mtree keywords taken, and what each sets in a layer spec entry.
_MTREE_TYPES = {"dir": "dir", "file": "file", "link": "symlink"}
_MTREE_INTS = ("uid", "gid")
_MTREE_NAMES = ("uname", "gname")

def _mtree_entry(ctx, line, files_by_path):
    """One mtree line (`PATH keyword=value ...`) as a layer spec entry."""
    words = [w for w in line.replace("\t", " ").split(" ") if w]
    where = "tar %s: mtree line %r" % (ctx.label, line)
    if words[0].startswith("/"):
        fail("%s: mtree directives (%s) are not supported; write each entry's keywords on its line" % (where, words[0]))
    path = words[0].removeprefix("./").strip("/")
    if not path or ".." in path.split("/"):
        fail("%s: the path must name a member below the archive's root" % where)
    keys = {}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if not eq:
            fail("%s: %r is not keyword=value" % (where, word))
        keys[key] = value
    kind = _MTREE_TYPES.get(keys.pop("type", ""))
    if not kind:
        fail("%s: type= must be one of %s" % (where, ", ".join(sorted(_MTREE_TYPES))))
    entry = {"kind": kind, "dest": "/" + path}
    for key in _MTREE_INTS:
        if key in keys:
            value = keys.pop(key)
            if not value.isdigit():
                fail("%s: %s=%s is not a number" % (where, key, value))
            entry[key] = int(value)
    for key in _MTREE_NAMES:
        if key in keys:
            entry[key] = keys.pop(key)
    if "mode" in keys:
        mode = keys.pop("mode")
        if not mode.isdigit() or len(mode) > 4 or "8" in mode or "9" in mode:
            fail("%s: mode=%s is not an octal mode" % (where, mode))
        if kind == "symlink":
            fail("%s: a link's mode is always 0777" % where)
        entry["mode"] = "0" * (4 - len(mode)) + mode
    elif kind == "file":
        entry["mode"] = "0644"
    time = keys.pop("time", "0")
    if time.replace(".", "").strip("0"):
        fail("%s: time=%s: every member's mtime is 0 here, for reproducible layers" % (where, time))
    if kind == "file":
        contents = keys.pop("contents", None)
        if contents == None:
            fail("%s: a file needs contents=PATH (one of srcs, e.g. $(location :src))" % where)
        if contents not in files_by_path:
            fail("%s: contents=%s is none of srcs (%s)" % (where, contents, ", ".join(sorted(files_by_path)) or "none"))
        entry["src"] = contents
    if kind == "symlink":
        target = keys.pop("link", None)
        if not target:
            fail("%s: a link needs link=TARGET" % where)
        entry["target"] = target
    if keys:
        fail("%s: keywords %s are not supported (taken: type, uid, gid, uname, gname, mode, time=0, contents, link)" % (where, ", ".join(sorted(keys))))
    return entry

def _tar_impl(ctx):
    if ctx.attr.mtree:
        files_by_path = {f.path: f for f in ctx.files.srcs}
        entries = [
            _mtree_entry(ctx, ctx.expand_location(line, ctx.attr.srcs), files_by_path)
            for line in ctx.attr.mtree
            if line.strip() and not line.lstrip().startswith("#")
        ]
        inputs = [files_by_path[e["src"]] for e in entries if "src" in e]
    else:
        entries = [
            # As tar.bzl's default mtree: each file at its workspace path, 0755.
            {"kind": "file", "src": f.path, "dest": "/" + f.short_path, "mode": "0755"}
            for f in ctx.files.srcs
        ]
        inputs = ctx.files.srcs
    spec = ctx.actions.declare_file(ctx.label.name + ".tar.spec.json")
    ctx.actions.write(spec, json.encode_indent({"entries": entries}, indent = "  "))
    plain = ctx.actions.declare_file(ctx.label.name + (".tar" if not ctx.attr.compress else ".plain.tar"))
    args = worker_args(ctx)
    args.add_all(["--spec", spec, "--out", plain])
    ctx.actions.run(
        executable = ctx.executable._layer_tar,
        arguments = [args],
        inputs = inputs + [spec],
        outputs = [plain],
        execution_requirements = WORKER_REQUIREMENTS,
        mnemonic = "ImageLayer",
        progress_message = "Writing tar %{label}",
    )
    if not ctx.attr.compress:
        return [DefaultInfo(files = depset([plain]))]
    out = ctx.actions.declare_file(ctx.label.name + _SUFFIX[ctx.attr.compress])
    args = ["--in", plain.path, "--out", out.path, "--format", ctx.attr.compress]
    tools = []
    if ctx.attr.compress == "zstd":
        zstd = ctx.toolchains[_ZSTD]
        if zstd == None:
            fail("tar %s: compress = \"zstd\" needs a toolchain of type %s: see //oci:toolchains.bzl" % (ctx.label, _ZSTD))
        args += ["--zstd", zstd.executable.path]
        tools.append(zstd.files_to_run)
    ctx.actions.run(
        executable = ctx.executable._compress_layer,
        arguments = args,
        inputs = [plain],
        outputs = [out],
        tools = tools,
        mnemonic = "CompressLayer",
        progress_message = "Compressing tar %{label}",
    )
    return [DefaultInfo(files = depset([out]))]

tar = rule(
    implementation = _tar_impl,
    doc = """A tar of `srcs`, each at its workspace path (`examples/env/test.bash`)
with mode 0755, owner 0:0, mtime 0 and entries sorted: the shape of tar.bzl's
`tar` with its default mtree, so a BUILD file written for rules_oci and
tar.bzl needs only its load line changed. It is a plain tar, not an
`image_layer`: in an `oci_image` its history says `bazel build LABEL`, as
with rules_oci. For modes, owners, directories and links use `image_layer`.""",
    attrs = {
        "compress": attr.string(values = ["", "gzip", "zstd"], doc = "Compress the tar (`.tar.gz` or `.tar.zst`)."),
        "mtree": attr.string_list(doc = "tar.bzl's mtree lines (`$(location)` expanded), in place of each src at its workspace path: see above."),
        "srcs": attr.label_list(allow_files = True, doc = "Files to put in the tar."),
        "_compress_layer": attr.label(default = "//oci/private:compress_layer", executable = True, cfg = "exec"),
        "_layer_tar": attr.label(default = "//oci/private:layer_tar", executable = True, cfg = "exec"),
    },
    toolchains = [config_common.toolchain_type(_ZSTD, mandatory = False)],
)
