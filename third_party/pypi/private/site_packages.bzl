"""site_packages: the locked wheels installed into ONE site-packages tree."""

_SITE = "usr/local/lib/python3.11/dist-packages"

_BUILD = """\
load("@rules_python//python:defs.bzl", "py_library")

package(default_visibility = ["//visibility:public"])

exports_files([
    "distributions.json",
    "wheels.json",
    "{site}",
])

# The install prefix (image path /usr/local): site-packages and console scripts.
filegroup(
    name = "prefix",
    srcs = ["usr/local"],
)

# The console scripts and binaries the wheels install (e.g. ruff).
exports_files(glob(["usr/local/bin/*"], allow_empty = True))

# Every locked distribution, importable. One directory, as torch needs: its
# libraries find the nvidia ones through RPATHs relative to site-packages.
py_library(
    name = "site_packages",
    data = ["{site}"],
    imports = ["{site}"],
)
"""

def _site_packages_impl(rctx):
    index = json.decode(rctx.read(rctx.attr.wheels_lock))
    wheels = index["wheels"]
    rctx.report_progress("fetching %d wheels" % len(wheels))

    # Start every download first: Bazel runs them in parallel, and each is
    # checked against the lock's sha256 (and served from the repository cache).
    pending = []
    for name in sorted(wheels):
        wheel = wheels[name]
        output = "wheels/" + wheel["filename"]
        pending.append((name, output, rctx.download(
            url = [wheel["url"]],
            output = output,
            sha256 = wheel["sha256"],
            block = False,
            allow_fail = True,
        )))
    for name, output, token in pending:
        if not token.wait().success:
            fail((
                "%s: the wheel of %s (%s) could not be downloaded, or its sha256 is not the " +
                "one %s pins (see the warning above). If requirements_lock.txt changed, run " +
                "`tools/bazel run //:requirements.update`; check that PyPI is reachable."
            ) % (rctx.name, name, output.removeprefix("wheels/"), rctx.attr.wheels_lock))

    rctx.file("wheels.txt", "".join([output + "\n" for _, output, _ in pending]))
    rctx.report_progress("installing %d wheels into one site-packages" % len(wheels))
    result = rctx.execute(
        [
            rctx.path(rctx.attr.python),
            rctx.path(rctx.attr._installer),
            "--dest",
            _SITE,
            "--prefix",
            "usr/local",
            "--manifest",
            "distributions.json",
            "--wheels-from",
            "wheels.txt",
        ],
        timeout = 3600,
        quiet = False,
    )
    if result.return_code != 0:
        fail("installing the wheels of %s failed (exit %d):\n%s" % (rctx.attr.wheels_lock, result.return_code, result.stderr))
    rctx.delete("wheels")
    rctx.delete("wheels.txt")
    rctx.file("wheels.json", json.encode_indent(index, indent = "  ") + "\n")
    rctx.file("BUILD.bazel", _BUILD.format(site = _SITE))

site_packages = repository_rule(
    implementation = _site_packages_impl,
    doc = """Fetches exactly the wheels of wheels.lock.json (URL and sha256 from the
lock, through Bazel's downloader and repository cache; no resolver, no pip) and
installs them with //third_party/pypi/private:install_wheels.py into one
`usr/local/lib/python3.11/dist-packages`, laid out as pip would, with a
`distributions.json` manifest of each distribution's files.""",
    attrs = {
        "python": attr.label(default = "@python_3_11//:python3", allow_single_file = True, doc = "The interpreter that runs the installer."),
        "wheels_lock": attr.label(mandatory = True, allow_single_file = True, doc = "wheels.lock.json"),
        "_installer": attr.label(default = "//third_party/pypi/private:install_wheels.py", allow_single_file = True),
    },
)
