"""cosign_sign and cosign_attest: an image signed, or attested, at a registry by its digest (`//oci:cosign.bzl`)."""

load(":oci_push.bzl", "check_repository")
load(":runfiles.bzl", "RUNFILES_PRELUDE", "runfile", "shell_quote")

_PREDICATE_TYPES = ["slsaprovenance", "slsaprovenance02", "slsaprovenance1", "link", "spdx", "spdxjson", "cyclonedx", "vuln", "openvex", "custom"]

def _cosign_script(ctx, kind, command, fixed_args, files):
    """The program: cosign COMMAND REPOSITORY@DIGEST, the repository given or at run time."""
    if ctx.attr.repository:
        check_repository(kind, ctx.label, ctx.attr.repository)
    cosign = ctx.file._cosign
    jq = ctx.attr._jq[DefaultInfo].files_to_run.executable
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, is_executable = True, content = """\
#!/usr/bin/env bash
# cosign {command} of {image}, by its digest, at a repository ({kind}). Keys,
# passwords (COSIGN_PASSWORD) and cosign's other flags come at run time only:
# they are never inputs of the build.
set -euo pipefail
{prelude}runfiles=$RUNFILES_DIR
layout="$runfiles/{layout}"
mapfile -t digests < <("$runfiles/{jq}" -r '.manifests[].digest' "$layout/index.json")
if (( ${{#digests[@]}} != 1 )); then
  echo "{kind}: $layout/index.json lists ${{#digests[@]}} manifests; expected one image or index" >&2
  exit 1
fi
repository={repository}
args=()
while (( $# )); do
  case "$1" in
    -r | --repository) repository=$2; shift 2 ;;
    --repository=*) repository=${{1#--repository=}}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z "$repository" ]]; then
  echo "ERROR: repository not set. Please pass --repository flag or set the 'repository' attribute in the rule." >&2
  exit 1
fi
last=${{repository##*/}}
if [[ "$repository" == *@* || "$last" == *:* ]]; then
  echo "{kind}: repository $repository has a tag or digest; give the repository only (cosign works on the digest)" >&2
  exit 1
fi
exec "$runfiles/{cosign}" {command} {fixed} "$repository@${{digests[0]}}" ${{args[@]+"${{args[@]}}"}}
""".format(
        command = command,
        prelude = RUNFILES_PRELUDE,
        kind = kind,
        image = ctx.attr.image.label,
        layout = runfile(ctx.file.image),
        jq = runfile(jq),
        cosign = runfile(cosign),
        repository = shell_quote(ctx.attr.repository),
        fixed = " ".join(fixed_args),
    ))
    runfiles = ctx.runfiles(files = [ctx.file.image, cosign, jq] + files)
    runfiles = runfiles.merge_all([
        ctx.attr.image[DefaultInfo].default_runfiles,
        ctx.attr._jq[DefaultInfo].default_runfiles,
    ])
    return [DefaultInfo(executable = script, runfiles = runfiles)]

_COMMON_ATTRS = {
    "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image or oci_image_index (a layout whose index.json lists one manifest)."),
    "repository": attr.string(doc = "The repository it is pushed to, e.g. `registry.example.com/team/app`, no tag or digest; or `--repository` at run time (which wins)."),
    "_cosign": attr.label(default = "@cosign_root//:root/usr/bin/cosign", allow_single_file = True, executable = True, cfg = "target"),
    "_jq": attr.label(default = "@jq", executable = True, cfg = "target"),
}

def _cosign_sign_impl(ctx):
    return _cosign_script(ctx, "cosign_sign", "sign", [], [])

cosign_sign = rule(
    implementation = _cosign_sign_impl,
    executable = True,
    doc = """`bazel run` signs the image at a registry, by its digest: rules_oci's
`cosign_sign`. The image must be pushed there (`oci_push`) before or after:
the signature names the digest. cosign (a pinned sid .deb) does the work;
everything after `--` goes to `cosign sign` (`--key`, `--tlog-upload=false`,
...), with `COSIGN_PASSWORD` from the environment, never from the build.

    bazel run //app:sign -- --repository registry.example.com/team/app --key cosign.key
""",
    attrs = _COMMON_ATTRS,
)

def _cosign_attest_impl(ctx):
    predicate = ctx.file.predicate
    fixed = ['--predicate "$runfiles/%s"' % runfile(predicate), "--type " + ctx.attr.type]
    return _cosign_script(ctx, "cosign_attest", "attest", fixed, [predicate])

cosign_attest = rule(
    implementation = _cosign_attest_impl,
    executable = True,
    doc = """`bazel run` attaches `predicate` (an SBOM, a provenance statement) to the
image at a registry as a signed in-toto attestation of `type`: rules_oci's
`cosign_attest`, run as `cosign_sign` is.""",
    attrs = _COMMON_ATTRS | {
        "predicate": attr.label(mandatory = True, allow_single_file = True, doc = "The predicate file (e.g. an SPDX JSON SBOM)."),
        "type": attr.string(mandatory = True, values = _PREDICATE_TYPES, doc = "The predicate's type, as cosign names it."),
    },
)
