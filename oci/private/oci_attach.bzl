"""oci_attach: an image's layout with files attached to it as OCI 1.1 artifact manifests."""

load(":providers.bzl", "OciAttachInfo")

def _oci_attach_impl(ctx):
    image = ctx.file.image
    out = ctx.actions.declare_directory(ctx.label.name)
    referrers = ctx.actions.declare_file(ctx.label.name + ".referrers.json")
    args = ctx.actions.args()
    args.add("--image", image.path)
    args.add("--out", out.path)
    args.add("--referrers", referrers.path)
    for target, artifact_type in ctx.attr.artifacts.items():
        files = target[DefaultInfo].files.to_list()
        if len(files) != 1:
            fail("oci_attach %s: %s must be one file, not %d" % (ctx.label, target.label, len(files)))
        args.add("--artifact", "%s=%s" % (files[0].path, artifact_type))
    ctx.actions.run(
        executable = ctx.executable._attach,
        arguments = [args],
        inputs = [image] + ctx.files.artifacts,
        outputs = [out, referrers],
        mnemonic = "OciAttach",
        progress_message = "Attaching %d files to %s" % (len(ctx.attr.artifacts), ctx.attr.image.label),
    )

    # The image's blobs are links into its layout: whoever runs the attached
    # layout needs that layout's runfiles too.
    runfiles = ctx.runfiles(files = [out, referrers]).merge(ctx.attr.image[DefaultInfo].default_runfiles)
    digest = ctx.attr.image[OutputGroupInfo].digest
    return [
        DefaultInfo(files = depset([out]), runfiles = runfiles),
        OutputGroupInfo(digest = digest, referrers = depset([referrers])),
        OciAttachInfo(image = image, referrers = referrers),
    ]

oci_attach = rule(
    implementation = _oci_attach_impl,
    doc = """An OCI layout holding `image` and, for each of `artifacts`, an artifact
manifest (image-spec 1.1) whose `subject` is the image: its `artifactType`
as given, the empty config, and the file as its one layer, titled with the
file's name. The image's blobs are links to its layout's, never copies.
`index.json` lists the image first, then each attachment, so
`oras discover --oci-layout <layout>@<digest>` lists them, and `oci_push`
given this layout pushes the image, then its attachments (`oras cp
--recursive`: the registry's referrers API, or the referrers tag
`sha256-<hex>` where it has none). The `referrers` output group is a JSON
record of the image's digest and each attachment's digest, type and title.

    oci_attach(
        name = "image_attached",
        image = ":image_layout",
        artifacts = {
            ":image_sbom_spdx": "application/spdx+json",
            ":image_provenance": "application/vnd.in-toto+json",
        },
    )
""",
    attrs = {
        "artifacts": attr.label_keyed_string_dict(mandatory = True, allow_files = True, doc = "Each file to attach -> its artifact type (a media type, e.g. `application/spdx+json`)."),
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "An oci_image (one manifest; not an index)."),
        "_attach": attr.label(default = "//oci/private:attach", executable = True, cfg = "exec"),
    },
)
