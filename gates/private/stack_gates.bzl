"""stack_gates: the gate tests of one stack (a lock plus an interpreter)."""

load("//python:defs.bzl", "py_test")

# The gates, each with the test file (<gate>_gate_test.py, beside this file)
# that runs it on the real stack and shows it failing on broken inputs. `gpu`
# needs a CUDA device: its test is tagged `gpu` (run with --config=gpu).
GATES = ["bitsandbytes", "embedding", "gpu", "numpy", "science", "service", "torch"]

# What every stack gets: the interpreter and numpy of the lock (smoke), and
# no library loaded from outside the hermetic interpreter and the stack
# (library_origins).
ALWAYS = ["smoke", "library_origins"]

def stack_gates_problem(name, stack, gates, server = None, probe = None):
    """What is wrong with stack_gates' arguments, or None.

    Args:
      name: the suite's name.
      stack: the stack.
      gates: the gates asked for.
      server: the service gate's server module.
      probe: the service gate's probe file.

    Returns:
      The message `stack_gates` fails with, or None.
    """
    if not stack.lock:
        return "stack_gates(%s): stack %s has no lock: give its `pypi.site_packages` tag in MODULE.bazel `lock`" % (name, stack.name)
    unknown = [gate for gate in gates if gate not in GATES]
    if unknown:
        return "stack_gates(%s): unknown gates %s; the gates are %s" % (name, unknown, GATES)
    if "service" in gates and not (server and probe):
        return "stack_gates(%s): the service gate needs the service's `server` module and its `probe` file" % name
    return None

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
        `probe(base_url)`), e.g. "app/probe.py".
    """
    problem = stack_gates_problem(name, stack, gates, server, probe)
    if problem:
        fail(problem)
    env = {
        "EXPECTED_PYTHON_VERSION": stack.python_version,
        "REQUIREMENTS_LOCK": "$(rootpath %s)" % stack.lock,
    }
    tests = []
    for test in ALWAYS + ["%s_gate" % gate for gate in gates]:
        src = Label("//gates:%s_test.py" % test)
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
            # The GPU gate fails without a CUDA device: only --config=gpu.
            tags = ["gpu"] if test == "gpu_gate" else [],
            deps = [
                Label("//gates:gate_process"),
                Label("//gates:checks"),
            ] + extra_deps.get(test.removesuffix("_gate"), []),
        )
    native.test_suite(name = name, tests = tests)

def isolated_pairs(stacks):
    """The (own, other) pairs of stacks an isolation test can tell apart.

    Every ordered pair of stacks with a lock where `other` pins a
    distribution `own` does not: only then can the test show a leak (its
    negative case puts the other's site-packages on the path and must see
    that distribution).

    Args:
      stacks: `STACKS` of @pypi_stacks//:defs.bzl.

    Returns:
      A list of (own, other) stack pairs.
    """
    pairs = []
    for own in stacks:
        for other in stacks:
            if own.name == other.name or not own.lock or not other.lock:
                continue
            own_names = {w.distribution: True for w in own.wheels}
            if [w for w in other.wheels if w.distribution not in own_names]:
                pairs.append((own, other))
    return pairs

def stack_isolation_tests(name, stacks):
    """Declares `stack_isolation_<own>_<other>_test` for every pair of stacks.

    Each runs on the `own` stack's interpreter with its site-packages and
    checks that nothing the `other` stack alone pins is installed or
    importable there, that what both pin is at `own`'s version, and that its
    negative case (the other's site-packages on the path) is seen. A stack
    added to MODULE.bazel gets its tests with no edit here.

    Args:
      name: a test_suite of them all.
      stacks: `STACKS` of @pypi_stacks//:defs.bzl.
    """
    tests = []
    for own, other in isolated_pairs(stacks):
        test = "stack_isolation_%s_%s_test" % (own.name, other.name)
        tests.append(test)
        py_test(
            name = test,
            size = "medium",
            srcs = [Label("//gates:stack_isolation_test.py")],
            main = Label("//gates:stack_isolation_test.py"),
            data = [
                own.lock,
                other.lock,
                own.distributions,
                other.distributions,
                other.prefix,
            ],
            env = {
                "EXPECTED_PYTHON_VERSION": own.python_version,
                "OTHER_LOCK": "$(rootpath %s)" % other.lock,
                "OTHER_MANIFEST": "$(rootpath %s)" % other.distributions,
                "OTHER_SITE_PACKAGES": "$(rootpath %s)/lib/python%s/dist-packages" % (other.prefix, other.python_version),
                "OWN_LOCK": "$(rootpath %s)" % own.lock,
                "OWN_MANIFEST": "$(rootpath %s)" % own.distributions,
            },
            stack = own,
            deps = [
                Label("//gates:checks"),
                Label("//pypi:locks"),
            ],
        )
    native.test_suite(name = name, tests = tests)
