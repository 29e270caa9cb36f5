"""oci_load: load an OCI layout into docker or podman (`bazel run`), or write its tarball."""

load(":runfiles.bzl", "runfile")

_ZSTD = "//oci:zstd_toolchain_type"

_DOC = """`bazel run` streams the image into `docker load` (or `podman load` where
no docker engine answers): nothing but a small script is built, and no copy
of the layers is written to disk. The docker-archive tarball that `docker
load -i` and `podman load -i` accept is built only on request, as the
`tarball` output group (`bazel build :<name> --output_groups=+tarball`) at
`<name>/tarball.tar`.

`format = "docker"` (the default) writes a `docker save`-style archive with
uncompressed layers, each checked against its diff_id; `format = "oci"` the
OCI layout itself as a tar, one index entry per tag (an `oci_image_index`
loads only so, as with rules_oci). As rules_oci's, the loader (docker,
podman, or `loader`: any executable target or file) is run as
`LOADER load --input ARCHIVE`, where ARCHIVE is a pipe (`/dev/fd/N`) the
archive streams through."""

def _oci_load_impl(ctx):
    layout = ctx.file.image
    zstd = ctx.toolchains[_ZSTD]
    archive_args = ["--layout", layout.path, "--format", ctx.attr.format]
    run_args = ["--format", ctx.attr.format]
    runfiles = [layout]
    inputs = [layout]
    if ctx.file.repo_tags:
        archive_args += ["--repo-tags-file", ctx.file.repo_tags.path]
        run_args += ["--repo-tags-file", '"$runfiles/%s"' % runfile(ctx.file.repo_tags)]
        runfiles.append(ctx.file.repo_tags)
        inputs.append(ctx.file.repo_tags)
    tools = []
    if zstd != None:
        # For zstd-compressed layers; without a zstd toolchain such a layer is
        # refused by the tool, naming it.
        archive_args += ["--zstd", zstd.executable.path]
        tools.append(zstd.files_to_run)
        run_args += ["--zstd", '"$runfiles/%s"' % runfile(zstd.executable)]
        runfiles.append(zstd.executable)

    # Only on request (the `tarball` output group).
    tarball = ctx.actions.declare_file(ctx.label.name + "/tarball.tar")
    ctx.actions.run(
        executable = ctx.executable._docker_archive,
        arguments = archive_args + ["--out", tarball.path],
        inputs = inputs,
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
if [[ -n "{loader}" ]]; then
  load=("$runfiles/{loader}" load)
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  load=(docker load)
elif command -v podman >/dev/null 2>&1; then
  load=(podman load)
else
  echo "oci_load: neither a docker engine nor podman is available here; build the" >&2
  echo "tarball instead: bazel build {label} --output_groups=+tarball" >&2
  exit 1
fi
"${{load[@]}}" --input <("$runfiles/{tool}" --layout "$runfiles/{layout}" --out - {args})
# The pipe's writer: its failure (a layer that does not match its diff_id) fails the run.
wait $!
""".format(
        label = str(ctx.label),
        layout = runfile(layout),
        tool = runfile(tool),
        args = " ".join(run_args),
        loader = runfile(ctx.executable.loader) if ctx.attr.loader else "",
    ))
    run_files = ctx.runfiles(files = runfiles + [tool])
    run_files = run_files.merge(ctx.attr._docker_archive_run[DefaultInfo].default_runfiles)
    if zstd != None:
        run_files = run_files.merge(zstd.runfiles)
    if ctx.attr.loader:
        run_files = run_files.merge(ctx.runfiles(files = [ctx.executable.loader]))
        run_files = run_files.merge(ctx.attr.loader[DefaultInfo].default_runfiles)
    return [
        DefaultInfo(
            files = depset([loader]),
            executable = loader,
            runfiles = run_files,
        ),
        OutputGroupInfo(tarball = depset([tarball])),
    ]

oci_load_rule = rule(
    implementation = _oci_load_impl,
    doc = _DOC,
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image, or an oci_image_index (with `format = \"oci\"`)."),
        "format": attr.string(default = "docker", values = ["docker", "oci"], doc = "The archive: a `docker save`-style tarball, or the OCI layout as a tar."),
        "loader": attr.label(allow_files = True, executable = True, cfg = "target", doc = "A program (a target, or an executable file) run as `LOADER load --input ARCHIVE` instead of docker or podman."),
        "repo_tags": attr.label(allow_single_file = True, doc = "A file of the names the loaded image gets, one `NAME:TAG` a line (the `oci_load` macro also takes a list)."),
        "_docker_archive": attr.label(default = "//oci/private:docker_archive", executable = True, cfg = "exec"),
        "_docker_archive_run": attr.label(default = "//oci/private:docker_archive", executable = True, cfg = "target"),
    },
    toolchains = [config_common.toolchain_type(_ZSTD, mandatory = False)],
)
