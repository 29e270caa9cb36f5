"""Unit tests of the macros' argument checks (each `*_problem` function)."""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")
load("//deb/private:deb_root.bzl", "control_problem")
load("//gates/private:image_gates.bzl", "image_gates_problem")
load("//gates/private:stack_gates.bzl", "isolated_pairs", "stack_gates_problem")
load("//image:service.bzl", "architectures_problem", "cuda_arm64_problem", "service_image_problem")
load("//pypi:defs.bzl", "pip_lock_problem")
load("//pypi/private:layer_groups.bzl", "groups_problem")
load("//python/private:py_transition.bzl", "python_version_problem")

def _wheel(name):
    return struct(distribution = name, version = "1", wheel_size = 1, layer = None)

def _stack(name, lock = "//x:requirements_lock.txt", requirements_in = "//x:requirements.in", python_version = "3.11", wheels = ["numpy"], machine = "x86_64"):
    return struct(
        name = name,
        python = {"machine": machine},
        lock = lock,
        requirements_in = requirements_in,
        python_version = python_version,
        wheels = [_wheel(w) for w in wheels],
    )

def _contains(env, text, fragment):
    asserts.true(env, text != None and fragment in text, "expected %r in %r" % (fragment, text))

def _service_image_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, None, service_image_problem("image", {"cuda": ["nvidia-*"], "packages": ["*"]}))
    _contains(env, service_image_problem("image", {"app": ["*"]}), 'a group may not be named "app"')

    # An arm64 image of a CUDA stack is refused, saying what it would need.
    asserts.equals(env, None, cuda_arm64_problem(_stack("pypi_imagestats", wheels = ["numpy", "scipy"])))
    cuda = cuda_arm64_problem(_stack("pypi", wheels = ["numpy", "nvidia-cublas-cu12", "nvidia-cudnn-cu12", "nvidia-nccl-cu12", "nvidia-nvtx-cu12", "torch"]))
    _contains(env, cuda, "stack pypi locks CUDA wheels (nvidia-cublas-cu12, nvidia-cudnn-cu12, nvidia-nccl-cu12, ...)")
    _contains(env, cuda, "PyPI's aarch64 torch wheels are CPU builds")
    _contains(env, cuda, "cu12x aarch64 (sbsa) wheels")

    # python_service's architectures: the stack must be for that CPU, the
    # CPU one the gates can emulate, and the service not a CUDA one.
    amd64 = _stack("pypi_x")
    arm64 = _stack("pypi_x_arm64", machine = "aarch64")
    asserts.equals(env, None, architectures_problem("x", amd64, {"arm64": {"stack": arm64, "base": "//image:b"}}))
    _contains(env, architectures_problem("x", amd64, {"arm64": {"stack": amd64, "base": "//image:b"}}), 'architectures["arm64"] names stack pypi_x, whose interpreter is amd64')
    _contains(env, architectures_problem("x", amd64, {"s390x": {"stack": amd64, "base": "//image:b"}}), "no emulator for s390x images")
    _contains(env, architectures_problem("x", _stack("pypi", wheels = ["nvidia-cublas-cu12"]), {"arm64": {"stack": arm64, "base": "//image:b"}}), "PyPI's aarch64 torch wheels are CPU builds")
    return unittest.end(env)

def _groups_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, None, groups_problem("layer", {"cuda": ["nvidia-*"], "packages": ["*"]}))
    _contains(env, groups_problem("layer", {"packages": ["*"], "cuda": ["nvidia-*"]}), 'the catch-all group "packages" must come last')
    return unittest.end(env)

def _pip_lock_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, None, pip_lock_problem("requirements", _stack("pypi")))
    _contains(env, pip_lock_problem("requirements", _stack("tools", lock = None)), "stack tools has no lock or requirements.in")
    _contains(env, pip_lock_problem("requirements", _stack("tools", requirements_in = None)), "`lock` and `requirements_in`")
    return unittest.end(env)

