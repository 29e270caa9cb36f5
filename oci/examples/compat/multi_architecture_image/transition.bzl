"""A rule of this example's own that builds one image for several platforms."""

def _platforms_impl(_settings, attr):
    return [{"//command_line_option:platforms": str(p)} for p in attr.platforms]

_platforms = transition(
    implementation = _platforms_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _per_platform_impl(ctx):
    return DefaultInfo(files = depset(ctx.files.image))

per_platform = rule(
    implementation = _per_platform_impl,
    doc = "The image's layouts, one per platform.",
    attrs = {
        "image": attr.label(cfg = _platforms, doc = "The oci_image."),
        "platforms": attr.label_list(doc = "Platforms to build it for."),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
