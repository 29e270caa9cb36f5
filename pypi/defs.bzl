"""Public API of the PyPI rule set: pip_lock and py_image_layers."""

load("//pypi/private:layer_groups.bzl", _py_image_layers = "py_image_layers")
load("//python:defs.bzl", "py_binary", "py_test")

py_image_layers = _py_image_layers

def own_layers(wheels, over):
    """The wheels that get an image layer of their own: (name, layer) pairs.

    A wheel larger than `over` bytes (its size in the lock) is its own
    layer: the same target, action and digest in every image whose stack
    locks that wheel, so a registry, a node and a cache hold it once. The
    others go into py_image_layers' groups (pass these names as its
    `exclude`). Sorted by name, so the order does not move when a pin does.

        load("@pypi//:wheels.bzl", "WHEELS")
        load("//pypi:defs.bzl", "own_layers")

        LAYERS = [...] + own_layers(WHEELS, over = 50000000) + [...]

    Args:
      wheels: a site_packages repository's WHEELS (its wheels.bzl).
      over: the size in bytes above which a wheel is a layer of its own.

    Returns:
      A list of (distribution name, its layer's label).
    """
    return [(w.distribution, w.layer) for w in sorted(wheels, key = lambda w: w.distribution) if w.wheel_size > over]

def pip_lock_problem(name, stack):
    """What is wrong with pip_lock's stack, or None.

    Args:
      name: the targets' prefix.
      stack: the stack.

    Returns:
      The message `pip_lock` fails with, or None.
    """
    if not stack.lock or not stack.requirements_in:
        return "pip_lock(%s): stack %s has no lock or requirements.in: give its `pypi.site_packages` tag in MODULE.bazel `lock` and `requirements_in`" % (name, stack.name)
    return None

def pip_lock(name, stack, **kwargs):
    """Declares the targets that keep a stack's pip-tools lock and its wheel map honest.

        load("@pypi_x//:defs.bzl", "STACK")
        pip_lock(name = "requirements", stack = STACK)

    - `bazel run :<name>.update` recompiles the lock from its requirements.in
      with pip-compile --generate-hashes (binary wheels only) and rewrites
      the wheel map (the wheel file, URL and sha256 chosen for each pin).
    - `<name>_test` recompiles into a scratch copy and fails if either
      committed file is stale; it needs PyPI, so it is tagged
      `requires-network` (run it with `--config=network`).
    - `<name>_wheels_test` (no network): the wheel map maps exactly the pins
      of the lock, each to a file whose sha256 the lock lists, from the index
      the stack's indexes.json assigns its package (PyPI without one).
    - `<name>_consistency_test` (no network): the lock is closed (every
      Requires-Dist of every pin, markers evaluated for the target, pinned at
      a satisfying version), every name in requirements.in is pinned,
      nothing is pinned twice, and the installed tree holds exactly the pins.

    Everything runs on the stack's own interpreter, so the lock is resolved
    on the interpreter it serves, and its markers and wheel tags follow from
    that interpreter's facts.

    Args:
      name: prefix of the targets.
      stack: the stack (`STACK` of its site_packages repository's defs.bzl),
        whose `pypi.site_packages` tag names its `lock` and `requirements_in`.
      **kwargs: passed to every target (e.g. visibility).
    """
    problem = pip_lock_problem(name, stack)
    if problem:
        fail(problem)
    lock = stack.lock
    requirements_in = stack.requirements_in
    wheels_lock = stack.wheels_lock
    python_info = stack.python_info
    python_version = stack.python_version
    site_packages = stack.prefix
    pkg = native.package_name()

    def _path(label):
        label = native.package_relative_label(label)
        return (label.package + "/" + label.name) if label.package else label.name

    args = [
        "--requirements-in=" + _path(requirements_in),
        "--lock=" + _path(lock),
        "--wheels-lock=" + _path(wheels_lock),
        "--update-command='tools/bazel run //%s:%s.update'" % (pkg, name),
        "--python-info=$(rootpath %s)" % python_info,
    ]
    indexes_data = []
    wheels_test_args = []
    if stack.indexes:
        args.append("--indexes=" + _path(stack.indexes))
        indexes_data = [stack.indexes]
        wheels_test_args = ["--indexes=$(rootpath %s)" % stack.indexes]
    srcs = [Label("//pypi:update_lock.py")]
    deps = [
        Label("//pypi:update_lock"),
        Label("@build_tools//:site_packages"),
    ]
    py_binary(
        name = name + ".update",
        python_version = python_version,
        srcs = srcs,
        main = Label("//pypi:update_lock.py"),
        args = args,
        data = [python_info],
        deps = deps,
        tags = ["requires-network"],
        **kwargs
    )
    py_test(
        name = name + "_test",
        python_version = python_version,
        srcs = srcs,
        main = Label("//pypi:update_lock.py"),
        args = args + ["--check"],
        data = [requirements_in, lock, wheels_lock, python_info] + indexes_data,
        deps = deps,
        size = "large",
        tags = ["requires-network", "no-sandbox"],
        **kwargs
    )
    py_test(
        name = name + "_wheels_test",
        python_version = python_version,
        size = "small",
        srcs = [Label("//pypi:wheel_index.py")],
        main = Label("//pypi:wheel_index.py"),
        args = [
            "--check",
            "--lock=$(rootpath %s)" % lock,
            "--out=$(rootpath %s)" % wheels_lock,
            "--python-info=$(rootpath %s)" % python_info,
        ] + wheels_test_args,
        data = [lock, wheels_lock, python_info] + indexes_data,
        deps = [Label("//pypi:wheel_index")],
        **kwargs
    )
    py_test(
        name = name + "_consistency_test",
        python_version = python_version,
        size = "medium",
        srcs = [Label("//pypi:lock_consistency.py")],
        main = Label("//pypi:lock_consistency.py"),
        args = [
            "--lock=$(rootpath %s)" % lock,
            "--requirements-in=$(rootpath %s)" % requirements_in,
            "--prefix=$(rootpath %s)" % site_packages,
            "--python-info=$(rootpath %s)" % python_info,
        ],
        data = [lock, requirements_in, site_packages, python_info],
        deps = [Label("//pypi:lock_consistency")],
        **kwargs
    )

