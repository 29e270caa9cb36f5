"""site_packages: a stack's hub: its wheels' installs composed into ONE prefix."""

_WHEEL_INSTALL = str(Label("//pypi/private:wheel_install.bzl"))

_BUILD = """\
load("@rules_python//python:defs.bzl", "py_library")
load("{wheel_install}", "site_packages_prefix")

package(default_visibility = ["//visibility:public"])

exports_files([
    "python.json",
    "wheels.json",
])

# The install prefix (image path /usr/local): every locked distribution in
# one directory, as torch needs (its libraries find the nvidia ones through
# RPATHs relative to site-packages), each file a link into its wheel's own
# tree (@whl_*//:install_*, one build action per wheel).
site_packages_prefix(
    name = "prefix",
    distributions = "distributions.json",
    wheels = {installs},
)

# Every locked distribution, importable.
py_library(
    name = "site_packages",
    data = [":prefix"],
    imports = ["{site}"],
)

# Each distribution's own image layer (its wheel's repository declares it:
# one target for every stack that locks the same wheel). wheels.bzl lists
# them with the wheels' sizes, for py_image_layers' own_layers.
{layers}
"""

_WHEELS_BZL = """\
\"\"\"The wheels of {lock}: each distribution, its version, its wheel's size
and its own image layer (`own_layers` of //pypi:defs.bzl picks the big ones).\"\"\"

WHEELS = [
{wheels}]
"""

def _site_packages_impl(rctx):
    index = json.decode(rctx.read(rctx.attr.wheels_lock))
    facts = json.decode(rctx.read(rctx.attr.python_info))
    missing = [name for name in index["wheels"] if name not in rctx.attr.installs]
    if missing:
        fail("%s: no install for %s" % (rctx.name, ", ".join(missing)))
    rctx.file("wheels.json", json.encode_indent(index, indent = "  ") + "\n")
    rctx.file("python.json", json.encode_indent(facts, indent = "  ") + "\n")
    layers = []
    wheels = []
    for name in sorted(index["wheels"]):
        w = index["wheels"][name]
        install = rctx.attr.installs[name]
        layers.append('alias(\n    name = "layer_%s",\n    actual = "%s",\n)\n' % (name, install.replace(":install_", ":layer_")))
        wheels.append('    struct(distribution = "%s", version = "%s", wheel_size = %d, layer = Label("//:layer_%s")),\n' % (name, w["version"], w.get("size", 0), name))
    rctx.file("BUILD.bazel", _BUILD.format(
        wheel_install = _WHEEL_INSTALL,
        installs = json.encode_indent([rctx.attr.installs[name] for name in sorted(rctx.attr.installs)], prefix = "    ", indent = "    "),
        site = facts["site_packages"],
        layers = "\n".join(layers),
    ))
    rctx.file("wheels.bzl", _WHEELS_BZL.format(lock = rctx.attr.wheels_lock, wheels = "".join(wheels)))

site_packages = repository_rule(
    implementation = _site_packages_impl,
    doc = """A stack's site-packages, as one handle: `:site_packages` (a py_library
of every locked distribution), `:prefix` (the install prefix, /usr/local in
the image, with `distributions.json`), `:layer_<distribution>` (a wheel's
own image layer), `wheels.bzl` (WHEELS: name, version, size, layer),
`python.json` and `wheels.json`. It
downloads and installs nothing itself: each wheel is its own repository
(`pypi_wheel`) and its own install action (`wheel_install`).""",
    attrs = {
        "installs": attr.string_dict(mandatory = True, doc = "distribution -> its wheel_install label"),
        "python_info": attr.label(mandatory = True, allow_single_file = True, doc = "The interpreter's facts: its version and site-packages path."),
        "wheels_lock": attr.label(mandatory = True, allow_single_file = True, doc = "wheels.lock.json"),
    },
)
