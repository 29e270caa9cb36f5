"""Public API: the `oci` module extension (bzlmod), rules_oci's `oci.pull` shape.

    oci = use_extension("@mlimage//oci:extensions.bzl", "oci")
    oci.pull(
        name = "distroless_base",
        image = "registry.example.com/base/distroless",
        digest = "sha256:...",
        platform = "linux/amd64",  # when the digest is an index's
    )
    use_repo(oci, "distroless_base")

`@distroless_base` is then an image layout for `oci_image(base = ...)`.
Unlike rules_oci's, a pull is always pinned by digest (no `tag`) and names
one `platform`, not a list.
"""

load("//oci/private:pull.bzl", "oci_pull")

def _oci_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.pull:
            oci_pull(
                name = tag.name,
                digest = tag.digest,
                image = tag.image,
                insecure = tag.insecure,
                platform = tag.platform,
            )

oci = module_extension(
    implementation = _oci_impl,
    doc = "Images from registries, pinned by digest (`oci.pull`).",
    tag_classes = {
        "pull": tag_class(
            doc = "An image pulled by crane at fetch time, pinned by digest: `@<name>//:<name>` is its layout.",
            attrs = {
                "digest": attr.string(mandatory = True, doc = "The pinned digest, `sha256:...`: of the image, or of an index (with `platform`)."),
                "image": attr.string(mandatory = True, doc = "The repository, `registry/path` (no tag, no digest)."),
                "insecure": attr.bool(doc = "Allow plain HTTP (a registry on loopback)."),
                "name": attr.string(mandatory = True, doc = "The repository's name."),
                "platform": attr.string(doc = "`os/arch[/variant]` to pull from an index."),
            },
        ),
    },
)
