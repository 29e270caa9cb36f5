"""make_variable_repository: targets with the labels genrules written for other rule sets name."""

def _make_variable_repository_impl(rctx):
    rctx.file("BUILD.bazel", "".join([
        """alias(
    name = "{name}",
    actual = "{actual}",
    visibility = ["//visibility:public"],
)
""".format(name = name, actual = actual)
        for name, actual in sorted(rctx.attr.targets.items())
    ]))

make_variable_repository = repository_rule(
    implementation = _make_variable_repository_impl,
    doc = "Aliases, one per target, to //oci's make_variable_tool targets.",
    attrs = {
        "targets": attr.string_dict(mandatory = True, doc = "Target name -> the label it aliases."),
    },
)