def wheel_map(name, stack, **kwargs):
    """The wheel map of a stack that shares another stack's lock (another CPU's).

    A stack for another architecture (`pypi.site_packages` with the same
    `lock` and its own interpreter's facts, e.g. arm64) keeps only a wheel map
    of its own: the lock stays the first stack's (`pip_lock` recompiles it).

    - `<name>.update` (`tools/bazel run`, network): rewrites the stack's
      `wheels_lock` from the lock, picking each pin's wheel for the stack's
      interpreter (wheel_index.py), every sha256 one of the lock's hashes;
    - `<name>_test` (no network): that wheel map still matches the lock.

    Args:
      name: prefix of the targets.
      stack: the stack (`STACK` of its site_packages repository's defs.bzl).
      **kwargs: passed to both targets (e.g. visibility).
    """
    problem = pip_lock_problem(name, stack)
    if problem:
        fail(problem)

    def _path(label):
        label = native.package_relative_label(label)
        return (label.package + "/" + label.name) if label.package else label.name

    indexes = []
    if stack.indexes:
        indexes = [stack.indexes]
    py_binary(
        name = name + ".update",
        python_version = stack.python_version,
        srcs = [Label("//pypi:wheel_index.py")],
        main = Label("//pypi:wheel_index.py"),
        args = [
            "--lock=" + _path(stack.lock),
            "--out=" + _path(stack.wheels_lock),
            "--python-info=$(rootpath %s)" % stack.python_info,
        ] + ["--indexes=" + _path(i) for i in indexes],
        data = [stack.python_info],
        deps = [Label("//pypi:wheel_index")],
        tags = ["requires-network"],
        **kwargs
    )
    py_test(
        name = name + "_test",
        python_version = stack.python_version,
        size = "small",
        srcs = [Label("//pypi:wheel_index.py")],
        main = Label("//pypi:wheel_index.py"),
        args = [
            "--check",
            "--lock=$(rootpath %s)" % stack.lock,
            "--out=$(rootpath %s)" % stack.wheels_lock,
            "--python-info=$(rootpath %s)" % stack.python_info,
        ] + ["--indexes=$(rootpath %s)" % i for i in indexes],
        data = [stack.lock, stack.wheels_lock, stack.python_info] + indexes,
        deps = [Label("//pypi:wheel_index")],
        **kwargs
    )
