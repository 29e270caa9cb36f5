"""tar: a plain, reproducible tar of files at their workspace paths (tar.bzl's `tar`)."""

load("//rules_common:worker.bzl", "WORKER_REQUIREMENTS", "worker_args")

_ZSTD = "//oci:zstd_toolchain_type"
_SUFFIX = {"": ".tar", "gzip": ".tar.gz", "zstd": ".tar.zst"}

def _tar_impl(ctx):
    if ctx.attr.mtree:
        fail("tar %s: `mtree` is not supported here; place files with image_layer (files, modes, directories, symlinks)" % ctx.label)
    entries = [
        # As tar.bzl's default mtree: each file at its workspace path, 0755.
        {"kind": "file", "src": f.path, "dest": "/" + f.short_path, "mode": "0755"}
        for f in ctx.files.srcs
    ]
    spec = ctx.actions.declare_file(ctx.label.name + ".tar.spec.json")
    ctx.actions.write(spec, json.encode_indent({"entries": entries}, indent = "  "))
    plain = ctx.actions.declare_file(ctx.label.name + (".tar" if not ctx.attr.compress else ".plain.tar"))
    args = worker_args(ctx)
    args.add_all(["--spec", spec, "--out", plain])
    ctx.actions.run(
        executable = ctx.executable._layer_tar,
        arguments = [args],
        inputs = ctx.files.srcs + [spec],
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
        "mtree": attr.string_list(doc = "tar.bzl's mtree lines: refused here (use image_layer)."),
        "srcs": attr.label_list(allow_files = True, doc = "Files to put in the tar."),
        "_compress_layer": attr.label(default = "//oci/private:compress_layer", executable = True, cfg = "exec"),
        "_layer_tar": attr.label(default = "//oci/private:layer_tar", executable = True, cfg = "exec"),
    },
    toolchains = [config_common.toolchain_type(_ZSTD, mandatory = False)],
)
