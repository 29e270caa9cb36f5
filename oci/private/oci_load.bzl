"""oci_load: load an OCI layout into docker or podman (`bazel run`), or write its tarball."""

_ZSTD = "//oci:zstd_toolchain_type"

_DOC = """`bazel run` streams the image into `docker load` (or `podman load` where
no docker engine answers): nothing but a small script is built, and no copy
of the layers is written to disk. The docker-archive tarball that `docker
load -i` and `podman load -i` accept is built only on request, as the
`tarball` output group (`bazel build :<name> --output_groups=+tarball`) at
`<name>/tarball.tar`; its layers are uncompressed, each checked against its
diff_id."""

def _runfile(f):
    """A file's path below the runfiles directory (`_main/...`, `<repo>/...`)."""
    if f.short_path.startswith("../"):
        return f.short_path[len("../"):]
    return "_main/" + f.short_path

def _oci_load_impl(ctx):
    layout = ctx.file.image
    zstd = ctx.toolchains[_ZSTD]
    archive_args = ["--layout", layout.path]
    run_args = []
    for tag in ctx.attr.repo_tags:
        archive_args += ["--repo-tag", tag]
        run_args += ["--repo-tag", tag]
    tools = []
    runfiles = [layout]
    if zstd != None:
        # For zstd-compressed layers; without a zstd toolchain such a layer is
        # refused by the tool, naming it.
        archive_args += ["--zstd", zstd.executable.path]
        tools.append(zstd.files_to_run)
        run_args += ["--zstd", '"$runfiles/%s"' % _runfile(zstd.executable)]
        runfiles.append(zstd.executable)

    # Only on request (the `tarball` output group).
    tarball = ctx.actions.declare_file(ctx.label.name + "/tarball.tar")
    ctx.actions.run(
        executable = ctx.executable._docker_archive,
        arguments = archive_args + ["--out", tarball.path],
        inputs = [layout],
        outputs = [tarball],
        tools = tools,
        mnemonic = "DockerArchive",
        progress_message = "Writing docker-archive tarball %{label}",
    )

    tool = ctx.executable._docker_archive_run
    loader = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(loader, is_executable = True, content = """\
#!/usr/bin/env bash
# Streams {layout} into docker load, or podman load where no docker engine
# answers. Nothing is written to disk.
set -euo pipefail
runfiles="${{RUNFILES_DIR:-$0.runfiles}}"
export RUNFILES_DIR="$runfiles"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  load=(docker load)
elif command -v podman >/dev/null 2>&1; then
  load=(podman load)
else
  echo "oci_load: neither a docker engine nor podman is available here; build the" >&2
  echo "tarball instead: bazel build {label} --output_groups=+tarball" >&2
  exit 1
fi
"$runfiles/{tool}" --layout "$runfiles/{layout}" --out - {args} | "${{load[@]}}"
""".format(
        label = str(ctx.label),
        layout = _runfile(layout),
        tool = _runfile(tool),
        args = " ".join(run_args),
    ))
    run_files = ctx.runfiles(files = runfiles + [tool])
    run_files = run_files.merge(ctx.attr._docker_archive_run[DefaultInfo].default_runfiles)
    if zstd != None:
        run_files = run_files.merge(zstd.runfiles)
    return [
        DefaultInfo(
            files = depset([loader]),
            executable = loader,
            runfiles = run_files,
        ),
        OutputGroupInfo(tarball = depset([tarball])),
    ]

oci_load = rule(
    implementation = _oci_load_impl,
    doc = _DOC,
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image."),
        "repo_tags": attr.string_list(doc = "The names the loaded image gets, e.g. [\"mlimage/service:latest\"]."),
        "_docker_archive": attr.label(default = "//oci/private:docker_archive", executable = True, cfg = "exec"),
        "_docker_archive_run": attr.label(default = "//oci/private:docker_archive", executable = True, cfg = "target"),
    },
    toolchains = [config_common.toolchain_type(_ZSTD, mandatory = False)],
)
