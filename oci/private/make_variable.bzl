"""make_variable_tool: a program as a Make variable, for genrules (`toolchains = [...]`)."""

def _make_variable_tool_impl(ctx):
    tool = ctx.attr.tool[DefaultInfo]
    executable = tool.files_to_run.executable
    if executable == None:
        if len(ctx.files.tool) != 1:
            fail("make_variable_tool %s: `tool` is %d files; give one program" % (ctx.label, len(ctx.files.tool)))
        executable = ctx.files.tool[0]
    files = depset([executable], transitive = [tool.default_runfiles.files] + [d[DefaultInfo].files for d in ctx.attr.data])
    return [
        # The files go with the variable: a genrule that names this target in
        # `toolchains` has the program (and the root it runs from) as inputs.
        DefaultInfo(files = files, runfiles = ctx.runfiles(transitive_files = files)),
        platform_common.TemplateVariableInfo({ctx.attr.variable: executable.path}),
    ]

make_variable_tool = rule(
    implementation = _make_variable_tool_impl,
    doc = """`$(VARIABLE)` for a program: its path, as aspect_bazel_lib's jq
toolchain gives `$(JQ_BIN)` and tar.bzl's gives `$(BSDTAR_BIN)`. Name the
target in a genrule's `toolchains`.""",
    attrs = {
        "data": attr.label_list(allow_files = True, cfg = "exec", doc = "Files the program needs beside it (its root)."),
        "tool": attr.label(mandatory = True, allow_files = True, executable = True, cfg = "exec", doc = "The program: an executable target, or a file."),
        "variable": attr.string(mandatory = True, doc = "The Make variable's name, e.g. `JQ_BIN`."),
    },
)
