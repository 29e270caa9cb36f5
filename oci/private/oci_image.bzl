"""oci_image: an OCI image layout directory from layer tars and a config."""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")
load("//rules_common:resource_sets.bzl", "RESOURCE_SET_ATTRS", "resource_set")
load("//rules_common:worker.bzl", "WORKER_REQUIREMENTS", "worker_args")
load(":providers.bzl", "ImageLayerInfo")

_TAR_EXTENSIONS = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"]
_ZSTD_EXTENSIONS = (".tar.zst", ".tzst")

# rules_oci's file forms of config values: attribute -> oci_layout flag.
_CONFIG_FILES = {
    "cmd": "--cmd-file",
    "entrypoint": "--entrypoint-file",
    "env": "--env-file",
    "exposed_ports": "--exposed-ports-file",
    "volumes": "--volumes-file",
}

# The target platform's constraint -> the config's value (Go's names, as OCI).
_CPUS = {
    "_cpu_arm64": "arm64",
    "_cpu_armv7": "arm",
    "_cpu_ppc64le": "ppc64le",
    "_cpu_riscv64": "riscv64",
    "_cpu_s390x": "s390x",
    "_cpu_x86_64": "amd64",
}
_OSES = {
    "_os_linux": "linux",
    "_os_windows": "windows",
}

def _target_platform(ctx):
    """(architecture, os) the target platform says, each None if it says none we know."""
    found = []
    for table in (_CPUS, _OSES):
        value = None
        for attr_name, name in table.items():
            if ctx.target_platform_has_constraint(getattr(ctx.attr, attr_name)[platform_common.ConstraintValueInfo]):
                value = name
        found.append(value)
    return found[0], found[1]

def _label_text(label):
    """A label as rules_oci's history writes it: `//pkg:name` in the main repository."""
    if label.workspace_name:
        return "@@%s//%s:%s" % (label.workspace_name, label.package, label.name)
    return "//%s:%s" % (label.package, label.name)

