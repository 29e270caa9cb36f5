"""copy_file, platform_transition_filegroup, run_binary: aspect_bazel_lib's shapes."""

def _copy_file_impl(ctx):
    # A link to the source, never a copy of its bytes.
    ctx.actions.symlink(output = ctx.outputs.out, target_file = ctx.file.src, is_executable = ctx.attr.is_executable)
    return [DefaultInfo(files = depset([ctx.outputs.out]), runfiles = ctx.runfiles(files = [ctx.outputs.out]))]

copy_file_rule = rule(
    implementation = _copy_file_impl,
    doc = "`out` is `src` under another name: a symbolic link Bazel makes, not a copy of the bytes (aspect_bazel_lib copies unless `allow_symlink`).",
    attrs = {
        "allow_symlink": attr.bool(doc = "Accepted for aspect_bazel_lib's shape; the output is always a link."),
        "is_executable": attr.bool(doc = "Mark the output executable."),
        "out": attr.output(mandatory = True, doc = "The output's name."),
        "src": attr.label(mandatory = True, allow_single_file = True, doc = "The file."),
    },
)

def _platform_impl(_settings, attr):
    return {"//command_line_option:platforms": str(attr.target_platform)}

_platform = transition(
    implementation = _platform_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _platform_transition_filegroup_impl(ctx):
    files = depset(transitive = [t[DefaultInfo].files for t in ctx.attr.srcs])
    runfiles = ctx.runfiles(transitive_files = files)
    for target in ctx.attr.srcs:
        runfiles = runfiles.merge(target[DefaultInfo].default_runfiles)
    return [DefaultInfo(files = files, runfiles = runfiles)]

platform_transition_filegroup = rule(
    implementation = _platform_transition_filegroup_impl,
    doc = "The files of `srcs`, built for `target_platform` (aspect_bazel_lib's).",
    attrs = {
        "srcs": attr.label_list(allow_files = True, cfg = _platform, doc = "Targets to build for the platform."),
        "target_platform": attr.label(mandatory = True, doc = "The platform."),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _run_binary_impl(ctx):
    outputs = list(ctx.outputs.outs) + [ctx.actions.declare_directory(d) for d in ctx.attr.out_dirs]
    if not outputs:
        fail("run_binary %s: give outs or out_dirs" % ctx.label)
    targets = ctx.attr.srcs + [ctx.attr.tool]

    def expand(text):
        # As aspect_bazel_lib's: `$@` is the one output, $(RULEDIR) the package's output directory.
        if "$@" in text:
            if len(outputs) != 1:
                fail("run_binary %s: `$@` needs exactly one output, not %d" % (ctx.label, len(outputs)))
            text = text.replace("$@", outputs[0].path)
        text = text.replace("$(RULEDIR)", "/".join([p for p in (ctx.bin_dir.path, ctx.label.workspace_root, ctx.label.package) if p]))
        return ctx.expand_location(text, targets)

    ctx.actions.run(
        executable = ctx.executable.tool,
        arguments = [expand(a) for a in ctx.attr.args],
        env = {k: expand(v) for k, v in ctx.attr.env.items()},
        inputs = ctx.files.srcs,
        outputs = outputs,
        execution_requirements = ctx.attr.execution_requirements,
        mnemonic = ctx.attr.mnemonic,
        progress_message = ctx.attr.progress_message or "Running %s for %%{label}" % ctx.attr.tool.label,
    )
    return [DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs))]

run_binary_rule = rule(
    implementation = _run_binary_impl,
    doc = "Runs `tool` once as an action: `args` and `env` may use `$(location)` of srcs, outs and the tool, `$@` (the one output) and `$(RULEDIR)` (aspect_bazel_lib's).",
    attrs = {
        "args": attr.string_list(doc = "Arguments, with `$(location)` expanded."),
        "env": attr.string_dict(doc = "Environment, with `$(location)` expanded."),
        "execution_requirements": attr.string_dict(doc = "The action's execution requirements (e.g. `{\"local\": \"1\"}`)."),
        "mnemonic": attr.string(default = "RunBinary", doc = "The action's mnemonic."),
        "out_dirs": attr.string_list(doc = "Output directories."),
        "outs": attr.output_list(doc = "Output files."),
        "progress_message": attr.string(doc = "The action's progress message."),
        "srcs": attr.label_list(allow_files = True, doc = "Inputs."),
        "tool": attr.label(mandatory = True, executable = True, allow_files = True, cfg = "exec", doc = "The program: an executable target, or a single executable file (a filegroup of one)."),
    },
)
