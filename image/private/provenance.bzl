"""image_provenance: an image's SLSA v1 provenance statement (provenance.py), and its test."""

def _label_text(label):
    return "%s//%s:%s" % ("@" + label.workspace_name if label.workspace_name else "", label.package, label.name)

def _dependency_args(ctx):
    args = []
    for f in ctx.files.dependencies:
        args += ["--dependency", "%s=%s" % (_label_text(f.owner), f.path)]
    return args

def _image_provenance_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".json")
    args = ["--layout", ctx.file.image.path, "--target", ctx.attr.target, "--out", out.path]
    args += _dependency_args(ctx)
    inputs = [ctx.file.image] + ctx.files.dependencies
    if ctx.attr.stamp:
        args += ["--stamp-info", ctx.info_file.path]
        inputs.append(ctx.info_file)
    ctx.actions.run(
        executable = ctx.executable._provenance,
        arguments = args,
        inputs = inputs,
        outputs = [out],
        mnemonic = "ImageProvenance",
        progress_message = "Writing the provenance of %{label}",
    )
    return [DefaultInfo(files = depset([out]))]

image_provenance = rule(
    implementation = _image_provenance_impl,
    doc = """`<name>.json`: the SLSA v1 provenance (an in-toto statement) of `image`:
its manifest digest as the subject, each of `dependencies` with its sha256,
and under `--stamp` the commit (docs/PROVENANCE.md).""",
    attrs = {
        "dependencies": attr.label_list(allow_files = True, mandatory = True, doc = "The files the image is built from: locks and wheel maps."),
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "The image's OCI layout."),
        "stamp": attr.bool(doc = "Name the commit from the workspace status (STABLE_GIT_COMMIT)."),
        "target": attr.string(mandatory = True, doc = "The image's label, the subject's name."),
        "_provenance": attr.label(default = "//image/private:provenance", executable = True, cfg = "exec"),
    },
)

def _runfile(f):
    if f.short_path.startswith("../"):
        return f.short_path[len("../"):]
    return "_main/" + f.short_path

def _provenance_test_impl(ctx):
    tool = ctx.attr._provenance[DefaultInfo].files_to_run.executable
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    deps = " ".join([
        '--dependency "%s=$runfiles/%s"' % (_label_text(f.owner), _runfile(f))
        for f in ctx.files.dependencies
    ])
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
set -euo pipefail
runfiles="${{RUNFILES_DIR:-${{TEST_SRCDIR:-$0.runfiles}}}}"
unset PYTHONHOME PYTHONPATH PYTHONSAFEPATH
exec "$runfiles/{tool}" --layout "$runfiles/{layout}" --target '{target}' {deps} --check "$runfiles/{statement}"
""".format(
        tool = _runfile(tool),
        layout = _runfile(ctx.file.image),
        target = ctx.attr.target,
        deps = deps,
        statement = _runfile(ctx.file.provenance),
    ))
    runfiles = ctx.runfiles(files = [ctx.file.image, ctx.file.provenance, tool] + ctx.files.dependencies)
    runfiles = runfiles.merge(ctx.attr._provenance[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

provenance_test = rule(
    implementation = _provenance_test_impl,
    test = True,
    doc = "Passes when `provenance` names `image`'s manifest digest and each of `dependencies` at its sha256 (provenance.py --check).",
    attrs = {
        "dependencies": attr.label_list(allow_files = True, mandatory = True, doc = "The files the statement must name."),
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "The image's OCI layout."),
        "provenance": attr.label(mandatory = True, allow_single_file = True, doc = "The statement (an image_provenance)."),
        "target": attr.string(mandatory = True, doc = "The image's label."),
        "_provenance": attr.label(default = "//image/private:provenance", executable = True, cfg = "target"),
    },
)
