"""stack_gates: the gate tests of one stack (a lock plus an interpreter)."""

load("@rules_python//python:defs.bzl", "py_test")

# The gates, each with the test file that runs it on the real stack and shows
# it failing on broken inputs.
GATES = ["bitsandbytes", "embedding", "numpy", "service", "torch"]

def stack_gates(name, lock, site_packages, python_version, gates = GATES, prefix = "", extra_deps = {}):
    """Declares `<prefix>smoke_test` and `<prefix><gate>_gate_test` for a stack.

    Every test reads what it expects from `lock` (REQUIREMENTS_LOCK), so the
    same gate modules serve any stack; nothing is a constant in a gate.

    Args:
      name: a name for the group: `<name>` is a test_suite of the tests.
      lock: the stack's requirements_lock.txt.
      site_packages: the stack's installed distributions (a py_library).
      python_version: the stack's interpreter version ("3.11"), from its
        interpreter repository's defs.bzl.
      gates: which gates the stack has (a subset of GATES).
      prefix: prepended to every test name.
      extra_deps: gate -> extra deps (the service gate needs the service).
    """
    env = {
        "EXPECTED_PYTHON_VERSION": python_version,
        "REQUIREMENTS_LOCK": "$(rootpath %s)" % lock,
    }
    tests = [prefix + "smoke_test"]
    py_test(
        name = prefix + "smoke_test",
        size = "medium",
        srcs = ["smoke_test.py"],
        main = "smoke_test.py",
        env = env,
        data = [lock],
        deps = [":gates", site_packages],
    )
    for gate in gates:
        test = "%s%s_gate_test" % (prefix, gate)
        tests.append(test)
        py_test(
            name = test,
            size = "medium",
            srcs = [gate + "_gate_test.py"],
            main = gate + "_gate_test.py",
            env = env,
            data = [lock],
            deps = [":gate_process", ":gates", site_packages] + extra_deps.get(gate, []),
        )
    native.test_suite(name = name, tests = tests)
