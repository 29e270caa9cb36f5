"""Rules of the examples' own: targets built with another setting (a transition)."""

def _compression_impl(_settings, attr):
    return {"//oci:layer_compression": attr.compression}

_compression = transition(
    implementation = _compression_impl,
    inputs = [],
    outputs = ["//oci:layer_compression"],
)

def _files_impl(ctx):
    return DefaultInfo(files = depset(ctx.files.srcs))

with_compression = rule(
    implementation = _files_impl,
    doc = "The files of `srcs`, built with `--//oci:layer_compression=<compression>`.",
    attrs = {
        "compression": attr.string(mandatory = True, values = ["gzip", "none", "zstd"], doc = "The layer compression."),
        "srcs": attr.label_list(cfg = _compression, doc = "Targets to build so."),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _stamp_impl(_settings, _attr):
    return {"//command_line_option:stamp": True}

_stamp = transition(
    implementation = _stamp_impl,
    inputs = [],
    outputs = ["//command_line_option:stamp"],
)

stamped = rule(
    implementation = _files_impl,
    doc = "The files of `srcs`, built with `--stamp`.",
    attrs = {
        "srcs": attr.label_list(cfg = _stamp, doc = "Targets to build so."),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
