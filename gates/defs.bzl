"""Public API of the gates rule set: the tests that refuse a broken stack or image.

    load("@pypi_x//:defs.bzl", "STACK")
    load("//gates:defs.bzl", "image_gates", "stack_gates")

    stack_gates(name = "gates", stack = STACK, gates = ["numpy"])
    image_gates(name = "image", stack = STACK, image = ":image", ...)

A service declares its gates in its own package; a service's probe (what the
service gate asks of it) is a file of its own, `probe(base_url)`, which may
import `gates.probe` (`//gates:probe`). `stack_isolation_tests` declares a
test for every pair of stacks (`STACKS` of @pypi_stacks//:defs.bzl);
`shared_layers_test` checks that two images hold some layers as one file.
"""

load("//gates/private:image_gates.bzl", _image_gates = "image_gates", _shared_layers_test = "shared_layers_test")
load("//gates/private:stack_gates.bzl", _GATES = "GATES", _stack_gates = "stack_gates", _stack_isolation_tests = "stack_isolation_tests")

GATES = _GATES
image_gates = _image_gates
shared_layers_test = _shared_layers_test
stack_gates = _stack_gates
stack_isolation_tests = _stack_isolation_tests
