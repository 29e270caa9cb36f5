"""Public API: rules_multirun's `command` and `multirun`, for rules_oci's push example.

    load("@mlimage//oci:multirun.bzl", "command", "multirun")
    # in place of @rules_multirun//:defs.bzl

    command(name = "index", command = ":push_image_index")
    multirun(name = "push_all", commands = [":index", ":ecr"])

`bazel run :push_all` runs each in turn and stops at the first that fails.
"""

load("//oci/private:multirun.bzl", _command = "command", _multirun = "multirun")

command = _command
multirun = _multirun
