"""stack_gates: the gate tests of one stack (a lock plus an interpreter)."""

load("//python:defs.bzl", "py_test")

# The gates, each with the test file (//tests:<gate>_gate_test.py) that runs
# it on the real stack and shows it failing on broken inputs.
GATES = ["bitsandbytes", "embedding", "numpy", "science", "service", "torch"]

def stack_gates(name, stack, gates, prefix = "", extra_deps = {}, server = None, probe = None):
    """Declares `<prefix>smoke_test` and `<prefix><gate>_gate_test` for a stack.

    Every test reads what it expects from the stack's lock
    (REQUIREMENTS_LOCK), so the same gate modules serve any stack; nothing is
    a constant in a gate. Each test runs on the stack's interpreter with the
    stack's site-packages and nothing else. Call it from any package: the tests are
    declared there, their sources come from //tests.

    Args:
      name: a name for the group: `<name>` is a test_suite of the tests.
      stack: the stack (`STACK` of its site_packages repository's
        defs.bzl): its lock, its site-packages and its interpreter.
      gates: which gates the stack has (a subset of GATES).
      prefix: prepended to every test name.
      extra_deps: gate -> extra deps (the service gate needs the service).
      server: for the service gate: the module that serves the service
        (`python -m <server> --port N`), e.g. "app.server".
      probe: for the service gate: the service's probe file (defines
        `probe(base_url)`), e.g. "//app:probe.py".
    """
    if not stack.lock:
        fail("stack_gates(%s): stack %s has no lock: give its `pypi.site_packages` tag in MODULE.bazel `lock`" % (name, stack.name))
    unknown = [gate for gate in gates if gate not in GATES]
    if unknown:
        fail("stack_gates(%s): unknown gates %s; the gates are %s" % (name, unknown, GATES))
    if "service" in gates and not (server and probe):
        fail("stack_gates(%s): the service gate needs the service's `server` module and its `probe` file" % name)
    env = {
        "EXPECTED_PYTHON_VERSION": stack.python_version,
        "REQUIREMENTS_LOCK": "$(rootpath %s)" % stack.lock,
    }
    tests = []
    for test in ["smoke"] + ["%s_gate" % gate for gate in gates]:
        src = Label("//tests:%s_test.py" % test)
        tests.append(prefix + test + "_test")
        test_env = dict(env)
        data = [stack.lock]
        if test == "service_gate":
            test_env["SERVICE_PROBE"] = "$(rootpath %s)" % probe
            test_env["SERVICE_SERVER"] = server
            data.append(probe)
        py_test(
            name = prefix + test + "_test",
            size = "medium",
            srcs = [src],
            main = src,
            env = test_env,
            data = data,
            stack = stack,
            deps = [
                Label("//tests:gate_process"),
                Label("//tests:gates"),
            ] + extra_deps.get(test.removesuffix("_gate"), []),
        )
    native.test_suite(name = name, tests = tests)
