"""A rule of this example's own: targets built with --stamp."""

def _stamp_impl(_settings, _attr):
    return {"//command_line_option:stamp": True}

_stamp = transition(
    implementation = _stamp_impl,
    inputs = [],
    outputs = ["//command_line_option:stamp"],
)

def _stamped_impl(ctx):
    return DefaultInfo(files = depset(ctx.files.srcs))

stamped = rule(
    implementation = _stamped_impl,
    doc = "The files of `srcs`, built with `--stamp`.",
    attrs = {
        "srcs": attr.label_list(cfg = _stamp, doc = "Targets to build so."),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
