"""oci_pull: an image from a registry, pinned by digest, as a repository."""

_CRANE_ROOT = Label("@crane_root//:BUILD.bazel")
_LINKED = Label("//oci/private:pulled_layout.bzl")
_DIGEST_CHARS = "0123456789abcdef"

def _check_digest(digest):
    if not digest.startswith("sha256:") or len(digest) != 71 or [c for c in digest[7:].elems() if c not in _DIGEST_CHARS]:
        fail("oci_pull: digest %r is not sha256:<64 hex digits>" % digest)

def _check_reference(image):
    if not image or "@" in image or image.startswith("-") or [c for c in image.elems() if c.isspace() or c in "'\"$`\\;|&<>"]:
        fail("oci_pull: image %r is not a repository (registry/path, no tag or digest)" % image)
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        fail("oci_pull: image %r has a tag; pin it by digest instead (digest = \"sha256:...\")" % image)

def _short(rctx):
    """The repository's apparent name (`pulled_hello`, not its canonical one)."""
    return rctx.attr.name.rpartition("~")[2].rpartition("+")[2]

def _crane(rctx, args, what):
    crane = rctx.path(_CRANE_ROOT).dirname.get_child("root").get_child("usr").get_child("bin").get_child("crane")
    result = rctx.execute([str(crane)] + args, timeout = rctx.attr.timeout)
    if result.return_code != 0:
        fail("oci_pull %s: %s failed (crane %s):\n%s" % (_short(rctx), what, " ".join(args), (result.stderr or result.stdout)[-2000:]))
    return result.stdout

def _oci_pull_impl(rctx):
    image = rctx.attr.image
    digest = rctx.attr.digest
    _check_reference(image)
    _check_digest(digest)
    ref = "%s@%s" % (image, digest)
    args = ["pull", "--format=oci"]
    if rctx.attr.platform:
        args += ["--platform", rctx.attr.platform]
    if rctx.attr.insecure:
        args.append("--insecure")
    rctx.report_progress("pulling %s" % ref)
    _crane(rctx, args + [ref, "layout"], "the pull")

    # crane checks each blob against its digest as it pulls, and a manifest
    # fetched by digest against that digest. What is left to check: that the
    # layout holds the pinned image, or, for a pinned index, the image the
    # index lists for the platform.
    index = json.decode(rctx.read("layout/index.json"))
    manifests = index.get("manifests") or []
    if len(manifests) != 1:
        fail("oci_pull %s: the pulled layout lists %d manifests, expected one" % (_short(rctx), len(manifests)))
    pulled = manifests[0]["digest"]
    if pulled != digest:
        listed = json.decode(_crane(rctx, ["manifest"] + (["--insecure"] if rctx.attr.insecure else []) + [ref], "reading the pinned manifest"))
        entries = [m for m in listed.get("manifests") or [] if m.get("digest") == pulled]
        if not entries:
            fail("oci_pull %s: pulled %s, which %s does not list (is the digest an image index with `platform` unset?)" % (_short(rctx), pulled, ref))
        platform = entries[0].get("platform") or {}
        said = "%s/%s" % (platform.get("os"), platform.get("architecture"))
        if rctx.attr.platform and not (rctx.attr.platform == said or rctx.attr.platform.startswith(said + "/")):
            fail("oci_pull %s: the index lists %s for %s, not for %s" % (_short(rctx), pulled, said, rctx.attr.platform))
    rctx.file("BUILD.bazel", """\
load("{linked}", "pulled_layout")

# {ref}{platform}, pulled by crane; blobs checked against their digests.
pulled_layout(
    name = "{name}",
    srcs = glob(["layout/**"]),
    visibility = ["//visibility:public"],
)

alias(
    name = "image",
    actual = ":{name}",
    visibility = ["//visibility:public"],
)
""".format(
        linked = str(_LINKED),
        ref = ref,
        platform = " for " + rctx.attr.platform if rctx.attr.platform else "",
        name = _short(rctx),
    ))

oci_pull = repository_rule(
    implementation = _oci_pull_impl,
    doc = """An image pulled from a registry by digest, as an OCI layout target.

`@<name>//:<name>` (also `@<name>//:image`) is the layout, for `oci_image(base = ...)`.
crane (a pinned Debian .deb) pulls `image@digest` with the user's own
credentials (docker's config and credential helpers, as crane finds them);
crane checks every blob and the manifest against their digests. A digest of
an image index needs `platform`; the image pulled is then checked to be the
one the index lists for that platform.""",
    attrs = {
        "digest": attr.string(mandatory = True, doc = "The pinned digest, `sha256:...`: of the image, or of an index (with `platform`)."),
        "image": attr.string(mandatory = True, doc = "The repository, `registry/path` (no tag, no digest)."),
        "insecure": attr.bool(doc = "Allow plain HTTP and unverified TLS (a registry on loopback)."),
        "platform": attr.string(doc = "`os/arch[/variant]` to pull from an index."),
        "timeout": attr.int(default = 3600, doc = "Seconds the pull may take."),
    },
)
