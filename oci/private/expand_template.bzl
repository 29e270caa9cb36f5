"""expand_template: a file from a template and substitutions, stamped on request."""

def _expand_template_impl(ctx):
    if bool(ctx.file.template) == bool(ctx.attr.template_lines):
        fail("expand_template %s: give `template` as a file or as a list of lines, not both or neither" % ctx.label)
    template = ctx.file.template
    if not template:
        template = ctx.actions.declare_file(ctx.label.name + ".template")
        ctx.actions.write(template, "\n".join(ctx.attr.template_lines) + "\n")
    out = ctx.outputs.out or ctx.actions.declare_file(ctx.label.name)
    args = ctx.actions.args()
    args.add("--template", template)
    args.add("--out", out)
    for old, new in ctx.attr.substitutions.items():
        args.add("--substitution", "%s=%s" % (old, ctx.expand_location(new, ctx.attr.data)))
    for old, new in ctx.attr.stamp_substitutions.items():
        args.add("--stamp-substitution", "%s=%s" % (old, new))
    inputs = [template]
    if ctx.attr.stamp:
        args.add("--stamp-info", ctx.info_file)
        args.add("--stamp-info", ctx.version_file)
        inputs += [ctx.info_file, ctx.version_file]
    if ctx.attr.is_executable:
        args.add("--executable")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "ExpandTemplate",
        progress_message = "Expanding template %{label}",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

expand_template_rule = rule(
    implementation = _expand_template_impl,
    doc = "A file from a template (a file, or lines) with substitutions; under `--stamp` also the stamped ones.",
    attrs = {
        "data": attr.label_list(allow_files = True, doc = "Files `$(location)` in substitutions may name."),
        "is_executable": attr.bool(doc = "Make the output executable."),
        "out": attr.output(doc = "The output (default: the target's name)."),
        "stamp": attr.bool(doc = "Apply stamp_substitutions (set from --stamp by the macro)."),
        "stamp_substitutions": attr.string_dict(doc = "FROM -> TO applied only under --stamp; `{{KEY}}` in TO is filled from the workspace status."),
        "substitutions": attr.string_dict(doc = "FROM -> TO, every occurrence; TO may use `$(location)`."),
        "template": attr.label(allow_single_file = True, doc = "The template file."),
        "template_lines": attr.string_list(doc = "The template as lines."),
        "_tool": attr.label(default = "//oci/private:expand_template", executable = True, cfg = "exec"),
    },
)
