"""pip_lock: update and freshness-test targets for a pip-tools lock."""

load("@rules_python//python:defs.bzl", "py_binary", "py_test")

def pip_lock(name, requirements_in, lock, wheels_lock, **kwargs):
    """Declares `<name>.update` and `<name>_test` for a pip-tools lock.

    `bazel run :<name>.update` recompiles `lock` from `requirements_in` with
    pip-compile --generate-hashes and rewrites `wheels_lock` (the wheel file,
    URL and sha256 chosen for each pin). `<name>_test` recompiles into a scratch
    copy and fails if either committed file is stale; it needs PyPI, so it is
    tagged `requires-network` (run it with `--config=network`).

    Args:
      name: prefix of the two targets.
      requirements_in: the intent, e.g. "requirements.in".
      lock: the pip-compile output, e.g. "requirements_lock.txt".
      wheels_lock: the wheel map, e.g. "//third_party/pypi:wheels.lock.json".
      **kwargs: passed to both targets (e.g. visibility).
    """
    pkg = native.package_name()

    def _path(label):
        label = native.package_relative_label(label)
        return (label.package + "/" + label.name) if label.package else label.name

    args = [
        "--requirements-in=" + _path(requirements_in),
        "--lock=" + _path(lock),
        "--wheels-lock=" + _path(wheels_lock),
        "--update-command='tools/bazel run //%s:%s.update'" % (pkg, name),
    ]
    srcs = ["//pypi/private:update_lock.py"]
    deps = [
        "//pypi/private:wheel_index",
        "@build_tools//:site_packages",
    ]
    py_binary(
        name = name + ".update",
        srcs = srcs,
        main = "//pypi/private:update_lock.py",
        args = args,
        deps = deps,
        tags = ["requires-network"],
        **kwargs
    )
    py_test(
        name = name + "_test",
        srcs = srcs,
        main = "//pypi/private:update_lock.py",
        args = args + ["--check"],
        data = [requirements_in, lock, wheels_lock],
        deps = deps,
        size = "large",
        tags = ["requires-network", "no-sandbox"],
        **kwargs
    )
