"""Module extension: the locked PyPI wheels, installed into one site-packages.

    pypi = use_extension("//pypi:extensions.bzl", "pypi")
    pypi.site_packages(name = "pypi", wheels_lock = "//third_party/pypi:wheels.lock.json")
    use_repo(pypi, "pypi")
"""

load("//pypi/private:site_packages.bzl", _site_packages = "site_packages")

def _pypi_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.site_packages:
            _site_packages(name = tag.name, wheels_lock = tag.wheels_lock)

pypi = module_extension(
    implementation = _pypi_impl,
    doc = "Installs the wheels pinned by requirements_lock.txt (via wheels.lock.json) into one site-packages repository.",
    tag_classes = {
        "site_packages": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "The repository's name (`@<name>//:site_packages`)."),
            "wheels_lock": attr.label(mandatory = True, doc = "wheels.lock.json, written by `tools/bazel run //:requirements.update`."),
        }),
    },
)
