"""oci_push: push an OCI layout to a registry with crane, by digest, then tag it."""

_DOC = """`bazel run` pushes the image to `repository` by its digest (crane, from the
registered `//oci:crane_toolchain_type`), then points each of `remote_tags` at
that digest. A second push of an unchanged image uploads no layer the
registry already has.

At run time, `--repository REPO` replaces the repository and each
`--tag TAG` (or `-t TAG`) adds a tag:

    bazel run //:image_push -- --repository registry.example.com/team/app --tag v2
"""

def _runfile(f):
    """A file's path below the runfiles directory (`_main/...`, `<repo>/...`)."""
    if f.short_path.startswith("../"):
        return f.short_path[len("../"):]
    return "_main/" + f.short_path

def _oci_push_impl(ctx):
    if bool(ctx.attr.repository) == bool(ctx.file.repository_file):
        fail("oci_push %s: give exactly one of repository and repository_file" % ctx.label)
    layout = ctx.file.image
    toolchain = ctx.toolchains["//oci:crane_toolchain_type"]
    crane = toolchain.executable
    files = [layout, crane]
    if ctx.file.repository_file:
        repository = '$(tr -d "[:space:]" < "$runfiles/%s")' % _runfile(ctx.file.repository_file)
        files.append(ctx.file.repository_file)
    else:
        repository = "'%s'" % ctx.attr.repository
    digest = ctx.attr.image[OutputGroupInfo].digest.to_list()[0] if OutputGroupInfo in ctx.attr.image and hasattr(ctx.attr.image[OutputGroupInfo], "digest") else None
    if digest == None:
        fail("oci_push %s: image %s must be an oci_image (its digest output group names what to push)" % (ctx.label, ctx.attr.image.label))
    files.append(digest)
    tags_file = ""
    if ctx.file.remote_tags:
        tags_file = _runfile(ctx.file.remote_tags)
        files.append(ctx.file.remote_tags)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
# Pushes {layout} by digest, then tags it.
set -euo pipefail
runfiles="${{RUNFILES_DIR:-$0.runfiles}}"
crane="$runfiles/{crane}"
layout="$runfiles/{layout}"
repository={repository}
tags=()
if [[ -n "{tags_file}" ]]; then
  while IFS= read -r tag || [[ -n "$tag" ]]; do
    [[ -n "$tag" ]] && tags+=("$tag")
  done < "$runfiles/{tags_file}"
fi
while (( $# )); do
  case "$1" in
    --repository) repository=$2; shift 2 ;;
    --repository=*) repository=${{1#--repository=}}; shift ;;
    -t | --tag) tags+=("$2"); shift 2 ;;
    --tag=*) tags+=("${{1#--tag=}}"); shift ;;
    *) echo "oci_push: unknown argument '$1' (use --repository REPO and --tag TAG)" >&2; exit 2 ;;
  esac
done
digest=$(cat "$runfiles/{digest}")
"$crane" push "$layout" "$repository@$digest"
for tag in "${{tags[@]}}"; do
  "$crane" tag "$repository@$digest" "$tag"
done
echo "$repository@$digest"
""".format(
        layout = _runfile(layout),
        crane = _runfile(crane),
        repository = repository,
        tags_file = tags_file,
        digest = _runfile(digest),
    ))
    runfiles = ctx.runfiles(files = files).merge(toolchain.runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

oci_push_rule = rule(
    implementation = _oci_push_impl,
    doc = _DOC,
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image."),
        "remote_tags": attr.label(allow_single_file = True, doc = "A file of tags, one a line (the `oci_push` macro also takes a list)."),
        "repository": attr.string(doc = "The repository, e.g. registry.example.com/team/service; or give repository_file."),
        "repository_file": attr.label(allow_single_file = True, doc = "A file holding the repository (e.g. one a rule writes)."),
    },
    toolchains = ["//oci:crane_toolchain_type"],
)
