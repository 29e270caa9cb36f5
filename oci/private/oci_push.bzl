"""oci_push: push an OCI layout to a registry with crane."""

def _oci_push_impl(ctx):
    layout = ctx.file.image
    toolchain = ctx.toolchains["//oci:crane_toolchain_type"]
    crane = toolchain.executable
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
    runfiles = runfiles.merge(toolchain.runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

oci_push = rule(
    implementation = _oci_push_impl,
    doc = """`bazel run` pushes the image to `repository` under each of `remote_tags`
with crane (the registered `//oci:crane_toolchain_type`). `bazel run :push -- REPOSITORY` overrides
the repository.""",
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image."),
        "remote_tags": attr.string_list(doc = "Tags to push (default: latest)."),
        "repository": attr.string(mandatory = True, doc = "e.g. registry.example.com/team/service"),
    },
    toolchains = ["//oci:crane_toolchain_type"],
)
