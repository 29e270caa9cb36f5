"""oci_push: push an OCI layout to a registry with crane, by digest, then tag it."""

load(":providers.bzl", "OciAttachInfo")
load(":runfiles.bzl", "runfile")

_DOC = """`bazel run` pushes the image, or the image index, to `repository` by its
digest (crane, from the registered `//oci:crane_toolchain_type`), then points
each of `remote_tags` at that digest. A second push of an unchanged image
uploads no layer the registry already has.

At run time, as rules_oci's: `-r`/`--repository REPO` replaces the repository
(which may then be left out of the BUILD file), each `-t`/`--tag TAG` adds a
tag, `--insecure`, `--allow-nondistributable-artifacts`, `-v`/`--verbose`
and `--platform P` go to every crane call, and any other argument goes to
`crane push`:

    bazel run //:image_push -- --repository registry.example.com/team/app --tag v2

Given an `oci_attach` layout as `image`, it pushes the image, then its
attachments (`oras cp --recursive`: each artifact manifest by the registry's
referrers API, or, where the registry has none, listed in the referrers tag
`sha256-<hex>` as OCI distribution-spec 1.1 says).

`--sign-key PATH` signs what was pushed (the image and each attachment, by
digest) with cosign's key format, offline, with no transparency log: the
signature is the `sha256-<hex>.sig` tag that `cosign verify --key` and a
containers `policy.json` `sigstoreSigned` requirement read. The password
comes from `COSIGN_PASSWORD`, cosign's convention. The key is opened first:
a missing file, another format or a wrong password stops the run before
anything is pushed, naming the file. The key and the password are read at
run time only: neither is a Bazel input, a cache entry or a log line.

    COSIGN_PASSWORD=... bazel run //:image_push -- --repository R --sign-key cosign.key
"""

def check_repository(kind, label, repository):
    """rules_oci's rule: a repository, without a tag or a digest (`kind`: the rule, for the message)."""
    last = repository.rsplit("/", 1)[-1]
    if "@" in repository or ":" in last:
        fail("%s %s: repository %r has a tag or digest; give the repository only (tags go in remote_tags)" % (kind, label, repository))
    if any([c.isspace() or c in "'\"$`\\" for c in repository.elems()]):
        fail("%s %s: repository %r has a character a repository cannot" % (kind, label, repository))

def _oci_push_impl(ctx):
    if ctx.attr.repository and ctx.file.repository_file:
        fail("oci_push %s: give at most one of repository and repository_file" % ctx.label)
    attached = ctx.attr.image[OciAttachInfo] if OciAttachInfo in ctx.attr.image else None
    layout = attached.image if attached else ctx.file.image
    toolchain = ctx.toolchains["//oci:crane_toolchain_type"]
    crane = toolchain.executable
    oras = ctx.file._oras
    cosign = ctx.file._cosign
    check_key = ctx.executable._signing_key
    files = [layout, crane, cosign, oras]
    if attached:
        files += [ctx.file.image, attached.referrers]
    repository_file = ""
    if ctx.file.repository_file:
        repository_file = runfile(ctx.file.repository_file)
        files.append(ctx.file.repository_file)
    if ctx.attr.repository:
        check_repository("oci_push", ctx.label, ctx.attr.repository)
    digest = ctx.attr.image[OutputGroupInfo].digest.to_list()[0] if OutputGroupInfo in ctx.attr.image and hasattr(ctx.attr.image[OutputGroupInfo], "digest") else None
    if digest == None:
        fail("oci_push %s: image %s must be an oci_image or oci_image_index (its digest output group names what to push)" % (ctx.label, ctx.attr.image.label))
    files.append(digest)
    tags_file = ""
    if ctx.file.remote_tags:
        tags_file = runfile(ctx.file.remote_tags)
        files.append(ctx.file.remote_tags)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
# Pushes {layout} by digest, then tags it.
set -euo pipefail
runfiles="${{RUNFILES_DIR:-$0.runfiles}}"
crane="$runfiles/{crane}"
cosign="$runfiles/{cosign}"
layout="$runfiles/{layout}"
sign_key=
repository='{repository}'
if [[ -n "{repository_file}" ]]; then
  repository=$(tr -d "[:space:]" < "$runfiles/{repository_file}")
fi
tags=()
if [[ -n "{tags_file}" ]]; then
  while IFS= read -r tag || [[ -n "$tag" ]]; do
    [[ -n "$tag" ]] && tags+=("$tag")
  done < "$runfiles/{tags_file}"
