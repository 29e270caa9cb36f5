"""Module extension: the locked PyPI wheels, installed into one site-packages.

    pypi = use_extension("//pypi:extensions.bzl", "pypi")
    pypi.site_packages(name = "pypi", wheels_lock = "//third_party/pypi:wheels.lock.json")
    pypi.site_packages(
        name = "pypi_imagestats",
        python = "@python_3_13//:python3",
        python_info = "@python_3_13//:python.json",
        wheels_lock = "//services/imagestats:wheels.lock.json",
    )
    use_repo(pypi, "pypi", "pypi_imagestats")
"""

load("//pypi/private:site_packages.bzl", _site_packages = "site_packages")

def _pypi_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.site_packages:
            _site_packages(
                name = tag.name,
                python = tag.python,
                python_info = tag.python_info,
                wheels_lock = tag.wheels_lock,
            )

pypi = module_extension(
    implementation = _pypi_impl,
    doc = "Installs the wheels pinned by requirements_lock.txt (via wheels.lock.json) into one site-packages repository.",
    tag_classes = {
        "site_packages": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "The repository's name (`@<name>//:site_packages`)."),
            "python": attr.label(default = "@python_3_11//:python3", doc = "The interpreter the wheels are for, which runs the installer."),
            "python_info": attr.label(default = "@python_3_11//:python.json", doc = "That interpreter's facts (`python.json`): its site-packages path."),
            "wheels_lock": attr.label(mandatory = True, doc = "wheels.lock.json, written by `tools/bazel run //:requirements.update`."),
        }),
    },
)
