"""oci_tool: a program the image rules run (zstd, crane), as a toolchain.

The image rules name no tool of their own: a repository registers one
toolchain per tool type, from wherever it gets the program.

    load("//oci:toolchains.bzl", "oci_tool")

    oci_tool(name = "zstd", tool = "@zstd")

    toolchain(
        name = "zstd_toolchain",
        toolchain = ":zstd",
        toolchain_type = "//oci:zstd_toolchain_type",
    )

and `register_toolchains("//toolchains:all")` in MODULE.bazel.
"""

def _oci_tool_impl(ctx):
    info = ctx.attr.tool[DefaultInfo]
    return [platform_common.ToolchainInfo(
        executable = ctx.executable.tool,
        files_to_run = info.files_to_run,
        runfiles = info.default_runfiles,
    )]

oci_tool = rule(
    implementation = _oci_tool_impl,
    doc = "A program for one of //oci's tool types (`zstd_toolchain_type`, `crane_toolchain_type`).",
    attrs = {
        "tool": attr.label(mandatory = True, executable = True, cfg = "exec", doc = "The program (an executable target)."),
    },
)
