"""command and multirun: programs run in turn, with rules_multirun's shapes (`//oci:multirun.bzl`)."""

load(":runfiles.bzl", "RUNFILES_PRELUDE", "runfile", "shell_quote")

_CommandInfo = provider(doc = "What a multirun says of a command.", fields = ["description"])

def _label_text(label):
    """`//pkg:name` for the main repository, `@repo//pkg:name` otherwise."""
    return "%s//%s:%s" % ("@" + label.workspace_name if label.workspace_name else "", label.package, label.name)

_PRELUDE = """\
#!/usr/bin/env bash
set -euo pipefail
""" + RUNFILES_PRELUDE

def _command_impl(ctx):
    program = ctx.attr.command[DefaultInfo].files_to_run.executable
    if program == None:
        fail("command %s: %s is not executable" % (ctx.label, ctx.attr.command.label))
    script = ctx.actions.declare_file(ctx.label.name + ".bash")
    exports = "".join(["export %s=%s\n" % (k, shell_quote(v)) for k, v in sorted(ctx.attr.environment.items())])
    ctx.actions.write(script, is_executable = True, content = _PRELUDE + exports + 'exec "$RUNFILES_DIR/{program}" {args} "$@"\n'.format(
        program = runfile(program),
        args = " ".join([shell_quote(ctx.expand_location(a, [ctx.attr.command])) for a in ctx.attr.arguments]),
    ))
    runfiles = ctx.runfiles(files = [program]).merge(ctx.attr.command[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles), _CommandInfo(description = ctx.attr.description)]

command = rule(
    implementation = _command_impl,
    executable = True,
    doc = """A program with its arguments and environment, to run alone (`bazel run`)
or in a `multirun`. rules_multirun's `command`.""",
    attrs = {
        "arguments": attr.string_list(doc = "Arguments before any given at run time (`$(location)` expanded)."),
        "command": attr.label(mandatory = True, executable = True, cfg = "target", doc = "The program: an executable target."),
        "description": attr.string(doc = "What a multirun prints before it runs this (default: the label)."),
        "environment": attr.string_dict(doc = "Variables set for it."),
    },
)

def _multirun_impl(ctx):
    lines = []
    runfiles = ctx.runfiles()
    for target in ctx.attr.commands:
        program = target[DefaultInfo].files_to_run.executable
        if program == None:
            fail("multirun %s: %s is not executable" % (ctx.label, target.label))
        runfiles = runfiles.merge(ctx.runfiles(files = [program])).merge(target[DefaultInfo].default_runfiles)
        what = target[_CommandInfo].description if _CommandInfo in target else ""
        lines.append('run {what} "$RUNFILES_DIR/{program}"'.format(what = shell_quote(what or _label_text(target.label)), program = runfile(program)))
    script = ctx.actions.declare_file(ctx.label.name + ".bash")
    ctx.actions.write(script, is_executable = True, content = _PRELUDE + """\
# Each in turn; the first that fails stops the rest, and its status is ours.
run() {
  echo "Running $1" >&2
  "$2" || { status=$?; echo "multirun: $1 failed (exit $status); the rest did not run" >&2; exit "$status"; }
}
""" + "\n".join(lines) + "\n")
    return [DefaultInfo(executable = script, runfiles = runfiles)]

multirun = rule(
    implementation = _multirun_impl,
    executable = True,
    doc = """Runs `commands` one after another (`bazel run`), stopping at the first
that fails. rules_multirun's `multirun`, sequential only: `jobs` other than 1
is refused, so pushes never interleave their output.""",
    attrs = {
        "commands": attr.label_list(mandatory = True, doc = "Executable targets (`command`s or any program), run in this order."),
        "jobs": attr.int(default = 1, values = [1], doc = "How many run at once: 1 (accepted for rules_multirun's shape)."),
    },
)
