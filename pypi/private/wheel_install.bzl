"""wheel_layer (one wheel, one action, one layer), wheel_tree (that layer
unpacked, for tests) and site_packages_prefix (a stack's prefix composed of
those trees without copying a byte)."""

load("//oci:defs.bzl", "ImageLayerInfo")
load("//python:defs.bzl", "default_python_version")
load("//rules_common:worker.bzl", "WORKER_REQUIREMENTS", "worker_args")
load(":providers.bzl", "PyWheelInfo", "SitePackagesInfo")

def _wheel_layer_impl(ctx):
    tar = ctx.actions.declare_file(ctx.label.name + ".tar")
    descriptor = ctx.actions.declare_file(ctx.label.name + ".tar.json")
    manifest = ctx.actions.declare_file(ctx.label.name + ".json")
    args = worker_args(ctx)
    args.add("--wheel", ctx.file.wheel)
    args.add("--python-info", ctx.file.python_info)
    args.add("--out", tar)
    args.add("--descriptor-out", descriptor)
    args.add("--manifest-out", manifest)
    args.add_all(ctx.files.tool_wheels, before_each = "--tool-wheel")
    ctx.actions.run(
        executable = ctx.executable._wheel_install,
        arguments = [args],
        inputs = [ctx.file.wheel, ctx.file.python_info] + ctx.files.tool_wheels,
        outputs = [tar, descriptor, manifest],
        execution_requirements = WORKER_REQUIREMENTS,
        mnemonic = "WheelInstall",
        progress_message = "Installing %s for %s" % (ctx.file.wheel.basename, ctx.file.python_info.owner.repo_name.split("~")[-1].removesuffix("_facts")),
    )
    return [
        DefaultInfo(files = depset([tar])),
        OutputGroupInfo(descriptor = depset([descriptor]), manifest = depset([manifest])),
        ImageLayerInfo(tar = tar, descriptor = descriptor, layer_name = ctx.attr.distribution),
        PyWheelInfo(
            distribution = ctx.attr.distribution,
            layer = tar,
            manifest = manifest,
            tree = None,
            version = ctx.attr.version,
            wheel_size = ctx.attr.wheel_size,
        ),
    ]

wheel_layer = rule(
    implementation = _wheel_layer_impl,
    doc = """Installs one wheel, checked (names, versions, RECORD, paths), as an
image layer of its own: its files at `/usr/local/...`, streamed from the wheel
into the layer tar by one build action, cacheable and remotely executable, and
shared by every stack and image that locks the same wheel for the same
interpreter. No tree is written (wheel_tree unpacks one where tests need it).
Declared by the wheel's repository.""",
    attrs = {
        "distribution": attr.string(mandatory = True, doc = "The distribution's normalised name (the layer's name)."),
        "python_info": attr.label(mandatory = True, allow_single_file = True, doc = "The interpreter's python.json: its site-packages path."),
        "tool_wheels": attr.label_list(allow_files = [".whl"], doc = "The wheels of `installer` and `packaging`, imported from as zips."),
        "version": attr.string(mandatory = True, doc = "The distribution's version."),
        "wheel": attr.label(mandatory = True, allow_single_file = [".whl"], doc = "The wheel file."),
        "wheel_size": attr.int(doc = "The wheel's size in bytes, from the lock."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        "_wheel_install": attr.label(default = "//pypi/private:wheel_install", executable = True, cfg = "exec"),
    },
    # The layer depends on the wheel and python_info only, not on the Python
    # the consumer runs on: one configuration, one install, for all of them.
    cfg = default_python_version,
)

def _wheel_tree_impl(ctx):
    wheel = ctx.attr.layer[PyWheelInfo]
    tree = ctx.actions.declare_directory(ctx.label.name)
    ctx.actions.run(
        executable = ctx.executable._wheel_tree,
        arguments = ["--layer", wheel.layer.path, "--out", tree.path],
        inputs = [wheel.layer],
        outputs = [tree],
        mnemonic = "WheelTree",
        progress_message = "Unpacking %s %s for tests" % (wheel.distribution, wheel.version),
    )
    return [
        DefaultInfo(files = depset([tree])),
        OutputGroupInfo(manifest = depset([wheel.manifest])),
        PyWheelInfo(
            distribution = wheel.distribution,
            layer = wheel.layer,
            manifest = wheel.manifest,
            tree = tree,
            version = wheel.version,
            wheel_size = wheel.wheel_size,
        ),
    ]

wheel_tree = rule(
    implementation = _wheel_tree_impl,
    doc = """One wheel's layer (wheel_layer) unpacked into a tree that stands for the
install prefix (/usr/local), for the tests and tools that import from it: what
they import are the bytes that ship. Built only when something runs on it.""",
    attrs = {
        "layer": attr.label(mandatory = True, providers = [PyWheelInfo], doc = "The wheel's wheel_layer."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        "_wheel_tree": attr.label(default = "//pypi/private:wheel_tree", executable = True, cfg = "exec"),
    },
    cfg = default_python_version,
)

def _site_packages_prefix_impl(ctx):
    wheels = sorted([w[PyWheelInfo] for w in ctx.attr.wheels], key = lambda w: w.distribution)
    prefix = ctx.actions.declare_directory(ctx.attr.prefix)
    args = ctx.actions.args()
    for w in wheels:
        args.add("--install", "%s:%s" % (w.tree.path, w.manifest.path))
    args.add("--out", prefix.path)
    args.add("--distributions-out", ctx.outputs.distributions)
    ctx.actions.run(
        executable = ctx.executable._compose,
        arguments = [args],
        inputs = [w.tree for w in wheels] + [w.manifest for w in wheels],
        outputs = [prefix, ctx.outputs.distributions],
        mnemonic = "SitePackages",
        progress_message = "Composing the site-packages of %{label}",
    )
    return [
        DefaultInfo(files = depset([prefix]), runfiles = ctx.runfiles(files = [prefix])),
        SitePackagesInfo(distributions = ctx.outputs.distributions, prefix = prefix, wheels = wheels),
    ]

site_packages_prefix = rule(
    implementation = _site_packages_prefix_impl,
    doc = """A stack's install prefix (`usr/local`): one directory holding every
distribution, as torch's RPATHs need, whose files are relative links into
the wheels' own trees (no byte copied). Refuses two distributions writing
one path. Declared by the stack's site_packages repository.""",
    attrs = {
        "distributions": attr.output(mandatory = True, doc = "distributions.json to write."),
        "prefix": attr.string(default = "usr/local", doc = "The directory to declare, below the package."),
        "wheels": attr.label_list(providers = [PyWheelInfo], doc = "The stack's wheel_install targets."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        "_compose": attr.label(default = "//pypi/private:compose_site_packages", executable = True, cfg = "exec"),
    },
    cfg = default_python_version,
)
