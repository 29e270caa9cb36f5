"""wheel_install (one wheel, one action, one tree) and site_packages_prefix
(a stack's prefix composed of those trees without copying a byte)."""

load("//oci:defs.bzl", "TreeSubsetInfo")
load("//python:defs.bzl", "default_python_version")
load(":providers.bzl", "PyWheelInfo", "SitePackagesInfo")

def _wheel_install_impl(ctx):
    tree = ctx.actions.declare_directory(ctx.label.name)
    manifest = ctx.actions.declare_file(ctx.label.name + ".json")
    paths = ctx.actions.declare_file(ctx.label.name + ".paths")
    executables = ctx.actions.declare_file(ctx.label.name + ".executables")
    args = ctx.actions.args()
    args.add("--wheel", ctx.file.wheel)
    args.add("--python-info", ctx.file.python_info)
    args.add("--out", tree.path)
    args.add("--manifest-out", manifest)
    args.add("--paths-out", paths)
    args.add("--executables-out", executables)
    args.add_all(ctx.files.tool_wheels, before_each = "--tool-wheel")
    ctx.actions.run(
        executable = ctx.executable._wheel_install,
        arguments = [args],
        inputs = [ctx.file.wheel, ctx.file.python_info] + ctx.files.tool_wheels,
        outputs = [tree, manifest, paths, executables],
        mnemonic = "WheelInstall",
        progress_message = "Installing %s for %s" % (ctx.file.wheel.basename, ctx.file.python_info.owner.repo_name.split("~")[-1]),
    )
    subset = TreeSubsetInfo(root = tree, paths = paths, executables = executables)
    return [
        DefaultInfo(files = depset([tree])),
        OutputGroupInfo(manifest = depset([manifest])),
        subset,
        PyWheelInfo(
            distribution = ctx.attr.distribution,
            manifest = manifest,
            subset = subset,
            tree = tree,
            version = ctx.attr.version,
            wheel_size = ctx.attr.wheel_size,
        ),
    ]

wheel_install = rule(
    implementation = _wheel_install_impl,
    doc = """Installs one wheel, checked (names, versions, RECORD, paths), into a tree
of its own that stands for the install prefix (/usr/local): one build action
per wheel, cacheable and remotely executable, shared by every stack that locks
the same wheel for the same interpreter. Declared by the wheel's repository.""",
    attrs = {
        "distribution": attr.string(mandatory = True, doc = "The distribution's normalised name."),
        "python_info": attr.label(mandatory = True, allow_single_file = True, doc = "The interpreter's python.json: its site-packages path."),
        "tool_wheels": attr.label_list(allow_files = [".whl"], doc = "The wheels of `installer` and `packaging`, imported from as zips."),
        "version": attr.string(mandatory = True, doc = "The distribution's version."),
        "wheel": attr.label(mandatory = True, allow_single_file = [".whl"], doc = "The wheel file."),
        "wheel_size": attr.int(doc = "The wheel's size in bytes, from the lock."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        "_wheel_install": attr.label(default = "//pypi/private:wheel_install", executable = True, cfg = "exec"),
    },
    # The tree depends on the wheel and python_info only, not on the Python
    # the consumer runs on: one configuration, one install, for all of them.
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
