"""Public API: py_binary and py_test on a chosen hermetic Python.

    load("@pypi_x//:defs.bzl", "STACK")
    load("//python:defs.bzl", "py_test")

    py_test(name = "x_test", srcs = ["x_test.py"], stack = STACK)

A stack (its `STACK`) gives the interpreter and adds its site-packages to
`deps`; `python_version` alone (e.g. `PYTHON["version"]` of an interpreter's
`_facts` repository) gives only the interpreter.

Each interpreter repository (the `debian.python_interpreter` tag) is a
toolchain selected by //toolchains:python_version; these macros set that flag
for one target and everything it depends on. Plain rules_python targets run on
the flag's default (the first stack's Python).
"""

load("//python/private:py_transition.bzl", _default_python_version = "default_python_version", _py_binary = "py_binary", _py_test = "py_test")

py_binary = _py_binary
py_test = _py_test

# An incoming-edge transition (`rule(cfg = ...)`) to the flag's default, for
# rules whose outputs do not depend on the consumer's Python.
default_python_version = _default_python_version
