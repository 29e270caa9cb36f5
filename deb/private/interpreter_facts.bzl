"""interpreter_facts: an interpreter's facts in a repository of their own."""

def _interpreter_facts_impl(rctx):
    rctx.file("defs.bzl", rctx.attr.defs)
    rctx.file("python.json", rctx.attr.python_json)
    rctx.file("BUILD.bazel", 'exports_files(["defs.bzl", "python.json"])\n')

interpreter_facts = repository_rule(
    implementation = _interpreter_facts_impl,
    doc = """The facts of one interpreter (its version, image path and site-packages
path) as `defs.bzl` and `python.json`, apart from its root: a BUILD file that
loads them does not unpack the interpreter's .debs, so a build that never runs
that interpreter (`//:image` and the 3.13 one) never fetches it. The
`debian.python_interpreter` tag declares it as `<name>_facts`.""",
    attrs = {
        "defs": attr.string(mandatory = True, doc = "The text of defs.bzl."),
        "python_json": attr.string(mandatory = True, doc = "The text of python.json."),
    },
)
