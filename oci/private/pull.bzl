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

def _check_tag(tag):
    if not tag or len(tag) > 128 or tag.startswith((".", "-")) or [c for c in tag.elems() if not (c.isalnum() or c in "_.-")]:
        fail("oci_pull: tag %r is not a tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})" % tag)

def _oci_pull_impl(rctx):
    image = rctx.attr.image
    digest = rctx.attr.digest
    _check_reference(image)
    if not digest:
        # A tag moves; a build on it would not be reproducible. Say what it
        # names now, so that the user can pin it.
        if not rctx.attr.tag:
            fail("oci_pull %s: give digest (a tag alone is not pinned)" % _short(rctx))
        _check_tag(rctx.attr.tag)
        tagged = "%s:%s" % (image, rctx.attr.tag)
        now = _crane(rctx, ["digest"] + (["--insecure"] if rctx.attr.insecure else []) + [tagged], "resolving the tag").strip()
        fail("oci_pull %s: %s is not pinned; it names %s now. Pin it: digest = \"%s\" (the tag may stay, as a note)" % (_short(rctx), tagged, now, now))
    if rctx.attr.tag:
        _check_tag(rctx.attr.tag)
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

# {ref}{platform}{tag}, pulled by crane; blobs checked against their digests.
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
        tag = " (tag %s when pinned)" % rctx.attr.tag if rctx.attr.tag else "",
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
one the index lists for that platform. `tag` without `digest` fails, saying the
digest the tag names now, so that it can be pinned.""",
    attrs = {
        "digest": attr.string(doc = "The pinned digest, `sha256:...`: of the image, or of an index (with `platform`)."),
        "image": attr.string(mandatory = True, doc = "The repository, `registry/path` (no tag, no digest)."),
        "insecure": attr.bool(doc = "Allow plain HTTP and unverified TLS (a registry on loopback)."),
        "platform": attr.string(doc = "`os/arch[/variant]` to pull from an index."),
        "tag": attr.string(doc = "The tag the digest was taken from: a note beside `digest`; alone, the pull fails with the digest to pin."),
        "timeout": attr.int(default = 3600, doc = "Seconds the pull may take."),
    },
)

# os/arch -> the @platforms constraints a platform of that kind has.
_OS = {"linux": "@platforms//os:linux", "windows": "@platforms//os:windows"}
_CPU = {
    "386": "@platforms//cpu:x86_32",
    "amd64": "@platforms//cpu:x86_64",
    "arm": "@platforms//cpu:armv7",
    "arm64": "@platforms//cpu:arm64",
    "ppc64le": "@platforms//cpu:ppc64le",
    "riscv64": "@platforms//cpu:riscv64",
    "s390x": "@platforms//cpu:s390x",
}

def platform_repository_name(name, platform):
    """`debian` and `linux/arm64/v8` -> `debian_linux_arm64_v8`: one platform's repository."""
    return name + "_" + platform.replace("/", "_")

def platform_constraints(platform):
    """`linux/arm64[/v8]` -> its @platforms constraints; fails naming what it cannot place."""
    parts = platform.split("/")
    if len(parts) not in (2, 3) or parts[0] not in _OS or parts[1] not in _CPU:
        fail("oci.pull: platform %r is not os/arch[/variant] with os in %s and arch in %s" % (platform, sorted(_OS), sorted(_CPU)))
    return [_OS[parts[0]], _CPU[parts[1]]]

def _oci_pull_platforms_impl(rctx):
    lines = []
    branches = []
    for platform, repository in rctx.attr.platforms.items():
        setting = platform.replace("/", "_")
        lines.append("""config_setting(
    name = "{setting}",
    constraint_values = {constraints},
)
""".format(setting = setting, constraints = json.encode(platform_constraints(platform))))
        branches.append('        ":%s": "%s",\n' % (setting, repository))
    name = _short(rctx)
    rctx.file("BUILD.bazel", """\
# {image}@{digest}: one pulled image per platform, chosen by the target platform.
{settings}
alias(
    name = "{name}",
    actual = select(
        {{
{branches}        }},
        no_match_error = "@{name} is pulled for {listed} only; the target platform is none of them",
    ),
    visibility = ["//visibility:public"],
)

alias(
    name = "image",
    actual = ":{name}",
    visibility = ["//visibility:public"],
)
""".format(
        image = rctx.attr.image,
        digest = rctx.attr.digest,
        settings = "\n".join(lines),
        name = name,
        branches = "".join(branches),
        listed = ", ".join(rctx.attr.platforms.keys()),
    ))

oci_pull_platforms = repository_rule(
    implementation = _oci_pull_platforms_impl,
    doc = "`@<name>//:<name>`: the image of a pulled index for the target platform (rules_oci's `platforms`).",
    attrs = {
        "digest": attr.string(mandatory = True, doc = "The index's pinned digest."),
        "image": attr.string(mandatory = True, doc = "The repository it came from."),
        "platforms": attr.string_dict(mandatory = True, doc = "`os/arch[/variant]` -> the label of that platform's pulled layout."),
    },
)
