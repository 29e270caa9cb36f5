"""pypi_wheel: one locked wheel, downloaded (never installed here)."""

load("//rules_common:downloads.bzl", "describe_failures", "download_all")

_WHEEL_INSTALL = str(Label("//pypi/private:wheel_install.bzl"))

_INSTALL = """
# The wheel installed as an image layer of its own, the same target (so the
# same action and digest) for every stack and image that locks this wheel.
wheel_layer(
    name = "layer_{python}",
    distribution = "{distribution}",
    python_info = "{python_info}",
    tool_wheels = {tool_wheels},
    version = "{version}",
    wheel = "{filename}",
    wheel_size = {size},
)

# That layer unpacked, for the stack's site-packages that tests import.
wheel_tree(
    name = "install_{python}",
    layer = ":layer_{python}",
)
"""

def _pypi_wheel_impl(rctx):
    failed = download_all(rctx, [struct(
        key = "%s (%s)" % (rctx.attr.distribution, rctx.attr.filename),
        urls = rctx.attr.urls,
        output = rctx.attr.filename,
        sha256 = rctx.attr.sha256,
    )])
    if failed:
        fail("%s: %s" % (rctx.name, describe_failures(
            failed,
            rctx.attr.lock,
            "the lock's `.update` target (e.g. `tools/bazel run //:requirements.update`)",
        )))
    build = [
        'load("%s", "wheel_layer", "wheel_tree")' % _WHEEL_INSTALL,
        "",
        'package(default_visibility = ["//visibility:public"])',
        "",
        'exports_files(["%s"])' % rctx.attr.filename,
    ]
    for python, python_info in sorted(rctx.attr.installs.items()):
        build.append(_INSTALL.format(
            python = python,
            distribution = rctx.attr.distribution,
            python_info = python_info,
            tool_wheels = json.encode(rctx.attr.tool_wheels),
            version = rctx.attr.version,
            filename = rctx.attr.filename,
            size = rctx.attr.size,
        ))
    rctx.file("BUILD.bazel", "\n".join(build))

pypi_wheel = repository_rule(
    implementation = _pypi_wheel_impl,
    doc = """One wheel of a lock, fetched by URL and sha256 through Bazel's downloader
(and its repository cache). It installs nothing: its BUILD declares one
`wheel_layer` per interpreter that uses it (`:layer_<python>`, the wheel
installed as an image layer by one action), so a wheel locked by several
stacks is installed once per interpreter, and that layer unpacked for tests
(`:install_<python>`, a `wheel_tree`). The
pypi extension names it after the distribution and the sha256.""",
    attrs = {
        "distribution": attr.string(mandatory = True),
        "filename": attr.string(mandatory = True),
        "installs": attr.string_dict(doc = "python key -> its python.json label"),
        "lock": attr.string(doc = "The lock that pins it, for messages."),
        "sha256": attr.string(mandatory = True),
        "size": attr.int(),
        "tool_wheels": attr.string_list(doc = "Labels of the installer's own wheels."),
        "urls": attr.string_list(mandatory = True),
        "version": attr.string(mandatory = True),
    },
)
