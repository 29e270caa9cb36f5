"""site_packages: the locked wheels installed into ONE site-packages tree."""

load("//tools/bzl:downloads.bzl", "describe_failures", "download_all")

_BUILD = """\
load("@rules_python//python:defs.bzl", "py_library")

package(default_visibility = ["//visibility:public"])

exports_files([
    "distributions.json",
    "python.json",
    "wheels.json",
])

# The installed site-packages directory ({site}).
filegroup(
    name = "site_packages_dir",
    srcs = ["{site}"],
)

# The install prefix (image path /usr/local): site-packages and console scripts.
filegroup(
    name = "prefix",
    srcs = ["usr/local"],
)

# The console scripts and binaries the wheels install (e.g. ruff).
exports_files(glob(["usr/local/bin/*"], allow_empty = True))

# Every locked distribution, importable: one tree, as torch needs (its
# libraries find the nvidia ones through RPATHs relative to site-packages),
# listed file by file, because Bazel 7 sends no source directory in runfiles
# to a remote worker (bazelbuild/bazel#11495).
py_library(
    name = "site_packages",
    data = glob(["{site}/**"]),
    imports = ["{site}"],
)
"""

# The wheels, from the tools' own lock, that the installer imports from (as
# zips): this rule runs before any site-packages exists.
_INSTALLER_WHEELS = ["installer", "packaging"]

def _download_all(rctx, wheels, directory, lock_label):
    """Downloads the wheels into `directory`; returns their paths, sorted by name."""
    downloads = [
        struct(key = "%s (%s)" % (name, wheels[name]["filename"]), urls = [wheels[name]["url"]], output = directory + "/" + wheels[name]["filename"], sha256 = wheels[name]["sha256"])
        for name in sorted(wheels)
    ]
    failed = download_all(rctx, downloads)
    if failed:
        fail("%s: %d wheel(s) of %s failed:\n%s" % (
            rctx.name,
            len(failed),
            lock_label,
            describe_failures(
                failed,
                lock_label,
                "the lock's `.update` target (e.g. `tools/bazel run //:requirements.update`)",
            ),
        ))
    return [d.output for d in downloads]

def _site_packages_impl(rctx):
    index = json.decode(rctx.read(rctx.attr.wheels_lock))
    wheels = index["wheels"]
    facts = json.decode(rctx.read(rctx.attr.python_info))
    site = facts["site_packages"]

    tools = json.decode(rctx.read(rctx.attr.tool_wheels_lock))["wheels"]
    missing = [name for name in _INSTALLER_WHEELS if name not in tools]
    if missing:
        fail("%s pins no %s; the installer needs them" % (rctx.attr.tool_wheels_lock, ", ".join(missing)))
    tool_paths = _download_all(rctx, {name: tools[name] for name in _INSTALLER_WHEELS}, "tools", rctx.attr.tool_wheels_lock)

    rctx.report_progress("fetching %d wheels" % len(wheels))
    outputs = _download_all(rctx, wheels, "wheels", rctx.attr.wheels_lock)

    # The installer imports the repository's own Python (pypi.private,
    # tools.pylib) from the source tree: watch each file it imports.
    for src in rctx.attr._installer_srcs:
        rctx.path(src)
    source_root = rctx.path(rctx.attr._installer).dirname.dirname.dirname
    rctx.file("wheels.txt", "".join([output + "\n" for output in outputs]))
    rctx.report_progress("installing %d wheels into one site-packages" % len(wheels))
    result = rctx.execute(
        [
            rctx.path(rctx.attr.python),
            "-B",
            rctx.path(rctx.attr._installer),
            "--dest",
            site,
            "--prefix",
            "usr/local",
            "--manifest",
            "distributions.json",
            "--wheels-from",
            "wheels.txt",
        ],
        environment = {
            "PYTHONPATH": ":".join([str(rctx.path(p)) for p in tool_paths] + [str(source_root)]),
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        timeout = 3600,
        quiet = False,
    )
    if result.return_code != 0:
        fail("installing the wheels of %s failed (exit %d):\n%s" % (rctx.attr.wheels_lock, result.return_code, result.stderr))
    rctx.delete("wheels")
    rctx.delete("tools")
    rctx.delete("wheels.txt")
    rctx.file("wheels.json", json.encode_indent(index, indent = "  ") + "\n")
    rctx.file("python.json", json.encode_indent(facts, indent = "  ") + "\n")
    rctx.file("BUILD.bazel", _BUILD.format(site = site))

site_packages = repository_rule(
    implementation = _site_packages_impl,
    doc = """Fetches exactly the wheels of a wheels.lock.json (URL and sha256 from the
lock, through Bazel's downloader and repository cache; no resolver, no pip) and
installs them with PyPA's `installer` (//pypi/private:install_wheels.py) into
one site-packages at the interpreter's path (its `python.json`), laid out as
pip would, with a `distributions.json` manifest of each distribution's files.""",
    attrs = {
        "python": attr.label(mandatory = True, allow_single_file = True, doc = "The interpreter the wheels are for, which runs the installer."),
        "python_info": attr.label(mandatory = True, allow_single_file = True, doc = "The interpreter's facts: its version and site-packages path."),
        "tool_wheels_lock": attr.label(default = "//third_party/build_tools:wheels.lock.json", allow_single_file = True, doc = "The wheels.lock.json that pins `installer` and `packaging`."),
        "wheels_lock": attr.label(mandatory = True, allow_single_file = True, doc = "wheels.lock.json"),
        "_installer": attr.label(default = "//pypi/private:install_wheels.py", allow_single_file = True),
        "_installer_srcs": attr.label_list(default = [
            "//pypi/private:install_wheels.py",
            "//tools/pylib:atomic_file.py",
            "//tools/pylib:cli.py",
            "//tools/pylib:progress.py",
        ], allow_files = True),
    },
)
