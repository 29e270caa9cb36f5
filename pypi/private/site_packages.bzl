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

_DEFS_BZL = """\
\"\"\"The stack of {wheels_lock}: one handle (`stack = STACK`) for every macro
that needs a piece of it (//pypi's pip_lock, //python's py_test and
py_binary, the gates, the service image).\"\"\"

load(":wheels.bzl", "WHEELS")

STACK = struct(
    # The repository (this one), for messages.
    name = "{name}",
    # The interpreter's facts (version, glibc, interpreter and site-packages
    # paths) and the file they come from (not the interpreter itself).
    python = {python},
    python_version = "{version}",
    python_info = Label("{python_info}"),
    # The pip-tools lock, its intent and its wheel map (None where the tag
    # names no lock: a tool stack kept by its wheel map alone).
    lock = {lock},
    requirements_in = {requirements_in},
    wheels_lock = Label("{wheels_lock}"),
    # Which index each package comes from (None: PyPI alone).
    indexes = {indexes},
    # Every locked distribution, importable (a py_library); the install
    # prefix (/usr/local in an image); the repository's files.
    site_packages = Label("//:site_packages"),
    prefix = Label("//:prefix"),
    distributions = Label("//:distributions.json"),
    python_json = Label("//:python.json"),
    wheels_json = Label("//:wheels.json"),
    # Each distribution: version, wheel size and its own layer.
    wheels = WHEELS,
)
"""

def _label_or_none(label):
    return 'Label("%s")' % label if label else "None"

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
        layers.append('alias(\n    name = "wheel_%s",\n    actual = "%s//:%s",\n)\n' % (name, install.split("//")[0], w["filename"]))
        wheels.append('    struct(distribution = "%s", version = "%s", wheel_size = %d, layer = Label("//:layer_%s")),\n' % (name, w["version"], w.get("size", 0), name))
    rctx.file("BUILD.bazel", _BUILD.format(
        wheel_install = _WHEEL_INSTALL,
        installs = json.encode_indent([rctx.attr.installs[name] for name in sorted(rctx.attr.installs)], prefix = "    ", indent = "    "),
        site = facts["site_packages"],
        layers = "\n".join(layers),
    ))
    rctx.file("wheels.bzl", _WHEELS_BZL.format(lock = rctx.attr.wheels_lock, wheels = "".join(wheels)))
    rctx.file("defs.bzl", _DEFS_BZL.format(
        name = rctx.attr.stack_name,
        python = json.encode_indent(facts, prefix = "    ", indent = "    "),
        version = facts["version"],
        python_info = rctx.attr.python_info,
        lock = _label_or_none(rctx.attr.lock),
        indexes = _label_or_none(rctx.attr.indexes),
        requirements_in = _label_or_none(rctx.attr.requirements_in),
        wheels_lock = rctx.attr.wheels_lock,
    ))

site_packages = repository_rule(
    implementation = _site_packages_impl,
    doc = """A stack's site-packages, as one handle: `:site_packages` (a py_library
of every locked distribution), `:prefix` (the install prefix, /usr/local in
the image, with `distributions.json`), `:wheel_<distribution>` (the wheel file itself), `:layer_<distribution>` (a wheel's
own image layer), `wheels.bzl` (WHEELS: name, version, size, layer),
`python.json`, `wheels.json`, and `defs.bzl`, whose `STACK` struct is what
every macro takes (`stack = STACK`). It
downloads and installs nothing itself: each wheel is its own repository
(`pypi_wheel`) and its own install action (`wheel_install`).""",
    attrs = {
        "indexes": attr.label(allow_single_file = True, doc = "The stack's indexes.json (which index each package comes from)."),
        "installs": attr.string_dict(mandatory = True, doc = "distribution -> its wheel_install label"),
        "lock": attr.label(allow_single_file = True, doc = "The pip-tools lock (requirements_lock.txt) the wheel map was made from."),
        "requirements_in": attr.label(allow_single_file = True, doc = "The lock's intent (requirements.in)."),
        "stack_name": attr.string(mandatory = True, doc = "The name users gave the stack (the tag's `name`)."),
        "python_info": attr.label(mandatory = True, allow_single_file = True, doc = "The interpreter's facts: its version and site-packages path."),
        "wheels_lock": attr.label(mandatory = True, allow_single_file = True, doc = "wheels.lock.json"),
    },
)

def _stacks_impl(rctx):
    loads = []
    names = []
    for index, hub in enumerate(rctx.attr.hubs):
        loads.append('load("@%s//:defs.bzl", _stack_%d = "STACK")' % (hub, index))
        names.append("_stack_%d" % index)
    rctx.file("defs.bzl", "\n".join([
        '"""Every stack of the `pypi` extension (its `site_packages` tags, in order)."""',
        "",
    ] + loads + [
        "",
        "STACKS = [%s]" % ", ".join(names),
        "",
    ]))
    rctx.file("BUILD.bazel", "")

stacks = repository_rule(
    implementation = _stacks_impl,
    doc = """`defs.bzl` with `STACKS`: the `STACK` of every site_packages repository, so
that what is declared per pair of stacks (the isolation tests) covers a new
stack without an edit.""",
    attrs = {
        "hubs": attr.string_list(mandatory = True, doc = "The site_packages repositories, in tag order."),
    },
)
