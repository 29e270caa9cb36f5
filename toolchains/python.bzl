"""python_toolchain: one hermetic interpreter repository as a Python toolchain."""

load("@rules_python//python:defs.bzl", "py_runtime", "py_runtime_pair")

def python_toolchain(name, interpreter, version, flag):
    """Declares `<name>_runtime`, `<name>_runtime_pair`, `<name>_setting` and `<name>_toolchain`.

    The toolchain is chosen when `flag` (//toolchains:python_version) is
    `version`; //python:defs.bzl's py_binary/py_test set it per target.

    Args:
      name: a prefix, e.g. "python_3_13".
      interpreter: the interpreter repository, e.g. "@python_3_13".
      version: its major.minor, from the repository's defs.bzl.
      flag: the string_flag that selects a Python.
    """
    py_runtime(
        name = name + "_runtime",
        files = [interpreter + "//:files"],
        interpreter = interpreter + "//:python3",
        python_version = "PY3",
    )
    py_runtime_pair(
        name = name + "_runtime_pair",
        py3_runtime = ":%s_runtime" % name,
    )
    native.config_setting(
        name = name + "_setting",
        flag_values = {flag: version},
        visibility = ["//visibility:public"],
    )
    native.toolchain(
        name = name + "_toolchain",
        exec_compatible_with = [
            "@platforms//os:linux",
            "@platforms//cpu:x86_64",
        ],
        target_compatible_with = [
            "@platforms//os:linux",
            "@platforms//cpu:x86_64",
        ],
        target_settings = [":%s_setting" % name],
        toolchain = ":%s_runtime_pair" % name,
        toolchain_type = "@bazel_tools//tools/python:toolchain_type",
    )
