"""py_binary and py_test on a chosen Python: a transition on //toolchains:python_version.

rules_python 0.22.1 has the same idea (python/config_settings:transition.bzl),
but its flag only takes the CPython builds it downloads (3.8.10 ... 3.11.1):
there is no value for our Debian 3.13. This transition sets our own flag,
whose values are the versions of the interpreter repositories.
"""

load("@rules_python//python:defs.bzl", _py_binary = "py_binary", _py_test = "py_test")
load("//toolchains:python_version.bzl", "DEFAULT_PYTHON_VERSION")

_FLAG = str(Label("//toolchains:python_version"))

def _python_version_impl(_settings, attr):
    return {_FLAG: attr.python_version}

_python_version_transition = transition(
    implementation = _python_version_impl,
    inputs = [],
    outputs = [_FLAG],
)

def _default_python_version_impl(_settings, _attr):
    return {_FLAG: DEFAULT_PYTHON_VERSION}

# For rules whose outputs do not depend on the Python their consumer runs on
# (a wheel's install): one configuration for all consumers, so a 3.13 test
# and the image share the install of the same wheel instead of repeating it.
default_python_version = transition(
    implementation = _default_python_version_impl,
    inputs = [],
    outputs = [_FLAG],
)

def _py_on_version_impl(ctx):
    inner = ctx.attr.target
    executable = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(
        output = executable,
        target_file = inner[DefaultInfo].files_to_run.executable,
        is_executable = True,
    )
    environment = {
        key: ctx.expand_location(value, ctx.attr.data)
        for key, value in ctx.attr.env.items()
    }
    return [
        DefaultInfo(
            executable = executable,
            files = depset([executable]),
            runfiles = ctx.runfiles([executable]).merge(inner[DefaultInfo].default_runfiles),
        ),
        inner[PyInfo],
        RunEnvironmentInfo(environment = environment),
        coverage_common.instrumented_files_info(ctx, dependency_attributes = ["target"]),
    ]

_ATTRS = {
    "data": attr.label_list(
        allow_files = True,
        doc = "The inner target's data, for `$(rootpath)` in `env` and `args`.",
    ),
    "env": attr.string_dict(doc = "Environment of the running binary or test (`$(rootpath)` expanded)."),
    "python_version": attr.string(
        mandatory = True,
        doc = "A value of //toolchains:python_version (\"3.11\", \"3.13\").",
    ),
    "target": attr.label(
        mandatory = True,
        executable = True,
        cfg = "target",
        providers = [PyInfo],
        doc = "The py_binary or py_test, built on `python_version`.",
    ),
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}

_py_on_version_binary = rule(
    implementation = _py_on_version_impl,
    attrs = _ATTRS,
    cfg = _python_version_transition,
    executable = True,
    doc = "A py_binary built, with everything it depends on, on another Python.",
)

_py_on_version_test = rule(
    implementation = _py_on_version_impl,
    attrs = _ATTRS,
    cfg = _python_version_transition,
    test = True,
    doc = "A py_test built, with everything it depends on, on another Python.",
)

# Attributes every rule has: they belong on the outer (visible) target.
_COMMON = ["args", "compatible_with", "deprecation", "exec_compatible_with", "exec_properties", "features", "restricted_to", "tags", "target_compatible_with", "testonly", "visibility"]

# Test-only attributes of the outer target.
_TEST = ["env_inherit", "flaky", "local", "shard_count", "size", "timeout"]

def _wrap(inner_rule, outer_rule, outer_only, name, python_version, **kwargs):
    outer = {key: kwargs.pop(key) for key in _COMMON + outer_only if key in kwargs}
    tags = outer.get("tags", [])
    if "main" not in kwargs:
        # The inner target's name is not the outer's: keep py_binary's default,
        # the source named `<name>.py`.
        default = [src for src in kwargs.get("srcs", []) if type(src) == "string" and src.split(":")[-1].split("/")[-1] == name + ".py"]
        if default:
            kwargs["main"] = default[0]
    inner_rule(
        name = name + ".inner",
        args = outer.get("args"),
        tags = ["manual"] + [t for t in tags if t != "manual"],
        testonly = outer.get("testonly"),
        visibility = ["//visibility:private"],
        **kwargs
    )
    outer_rule(
        name = name,
        data = kwargs.get("data", []),
        env = kwargs.get("env", {}),
        python_version = python_version,
        target = ":%s.inner" % name,
        **outer
    )

def python_version_problem(kind, name, stack, python_version):
    """What is wrong with a target's `stack` and `python_version`, or None.

    Args:
      kind: "py_binary" or "py_test".
      name: the target's name.
      stack: its stack, or None.
      python_version: its python_version, or None.

    Returns:
      The message the macro fails with, or None.
    """
    if stack and python_version and python_version != stack.python_version:
        return "%s(%s): python_version %r is not stack %s's (%r): give one or the other" % (kind, name, python_version, stack.name, stack.python_version)
    if not stack and not python_version:
        return "%s(%s): give `stack` (a STACK from a site_packages repository's defs.bzl) or `python_version`" % (kind, name)
    return None

def _on_stack(kind, name, stack, python_version, kwargs):
    """The Python to build on, and `kwargs` with the stack's site-packages."""
    problem = python_version_problem(kind, name, stack, python_version)
    if problem:
        fail(problem)
    if stack:
        kwargs["deps"] = kwargs.get("deps", []) + [stack.site_packages]
        return stack.python_version
    return python_version

def py_binary(name, stack = None, python_version = None, **kwargs):
    """A py_binary that runs on a stack's interpreter, with its site-packages.

    Everything it depends on (its site-packages included) is built in that
    configuration, so the toolchain resolved for it, and only that one, is
    the one it runs on. The real py_binary is `<name>.inner` (manual).

    Args:
      name: the binary's name.
      stack: the stack (`STACK` of its site_packages repository's defs.bzl):
        its interpreter, and its site-packages added to `deps`.
      python_version: instead of `stack`, only an interpreter: a value of
        //toolchains:python_version ("3.13").
      **kwargs: py_binary's attributes.
    """
    python_version = _on_stack("py_binary", name, stack, python_version, kwargs)
    _wrap(_py_binary, _py_on_version_binary, [], name, python_version, **kwargs)

def py_test(name, stack = None, python_version = None, **kwargs):
    """A py_test that runs on a stack's interpreter, with its site-packages.

    See py_binary; the real py_test is `<name>.inner` (manual, so `bazel test
    //...` runs it only through this target).

    Args:
      name: the test's name.
      stack: the stack (`STACK` of its site_packages repository's defs.bzl):
        its interpreter, and its site-packages added to `deps`.
      python_version: instead of `stack`, only an interpreter: a value of
        //toolchains:python_version ("3.13").
      **kwargs: py_test's attributes (size, env, data, deps, ...).
    """
    python_version = _on_stack("py_test", name, stack, python_version, kwargs)
    _wrap(_py_test, _py_on_version_test, _TEST, name, python_version, **kwargs)