fi
global=()
push_args=()
while (( $# )); do
  case "$1" in
    -r | --repository) repository=$2; shift 2 ;;
    --repository=*) repository=${{1#--repository=}}; shift ;;
    -t | --tag) tags+=("$2"); shift 2 ;;
    --tag=*) tags+=("${{1#--tag=}}"); shift ;;
    --insecure | --allow-nondistributable-artifacts | -v | --verbose) global+=("$1"); shift ;;
    --platform) global+=(--platform "$2"); shift 2 ;;
    --platform=*) global+=("$1"); shift ;;
    --sign-key) sign_key=$2; shift 2 ;;
    --sign-key=*) sign_key=${{1#--sign-key=}}; shift ;;
    *) push_args+=("$1"); shift ;;
  esac
done
if [[ -z "$repository" ]]; then
  # rules_oci's words first (scripts grep for them), then where to set it.
  echo "ERROR: repository not set. Please pass --repository flag." >&2
  echo "oci_push: no repository: set repository or repository_file, or pass --repository REPO" >&2
  exit 2
fi
digest=$(cat "$runfiles/{digest}")
if [[ -n "$sign_key" ]]; then
  # `bazel run` starts in the runfiles: a relative key is the caller's.
  if [[ "$sign_key" != /* ]]; then sign_key="${{BUILD_WORKING_DIRECTORY:-$PWD}}/$sign_key"; fi
  (unset PYTHONHOME PYTHONPATH PYTHONSAFEPATH; "$runfiles/{check_key}" --cosign "$cosign" "$sign_key")
fi
"$crane" push "${{global[@]}}" "$layout" "$repository@$digest" "${{push_args[@]}}"
signed=("$digest")
if [[ -n "{attached}" ]]; then
  echo "oci_push: attaching $(grep -c '"artifactType"' "$runfiles/{referrers}") files to $repository@$digest (oras cp --recursive)" >&2
  plain=()
  case "$repository" in
    localhost[:/]* | 127.0.0.1[:/]* | "[::1]"[:/]*) plain=(--to-plain-http) ;;
  esac
  for flag in "${{global[@]}}"; do
    if [[ "$flag" == --insecure ]]; then plain=(--to-plain-http); fi
  done
  "$runfiles/{oras}" cp --recursive "${{plain[@]}}" --from-oci-layout \\
    "$runfiles/{attached}@$digest" "$repository@$digest" >&2
  while read -r referrer; do signed+=("$referrer"); done < <(
    sed -n 's/.*"digest": "\\(sha256:[0-9a-f]\\{{64\\}}\\)".*/\\1/p' "$runfiles/{referrers}")
fi
for tag in "${{tags[@]}}"; do
  "$crane" tag "${{global[@]}}" "$repository@$digest" "$tag"
done
if [[ -n "$sign_key" ]]; then
  insecure=()
  for flag in "${{global[@]}}"; do
    if [[ "$flag" == --insecure ]]; then insecure+=(--allow-insecure-registry); fi
  done
  for signed_digest in "${{signed[@]}}"; do
    echo "oci_push: signing $repository@$signed_digest" >&2
    # The signature as a `.sig` tag (--new-bundle-format=false): the form
    # containers' sigstoreSigned policy reads; offline, with no transparency
    # log. cosign's notes that these flags are deprecated are dropped;
    # anything else it says is passed on.
    "$cosign" sign --yes --key "$sign_key" --tlog-upload=false --use-signing-config=false \\
      --new-bundle-format=false "${{insecure[@]}}" "$repository@$signed_digest" 2>&1 |
      {{ grep -v -e '^Flag --[a-z-]* has been deprecated' || true; }} >&2
  done
fi
echo "$repository@$digest"
""".format(
        layout = runfile(layout),
        crane = runfile(crane),
        check_key = runfile(check_key),
        oras = runfile(oras),
        attached = runfile(ctx.file.image) if attached else "",
        referrers = runfile(attached.referrers) if attached else "",
        cosign = runfile(cosign),
        repository = ctx.attr.repository,
        repository_file = repository_file,
        tags_file = tags_file,
        digest = runfile(digest),
    ))
    runfiles = ctx.runfiles(files = files).merge(toolchain.runfiles)
    runfiles = runfiles.merge(ctx.attr.image[DefaultInfo].default_runfiles)
    runfiles = runfiles.merge(ctx.attr._signing_key[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

oci_push_rule = rule(
    implementation = _oci_push_impl,
    doc = _DOC,
    executable = True,
    attrs = {
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image, an oci_image_index, or an oci_attach (the image and its attachments)."),
        "remote_tags": attr.label(allow_single_file = True, doc = "A file of tags, one a line (the `oci_push` macro also takes a list)."),
        "repository": attr.string(doc = "The repository, e.g. registry.example.com/team/service, without a tag or digest; or give repository_file, or `--repository` at run time."),
        "repository_file": attr.label(allow_single_file = True, doc = "A file holding the repository (e.g. one a stamped rule writes); `--repository` at run time replaces it."),
        "_cosign": attr.label(default = "@cosign_root//:root/usr/bin/cosign", allow_single_file = True, executable = True, cfg = "target"),
        "_oras": attr.label(default = "@oras_root//:root/usr/bin/oras", allow_single_file = True, executable = True, cfg = "target"),
        "_signing_key": attr.label(default = "//oci/private:signing_key", executable = True, cfg = "target"),
    },
    toolchains = ["//oci:crane_toolchain_type"],
)

_PUSH_ALL_DOC = """`bazel run` pushes every image of `images` to `registry`, concurrently,
each by digest under `<registry>/<name>`: an image the registry already holds
is skipped (nothing sent), a changed one sends only the blobs the registry
lacks. A table then says, per image, its digest, `pushed` / `unchanged` /
`failed` and the bytes sent; it exits 1 when a push failed. A monorepo's CI
runs it once for every service (rules_img's `multi_deploy`).

    bazel run //:push_all -- --registry registry.example.com/team [--tag v2] [--report out.json]
"""

def _oci_push_all_impl(ctx):
    toolchain = ctx.toolchains["//oci:crane_toolchain_type"]
    crane = toolchain.executable
    tool = ctx.executable._push_all
    files = [crane, tool]
    images = []
    names = {}
    for target, name in ctx.attr.images.items():
        if name in names:
            fail("oci_push_all %s: two images are named %r" % (ctx.label, name))
        names[name] = True
        layout = target[DefaultInfo].files.to_list()
        if len(layout) != 1:
            fail("oci_push_all %s: %s must be an oci_image (one layout directory)" % (ctx.label, target.label))
        files.append(layout[0])
        images.append('"%s=$runfiles/%s"' % (name, runfile(layout[0])))
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
# Pushes every image of {label} by digest, concurrently.
set -euo pipefail
# `bazel run` gives RUNFILES_DIR or $0.runfiles; a test that runs this as its
# data gives its own runfiles (TEST_SRCDIR), which hold this script's.
runfiles="${{RUNFILES_DIR:-}}"
if [[ -z "$runfiles" && -d "$0.runfiles" ]]; then runfiles="$0.runfiles"; fi
runfiles="${{runfiles:-${{TEST_SRCDIR:-}}}}"
if [[ -z "$runfiles" ]]; then
  echo "oci_push_all: no runfiles for $0 (run it with bazel run)" >&2
  exit 2
fi
export RUNFILES_DIR="$runfiles"
registry='{registry}'
args=()
while (( $# )); do
  case "$1" in
    --registry) registry=$2; shift 2 ;;
    --registry=*) registry=${{1#--registry=}}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z "$registry" ]]; then
  echo "oci_push_all: give --registry REGISTRY[/PREFIX]" >&2
  exit 2
fi
# The tool runs on its own interpreter: nothing of a calling Python's
# environment (a test's PYTHONHOME would send its launcher elsewhere).
unset PYTHONHOME PYTHONPATH PYTHONSAFEPATH
exec "$runfiles/{tool}" --crane "$runfiles/{crane}" --registry "$registry" \\
  --jobs {jobs} {tags} "${{args[@]}}" {images}
""".format(
        label = ctx.label,
        registry = ctx.attr.registry,
        tool = runfile(tool),
        crane = runfile(crane),
        jobs = ctx.attr.jobs,
        tags = " ".join(["--tag '%s'" % t for t in ctx.attr.remote_tags]),
        images = " ".join(images),
    ))
    runfiles = ctx.runfiles(files = files).merge(toolchain.runfiles)
    runfiles = runfiles.merge(ctx.attr._push_all[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

oci_push_all = rule(
    implementation = _oci_push_all_impl,
    doc = _PUSH_ALL_DOC,
    executable = True,
    attrs = {
        "images": attr.label_keyed_string_dict(mandatory = True, allow_files = True, doc = "oci_image -> its repository's name under `registry` (e.g. `{\"//:image_layout\": \"embedding-service\"}`)."),
        "jobs": attr.int(default = 4, doc = "Pushes at a time."),
        "registry": attr.string(doc = "REGISTRY[/PREFIX] the images go under; `--registry` at run time replaces it."),
        "remote_tags": attr.string_list(doc = "Tags to point at each pushed digest."),
        "_push_all": attr.label(default = "//oci/private:push_all", executable = True, cfg = "target"),
    },
    toolchains = ["//oci:crane_toolchain_type"],
)
