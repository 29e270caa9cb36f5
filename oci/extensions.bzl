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
With `platforms = ["linux/amd64", "linux/arm64"]` (a pinned index), each
platform is pulled into `@<name>_linux_amd64`, ... and `@<name>` selects the
one for the target platform, as rules_oci's does. Unlike rules_oci's, a pull
is always pinned by digest: `tag` alone fails, saying the digest the tag
names now, so that it can be pinned (beside the digest it is a note).

The extension also makes the repositories whose targets genrules written for
rules_oci, aspect_bazel_lib and tar.bzl name in `toolchains`, each a program
from pinned Debian .debs as a Make variable:

    use_repo(oci, "bsd_tar_toolchains", "jq_toolchains", "oci_cosign_toolchains", "oci_crane_toolchains")

| target | variable |
| --- | --- |
| `@jq_toolchains//:resolved_toolchain` | `$(JQ_BIN)` |
| `@bsd_tar_toolchains//:resolved_toolchain` | `$(BSDTAR_BIN)` |
| `@oci_crane_toolchains//:current_toolchain` | `$(CRANE_BIN)` |
| `@oci_cosign_toolchains//:current_toolchain` | `$(COSIGN_BIN)` |
"""

load("//oci/private:make_variable_repository.bzl", "make_variable_repository")
load("//oci/private:pull.bzl", "oci_pull", "oci_pull_platforms", "platform_constraints", "platform_repository_name")

# Repository -> {target: the //oci make_variable_tool it stands for}.
_MAKE_VARIABLE_REPOSITORIES = {
    "bsd_tar_toolchains": {"resolved_toolchain": Label("//oci:bsdtar_make_variable")},
    "jq_toolchains": {"resolved_toolchain": Label("//oci:jq_make_variable")},
    "oci_cosign_toolchains": {"current_toolchain": Label("//oci:cosign_make_variable")},
    "oci_crane_toolchains": {"current_toolchain": Label("//oci:crane_make_variable")},
}

def _oci_impl(mctx):
    for name, targets in _MAKE_VARIABLE_REPOSITORIES.items():
        make_variable_repository(name = name, targets = {target: str(label) for target, label in targets.items()})
    for mod in mctx.modules:
        for tag in mod.tags.pull:
            if tag.platform and tag.platforms:
                fail("oci.pull %s: give platform or platforms, not both" % tag.name)
            if not tag.platforms:
                oci_pull(
                    name = tag.name,
                    digest = tag.digest,
                    image = tag.image,
                    insecure = tag.insecure,
                    platform = tag.platform,
                    tag = tag.tag,
                )
                continue
            if not tag.digest:
                fail("oci.pull %s: platforms needs the pinned digest of an index" % tag.name)
            per_platform = {}
            for platform in tag.platforms:
                platform_constraints(platform)  # fails on one it cannot place
                repository = platform_repository_name(tag.name, platform)
                oci_pull(
                    name = repository,
                    digest = tag.digest,
                    image = tag.image,
                    insecure = tag.insecure,
                    platform = platform,
                    tag = tag.tag,
                )
                per_platform[platform] = "@%s//:%s" % (repository, repository)
            oci_pull_platforms(name = tag.name, digest = tag.digest, image = tag.image, platforms = per_platform)

oci = module_extension(
    implementation = _oci_impl,
    doc = "Images from registries, pinned by digest (`oci.pull`); programs as Make variables for genrules.",
    tag_classes = {
        "pull": tag_class(
            doc = "An image pulled by crane at fetch time, pinned by digest: `@<name>//:<name>` is its layout.",
            attrs = {
                "digest": attr.string(doc = "The pinned digest, `sha256:...`: of the image, or of an index (with `platform` or `platforms`). Without it the pull fails, naming the digest `tag` points at now."),
                "image": attr.string(mandatory = True, doc = "The repository, `registry/path` (no tag, no digest)."),
                "insecure": attr.bool(doc = "Allow plain HTTP (a registry on loopback)."),
                "name": attr.string(mandatory = True, doc = "The repository's name."),
                "platform": attr.string(doc = "`os/arch[/variant]` to pull from an index."),
                "platforms": attr.string_list(doc = "`os/arch[/variant]`s to pull from an index, each its own repository; `@<name>` selects by the target platform."),
                "tag": attr.string(doc = "The tag the digest was taken from (a note); alone, the pull fails with the digest to pin."),
            },
        ),
    },
)
