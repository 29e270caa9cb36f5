"""Test rules that check a built image's config or a file's text (`//oci:testing.bzl`)."""

load(":runfiles.bzl", "runfile", "shell_quote")

def _test_script(ctx, args, files):
    tool = ctx.attr._image_assert[DefaultInfo].files_to_run.executable
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
set -euo pipefail
runfiles="${{RUNFILES_DIR:-${{TEST_SRCDIR:-$0.runfiles}}}}"
# The tool runs on its own interpreter, with nothing of a caller's Python.
unset PYTHONHOME PYTHONPATH PYTHONSAFEPATH
exec "$runfiles/{tool}" {args}
""".format(tool = runfile(tool), args = " ".join(args)))
    runfiles = ctx.runfiles(files = files + [tool])
    runfiles = runfiles.merge(ctx.attr._image_assert[DefaultInfo].default_runfiles)
    return script, runfiles

_TOOL = {
    "_image_assert": attr.label(default = "//oci/private:image_assert", executable = True, cfg = "target"),
}

def _image_config_test_impl(ctx):
    layout = ctx.file.image
    args = ["config", '--layout "$runfiles/%s"' % runfile(layout), '--expected "$runfiles/%s"' % runfile(ctx.file.expected)]
    if ctx.attr.platform:
        args.append("--platform '%s'" % ctx.attr.platform)
    script, runfiles = _test_script(ctx, args, [layout, ctx.file.expected])
    return [DefaultInfo(executable = script, runfiles = runfiles.merge(ctx.attr.image[DefaultInfo].default_runfiles))]

image_config_test = rule(
    implementation = _image_config_test_impl,
    test = True,
    doc = "Passes when the image's config holds the fields of `expected` (image_assert.py `config`).",
    attrs = {
        "expected": attr.label(mandatory = True, allow_single_file = [".json"], doc = "Expected fields: top-level keys and a `config` object; null means absent."),
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image (or an oci_image_index with `platform`)."),
        "platform": attr.string(doc = "`os/arch` of the image to check in an index."),
    } | _TOOL,
)

def _file_contains_test_impl(ctx):
    expected = ctx.actions.declare_file(ctx.label.name + ".expected")
    ctx.actions.write(expected, ctx.attr.expected)
    args = ["contains", '--file "$runfiles/%s"' % runfile(ctx.file.actual), '--expected-file "$runfiles/%s"' % runfile(expected)]
    script, runfiles = _test_script(ctx, args, [ctx.file.actual, expected])
    return [DefaultInfo(executable = script, runfiles = runfiles)]

file_contains_test = rule(
    implementation = _file_contains_test_impl,
    test = True,
    doc = "Passes when the file `actual` holds the text `expected`.",
    attrs = {
        "actual": attr.label(mandatory = True, allow_single_file = True, doc = "The file to search."),
        "expected": attr.string(mandatory = True, doc = "The text it must hold."),
    } | _TOOL,
)

def _jq_filtered(ctx, src, jq_filter, out_name):
    out = ctx.actions.declare_file(out_name)
    jq = ctx.attr._jq[DefaultInfo].files_to_run
    ctx.actions.run_shell(
        command = '"$1" --sort-keys -- "$2" "$3" > "$4"',
        arguments = [jq.executable.path, jq_filter, src.path, out.path],
        inputs = [src],
        outputs = [out],
        tools = [jq],
        mnemonic = "JqFilter",
        progress_message = "Filtering %s with jq for %%{label}" % src.short_path,
    )
    return out

def _json_matches_test_impl(ctx):
    first = _jq_filtered(ctx, ctx.file.file1, ctx.attr.filter1, ctx.label.name + ".1.json")
    second = _jq_filtered(ctx, ctx.file.file2, ctx.attr.filter2, ctx.label.name + ".2.json")
    args = ["json", '--file1 "$runfiles/%s"' % runfile(first), '--file2 "$runfiles/%s"' % runfile(second)]
    script, runfiles = _test_script(ctx, args, [first, second])
    return [DefaultInfo(executable = script, runfiles = runfiles)]

json_matches_test = rule(
    implementation = _json_matches_test_impl,
    test = True,
    doc = "Passes when jq's `filter1` over `file1` and `filter2` over `file2` give the same JSON values.",
    attrs = {
        "file1": attr.label(mandatory = True, allow_single_file = True, doc = "A JSON file."),
        "file2": attr.label(mandatory = True, allow_single_file = True, doc = "Another JSON file."),
        "filter1": attr.string(default = ".", doc = "A jq filter applied to file1."),
        "filter2": attr.string(default = ".", doc = "A jq filter applied to file2."),
        "_jq": attr.label(default = "@jq", executable = True, cfg = "exec"),
    } | _TOOL,
)

def _image_command_test_impl(ctx):
    tool = ctx.attr._image_run[DefaultInfo].files_to_run.executable
    bwrap = ctx.attr._bwrap[DefaultInfo].files_to_run.executable
    args = ['--layout "$runfiles/%s"' % runfile(ctx.file.image), '--bwrap "$runfiles/%s"' % runfile(bwrap)]
    # `--arg=VALUE`: a value that starts with `-` stays a value.
    args += ["--arg=%s" % shell_quote(a) for a in ctx.attr.args_]
    files = [ctx.file.image, tool, bwrap]
    if ctx.attr.exit_code_eq >= 0:
        args.append("--exit-code %d" % ctx.attr.exit_code_eq)
    if ctx.attr.check_output:
        expected = ctx.actions.declare_file(ctx.label.name + ".expected_output")
        ctx.actions.write(expected, ctx.attr.output_eq)
        args.append('--output-file "$runfiles/%s"' % runfile(expected))
        files.append(expected)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
set -euo pipefail
runfiles="${{RUNFILES_DIR:-${{TEST_SRCDIR:-$0.runfiles}}}}"
unset PYTHONHOME PYTHONPATH PYTHONSAFEPATH
exec "$runfiles/{tool}" {args}
""".format(tool = runfile(tool), args = " ".join(args)))
    runfiles = ctx.runfiles(files = files)
    for attr in (ctx.attr._image_run, ctx.attr._bwrap, ctx.attr.image):
        runfiles = runfiles.merge(attr[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

image_command_test = rule(
    implementation = _image_command_test_impl,
    test = True,
    doc = "Passes when the image's command, run as the image runs it (image_run.py, bubblewrap), exits and prints as expected.",
    attrs = {
        "args_": attr.string_list(doc = "Arguments that replace the image's Cmd."),
        "check_output": attr.bool(doc = "Whether `output_eq` is checked."),
        "exit_code_eq": attr.int(default = -1, doc = "The exit code expected (-1: not checked)."),
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image for this machine's CPU."),
        "output_eq": attr.string(doc = "stdout and stderr together, exactly."),
        "_bwrap": attr.label(default = "@bwrap", executable = True, cfg = "target"),
        "_image_run": attr.label(default = "//oci/private:image_run", executable = True, cfg = "target"),
    },
)