def _layer_name(f):
    name = f.basename
    for suffix in (".tar.gz", ".tar.zst", ".tzst", ".tgz", ".tar"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name

def _plain_layer(ctx, target):
    """A layer from any tar (rules_oci's `tars`): described by an action."""
    files = target.files.to_list()
    if len(files) != 1:
        fail("tars: %s must be exactly one tar file, got %d files" % (target.label, len(files)))
    tar = files[0]
    descriptor = ctx.actions.declare_file("%s_layers/%s.json" % (ctx.label.name, tar.basename))
    args = ["--in", tar.path, "--descriptor-out", descriptor.path]
    tools = []
    if tar.basename.endswith(_ZSTD_EXTENSIONS):
        zstd = _zstd(ctx, "%s is zstd-compressed" % tar.short_path)
        args += ["--zstd", zstd.executable.path]
        tools.append(zstd.files_to_run)
    ctx.actions.run(
        executable = ctx.executable._describe_layer,
        arguments = args,
        inputs = [tar],
        outputs = [descriptor],
        tools = tools,
        mnemonic = "DescribeLayer",
        progress_message = "Describing layer %s of %%{label}" % tar.short_path,
    )
    compressed = not tar.basename.endswith(".tar")
    return struct(
        tar = tar,
        descriptor = descriptor,
        layer_name = _layer_name(tar),
        compressed = compressed,
        # rules_oci's history text for a tar: the target that made it.
        created_by = "bazel build " + _label_text(tar.owner),
    )

_ZSTD = "//oci:zstd_toolchain_type"

def _zstd(ctx, why):
    """The registered zstd, or a failure that says how to register one."""
    toolchain = ctx.toolchains[_ZSTD]
    if toolchain == None:
        fail("%s needs zstd (%s), and no toolchain of type %s is registered: see //oci:toolchains.bzl" % (ctx.label, why, _ZSTD))
    return toolchain

def _compressed(ctx, layer):
    """Returns (blob, descriptor) for a layer in the configured compression."""
    compression = ctx.attr._compression[BuildSettingInfo].value
    if compression == "none" or getattr(layer, "compressed", False):
        return layer.tar, layer.descriptor
    suffix = {"gzip": ".tar.gz", "zstd": ".tar.zst"}[compression]
    blob = ctx.actions.declare_file("%s_layers/%s%s" % (ctx.label.name, layer.layer_name, suffix))
    descriptor = ctx.actions.declare_file("%s_layers/%s%s.json" % (ctx.label.name, layer.layer_name, suffix))
    args = ["--in", layer.tar.path, "--out", blob.path, "--format", compression, "--descriptor-out", descriptor.path]
    tools = []
    if compression == "zstd":
        zstd = _zstd(ctx, "--//oci:layer_compression=zstd")
        args += ["--zstd", zstd.executable.path]
        tools.append(zstd.files_to_run)
    ctx.actions.run(
        executable = ctx.executable._compress_layer,
        arguments = args,
        inputs = [layer.tar],
        outputs = [blob, descriptor],
        tools = tools,
        mnemonic = "CompressLayer",
        progress_message = "Compressing layer %s of %%{label} (%s)" % (layer.layer_name, compression),
    )
    return blob, descriptor

def _oci_image_impl(ctx):
    layers = [t[ImageLayerInfo] if ImageLayerInfo in t else _plain_layer(ctx, t) for t in ctx.attr.tars]
    seen = {}
    for layer in layers:
        if layer.layer_name in seen:
            fail("tars: two layers are named %r; give one a layer_name" % layer.layer_name)
        seen[layer.layer_name] = True

    default_architecture, default_os = _target_platform(ctx)
    config = {
        "architecture": ctx.attr.architecture,
        "os": ctx.attr.os,
        "default_architecture": default_architecture,
        "default_os": default_os,
        "workdir": ctx.attr.workdir,
        "user": ctx.attr.user,
        "variant": ctx.attr.variant,
    }
    config_spec = ctx.actions.declare_file(ctx.label.name + ".config.json")
    ctx.actions.write(config_spec, json.encode_indent({k: v for k, v in config.items() if v}, indent = "  "))

    layout = ctx.actions.declare_directory(ctx.label.name)
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    layers_out = ctx.outputs.layers_out or ctx.actions.declare_file(ctx.label.name + ".layers")
    args = worker_args(ctx)
    args.add("--out", layout.path)
    args.add("--config-spec", config_spec.path)
    args.add("--digest-out", digest.path)
    args.add("--layers-out", layers_out.path)
    inputs = [config_spec]
    blobs = []
    for layer in layers:
        blob, descriptor = _compressed(ctx, layer)
        args.add("--layer", "%s:%s:%s" % (blob.path, descriptor.path, layer.layer_name))
        if getattr(layer, "created_by", None):
            args.add("--created-by", "%s=%s" % (layer.layer_name, layer.created_by))
        inputs += [blob, descriptor]
        blobs.append(blob)
    for attr_name, flag in _CONFIG_FILES.items():
        f = getattr(ctx.file, attr_name)
        if f:
            args.add(flag, f.path)
            inputs.append(f)
    for flag, f in (("--labels-file", ctx.file.labels), ("--annotations-file", ctx.file.annotations), ("--created-file", ctx.file.created)):
        if f:
            args.add(flag, f.path)
            inputs.append(f)
    for target, key in ctx.attr.label_file_digests.items():
        f = target.files.to_list()[0]
        args.add("--label-sha256", "%s=%s" % (key, f.path))
        inputs.append(f)
    if ctx.attr.stamp:
        args.add("--stamp-info", ctx.info_file.path)
        inputs.append(ctx.info_file)
    if ctx.attr.base:
        args.add("--base", ctx.file.base.path)
        inputs.append(ctx.file.base)
    ctx.actions.run(
        executable = ctx.executable._oci_layout,
        arguments = [args],
        inputs = inputs,
        outputs = [layout, digest, layers_out],
        execution_requirements = WORKER_REQUIREMENTS,
        mnemonic = "OciLayout",
        progress_message = "Assembling OCI image layout %{label}",
        resource_set = resource_set(ctx.attr),
    )
    # The layout's blobs are links to the layer files and into the base's
    # layout: whoever has the layout in its runfiles (a test, `bazel run`)
    # has what they point to too, the base's own links included.
    runfiles = ctx.runfiles(files = [layout] + blobs)
    if ctx.attr.base:
        runfiles = runfiles.merge(ctx.attr.base[DefaultInfo].default_runfiles)
    return [
        DefaultInfo(files = depset([layout]), runfiles = runfiles),
        # The files the layout's layer blobs link to (never copies of them).
        OutputGroupInfo(digest = depset([digest]), layer_blobs = depset(blobs), layers = depset([layers_out])),
    ]

oci_image_rule = rule(
    implementation = _oci_image_impl,
    doc = """An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`)
from layer tars and a config, reproducible: `created` is the epoch, JSON is
canonical, layer blobs are relative symbolic links to the tars (or, with
`--//oci:layer_compression=gzip|zstd`, to their compressed forms), never
copies; output group `layer_blobs` holds those files, output group
`layers` the `.layers` file (the declared layers in order: name, digest,
diff_id, size, media type; JSON) that gates and scripts read. Use it
through the `oci_image` macro of //oci:defs.bzl, which sets `stamp`.""",
    attrs = {
        "annotations": attr.label(allow_single_file = True, doc = "A file of manifest annotations, one `KEY=VALUE` a line (the `oci_image` macro also takes a dict)."),
        "architecture": attr.string(doc = "The config's `architecture`; default: the base's, else the target platform's CPU (`@platforms//cpu:arm64` gives arm64, x86_64 amd64), else amd64."),
        "base": attr.label(allow_single_file = True, doc = "An OCI layout whose layers go underneath; its config is the starting point."),
        "cmd": attr.label(allow_single_file = True, doc = "A file of the config's `Cmd` (default arguments to the entrypoint), one item a line, `%5Cn` for a newline inside one; empty lines are dropped (rules_oci's form: the `oci_image` macro writes it from a list)."),
        "entrypoint": attr.label(allow_single_file = True, doc = "A file of the config's `Entrypoint`, one item a line as `cmd`. Setting it, even to an empty file, clears the base's `Entrypoint` and, unless `cmd` is set too, its `Cmd` (as rules_oci, crane and a Dockerfile)."),
        "created": attr.label(allow_single_file = True, doc = "A file holding the config's `created` time (RFC 3339), e.g. a stamped one; default: the epoch, so builds are reproducible."),
        "env": attr.label(allow_single_file = True, doc = "A file of `KEY=VALUE` lines applied in order over the base's env (rules_oci's form: the macro writes a dict in its order). A key set before keeps its place; `$NAME` or `${NAME}` in a value is NAME's value at that point (the base's or an earlier line's, `$1` included), empty if unset."),
        "exposed_ports": attr.label(allow_single_file = True, doc = "A file of exposed ports separated by commas, e.g. `8000/tcp,9000` (rules_oci's form); added to the base's."),
        "label_file_digests": attr.label_keyed_string_dict(allow_files = True, doc = "File -> config label whose value is the file's sha256."),
        "labels": attr.label(allow_single_file = True, doc = "A file of config labels, one `KEY=VALUE` a line (the `oci_image` macro also takes a dict). Our addition: `{{KEY}}` is replaced from the workspace status when stamping; a label left with a placeholder is dropped."),
        "layers_out": attr.output(doc = "Where to write the `.layers` file (default: `<name>.layers`)."),
        "os": attr.string(doc = "The config's `os`; default: the base's, else the target platform's, else linux."),
        "stamp": attr.bool(doc = "Expand {{KEY}} placeholders from the workspace status."),
        "tars": attr.label_list(allow_files = _TAR_EXTENSIONS, doc = "Layers, bottom first: any `.tar`, `.tar.gz`, `.tgz`, `.tar.zst` or `.tzst`. An `image_layer` target brings its descriptor along and its name into the history (`layer NAME`); any other tar is described by an action, and its history entry says `bazel build LABEL` as rules_oci's does."),
        "user": attr.string(doc = "The user the image runs as, e.g. \"65532:65532\"."),
        "variant": attr.string(doc = "The config's `variant` (e.g. v8 for arm64); default: the base's."),
        "volumes": attr.label(allow_single_file = True, doc = "A file of paths the config marks as volumes, separated by commas (rules_oci's form); added to the base's."),
        "workdir": attr.string(doc = "The working directory of the image's process."),
        "_compress_layer": attr.label(default = "//oci/private:compress_layer", executable = True, cfg = "exec"),
        "_compression": attr.label(default = "//oci:layer_compression"),
        "_cpu_arm64": attr.label(default = "@platforms//cpu:arm64"),
        "_cpu_armv7": attr.label(default = "@platforms//cpu:armv7"),
        "_cpu_ppc64le": attr.label(default = "@platforms//cpu:ppc64le"),
        "_cpu_riscv64": attr.label(default = "@platforms//cpu:riscv64"),
        "_cpu_s390x": attr.label(default = "@platforms//cpu:s390x"),
        "_cpu_x86_64": attr.label(default = "@platforms//cpu:x86_64"),
        "_describe_layer": attr.label(default = "//oci/private:describe_layer", executable = True, cfg = "exec"),
        "_oci_layout": attr.label(default = "//oci/private:oci_layout", executable = True, cfg = "exec"),
        "_os_linux": attr.label(default = "@platforms//os:linux"),
        "_os_windows": attr.label(default = "@platforms//os:windows"),
    } | RESOURCE_SET_ATTRS,
    toolchains = [config_common.toolchain_type(_ZSTD, mandatory = False)],
)
