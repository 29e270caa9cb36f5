"""oci_push: push an OCI layout to a registry with crane."""

def _oci_push_impl(ctx):
    layout = ctx.file.image
    crane = ctx.executable._crane
    tags = ctx.attr.remote_tags or ["latest"]
    lines = []
    for tag in tags:
        lines.append('"$crane" push "$layout" "$repository:{tag}"'.format(tag = tag))
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/bin/sh
# Pushes {layout} to {repository} under each remote tag.
set -eu
runfiles="${{RUNFILES_DIR:-$0.runfiles}}"
crane="$runfiles/{crane}"
layout="$runfiles/_main/{layout}"
repository="${{1:-{repository}}}"
{pushes}
""".format(
        layout = layout.short_path,
        repository = ctx.attr.repository,
        crane = crane.short_path.replace("../", "", 1),
        pushes = "\n".join(lines),
    ))
    runfiles = ctx.runfiles(files = [layout, crane])
    runfiles = runfiles.merge(ctx.attr._crane[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

oci_push = rule(
    implementation = _oci_push_impl,
    doc = """`bazel run` pushes the image to `repository` under each of `remote_tags`
with crane (a pinned Debian .deb). `bazel run :push -- REPOSITORY` overrides
the repository.""",
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image."),
        "remote_tags": attr.string_list(doc = "Tags to push (default: latest)."),
        "repository": attr.string(mandatory = True, doc = "e.g. registry.example.com/team/service"),
        "_crane": attr.label(default = "//third_party/debian:crane", executable = True, cfg = "target"),
    },
)
