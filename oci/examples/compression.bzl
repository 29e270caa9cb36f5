"""A rule of the examples' own: targets built with a given --//oci:layer_compression."""

def _compression_impl(_settings, attr):
    return {"//oci:layer_compression": attr.compression}

_compression = transition(
    implementation = _compression_impl,
    inputs = [],
    outputs = ["//oci:layer_compression"],
)

def _with_compression_impl(ctx):
    return DefaultInfo(files = depset(ctx.files.srcs))

with_compression = rule(
    implementation = _with_compression_impl,
    doc = "The files of `srcs`, built with `--//oci:layer_compression=<compression>`.",
    attrs = {
        "compression": attr.string(mandatory = True, values = ["gzip", "none", "zstd"], doc = "The layer compression."),
        "srcs": attr.label_list(cfg = _compression, doc = "Targets to build so."),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
