"""The default of //toolchains:python_version: the first stack's Python.

Read by the flag (toolchains/BUILD.bazel) and by the transition that builds
what does not depend on the Python a consumer runs on (wheel installs) in
that one configuration (//python:defs.bzl's default_python_version).
"""

load("@python_3_11_facts//:defs.bzl", "PYTHON")

DEFAULT_PYTHON_VERSION = PYTHON["version"]
