"""oci_load: a docker-archive tarball of an OCI layout, and a script that loads it."""

_ZSTD = "//oci:zstd_toolchain_type"

def _oci_load_impl(ctx):
    layout = ctx.file.image
    tarball = ctx.actions.declare_file(ctx.label.name + "/tarball.tar")
    args = ["--layout", layout.path, "--out", tarball.path]
    for tag in ctx.attr.repo_tags:
        args += ["--repo-tag", tag]
    tools = []
    zstd = ctx.toolchains[_ZSTD]
    if zstd != None:
        # For zstd-compressed layers; without a zstd toolchain such a layer is
        # refused by the tool, naming it.
        args += ["--zstd", zstd.executable.path]
        tools.append(zstd.files_to_run)
    ctx.actions.run(
        executable = ctx.executable._docker_archive,
        arguments = args,
        inputs = [layout],
        outputs = [tarball],
        tools = tools,
        mnemonic = "DockerArchive",
        progress_message = "Writing docker-archive tarball %{label}",
    )

    loader = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(loader, is_executable = True, content = """\
#!/bin/sh
# Loads {tarball} into docker, or podman where no docker engine answers.
set -eu
tarball="${{RUNFILES_DIR:-$0.runfiles}}/_main/{short}"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  exec docker load -i "$tarball"
elif command -v podman >/dev/null 2>&1; then
  exec podman load -i "$tarball"
fi
echo "oci_load: neither a docker engine nor podman is available; load $tarball yourself" >&2
exit 1
""".format(tarball = tarball.short_path, short = tarball.short_path))
    return [
        DefaultInfo(
            files = depset([tarball]),
            executable = loader,
            runfiles = ctx.runfiles(files = [tarball]),
        ),
        OutputGroupInfo(tarball = depset([tarball])),
    ]

oci_load = rule(
    implementation = _oci_load_impl,
    doc = """Writes `<name>/tarball.tar`, a docker-archive that `docker load -i` and
`podman load -i` accept (uncompressed layers, each checked against its
diff_id), and `bazel run` loads it into docker or podman.""",
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image."),
        "repo_tags": attr.string_list(doc = "e.g. [\"mlimage/service:latest\"]"),
        "_docker_archive": attr.label(default = "//oci/private:docker_archive", executable = True, cfg = "exec"),
    },
    toolchains = [config_common.toolchain_type(_ZSTD, mandatory = False)],
)