def _python_version_test(ctx):
    env = unittest.begin(ctx)
    stack = _stack("pypi")
    asserts.equals(env, None, python_version_problem("py_test", "t", stack, None))
    asserts.equals(env, None, python_version_problem("py_test", "t", stack, "3.11"))
    asserts.equals(env, None, python_version_problem("py_test", "t", None, "3.13"))
    _contains(env, python_version_problem("py_test", "t", stack, "3.13"), 'python_version "3.13" is not stack pypi\'s ("3.11")')
    _contains(env, python_version_problem("py_binary", "b", None, None), "py_binary(b): give `stack`")
    return unittest.end(env)

def _stack_gates_test(ctx):
    env = unittest.begin(ctx)
    stack = _stack("pypi")
    asserts.equals(env, None, stack_gates_problem("gates", stack, ["numpy", "torch"]))
    asserts.equals(env, None, stack_gates_problem("gates", stack, ["service"], "app.server", "app/probe.py"))
    _contains(env, stack_gates_problem("gates", _stack("tools", lock = None), ["numpy"]), "stack tools has no lock")
    _contains(env, stack_gates_problem("gates", stack, ["numpy", "tensorflow"]), "unknown gates [\"tensorflow\"]")
    _contains(env, stack_gates_problem("gates", stack, ["service"], "app.server"), "needs the service's `server` module and its `probe` file")
    return unittest.end(env)

def _image_gates_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, None, image_gates_problem("image", _stack("pypi")))
    _contains(env, image_gates_problem("image", _stack("tools", lock = None)), "image_gates(image): stack tools has no lock")
    return unittest.end(env)

def _isolated_pairs_test(ctx):
    env = unittest.begin(ctx)
    a = _stack("a", wheels = ["numpy", "torch"])
    b = _stack("b", wheels = ["numpy", "scipy"])
    subset = _stack("subset", wheels = ["numpy"])
    unlocked = _stack("unlocked", lock = None, wheels = ["ruff"])
    pairs = [(own.name, other.name) for own, other in isolated_pairs([a, b, subset, unlocked])]

    # subset pins nothing a and b lack: no test could see it leak into them;
    # a stack without a lock has nothing to check against.
    asserts.equals(env, [("a", "b"), ("b", "a"), ("subset", "a"), ("subset", "b")], pairs)
    return unittest.end(env)

def _control_test(ctx):
    env = unittest.begin(ctx)
    package = {"version": "2.43-7", "arch": "amd64"}
    control = "Package: libc6\nSource: glibc\nVersion: 2.43-7\nArchitecture: amd64\nDescription: GNU C Library\n two lines\n"
    asserts.equals(env, None, control_problem(control, "libc6", package))
    asserts.equals(env, None, control_problem(control.replace("amd64", "all"), "libc6", package))

    # A .deb whose control file is not the lock's package is refused, naming the field.
    _contains(env, control_problem(control, "zlib1g", package), "says Package \"libc6\", the lock \"zlib1g\"")
    _contains(env, control_problem(control.replace("2.43-7", "2.43-8"), "libc6", package), "says Version \"2.43-8\", the lock \"2.43-7\"")
    _contains(env, control_problem(control.replace("amd64", "arm64"), "libc6", package), "says Architecture \"arm64\", the lock \"amd64\"")
    _contains(env, control_problem(" continuation first\n" + control, "libc6", package), "not a control stanza")
    _contains(env, control_problem("no colon here\n", "libc6", package), "not a control stanza")
    _contains(env, control_problem("x" * (1 << 20 + 1), "libc6", package), "over")
    return unittest.end(env)

control_test = unittest.make(_control_test)
service_image_test = unittest.make(_service_image_test)
groups_test = unittest.make(_groups_test)
pip_lock_test = unittest.make(_pip_lock_test)
python_version_test = unittest.make(_python_version_test)
stack_gates_test = unittest.make(_stack_gates_test)
image_gates_test = unittest.make(_image_gates_test)
isolated_pairs_test = unittest.make(_isolated_pairs_test)

def macro_checks_test_suite(name):
    """Every check's test, as one suite.

    Args:
      name: the suite's name.
    """
    unittest.suite(
        name,
        control_test,
        service_image_test,
        groups_test,
        pip_lock_test,
        python_version_test,
        stack_gates_test,
        image_gates_test,
        isolated_pairs_test,
    )
