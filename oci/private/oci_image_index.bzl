"""oci_image_index: a multi-platform image index layout from image layouts."""

def _platforms_transition_impl(settings, attr):
    if not attr.platforms:
        # No platforms: the images stay in the index's own configuration.
        return {"": {"//command_line_option:platforms": settings["//command_line_option:platforms"]}}
    return {
        str(platform): {"//command_line_option:platforms": str(platform)}
        for platform in attr.platforms
    }

_platforms_transition = transition(
    implementation = _platforms_transition_impl,
    inputs = ["//command_line_option:platforms"],
    outputs = ["//command_line_option:platforms"],
)

def _oci_image_index_impl(ctx):
    layouts = []
    if ctx.attr.platforms:
        for platform in ctx.attr.platforms:
            images = ctx.split_attr.images[str(platform.label)]
            if len(images) != 1:
                fail("images: with `platforms`, give exactly one image (it is built once per platform), not %d" % len(images))
            layouts += images[0].files.to_list()
    else:
        layouts = ctx.files.images
    for layout in layouts:
        if not layout.is_directory:
            fail("images: %s is not an image layout directory (an oci_image target)" % layout.short_path)
    out = ctx.actions.declare_directory(ctx.label.name)
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    args = ctx.actions.args()
    args.add("--out", out.path)
    args.add("--digest-out", digest.path)
    for layout in layouts:
        args.add("--image", layout.path)
    inputs = list(layouts)
    if ctx.file.annotations:
        args.add("--annotations-file", ctx.file.annotations)
        inputs.append(ctx.file.annotations)
    ctx.actions.run(
        executable = ctx.executable._image_index,
        arguments = [args],
        inputs = inputs,
        outputs = [out, digest],
        mnemonic = "OciImageIndex",
        progress_message = "Assembling OCI image index %{label}",
    )
    return [
        # The index's blobs link into the image layouts, and theirs further.
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out] + layouts).merge_all([
            image[DefaultInfo].default_runfiles
            for image in ctx.attr.images
        ])),
        OutputGroupInfo(digest = depset([digest])),
    ]

oci_image_index_rule = rule(
    implementation = _oci_image_index_impl,
    doc = """An OCI image index layout: one image manifest per platform, as rules_oci's.

The layout's `index.json` holds one descriptor, of the index blob; the index
lists each image's manifest with the platform its config names. Blobs are
relative symbolic links into the image layouts, never copies. Without
`platforms`, `images` are listed as they are; with `platforms`, the one
image is built once for each platform (a transition on
`--platforms`), and an `oci_image` without `architecture` or a base takes
its architecture and os from that platform. Two images for one platform are
an error (rules_oci lists both).""",
    attrs = {
        "annotations": attr.label(allow_single_file = True, doc = "A file of annotations on the index blob, one `KEY=VALUE` a line (the `oci_image_index` macro also takes a dict)."),
        "images": attr.label_list(mandatory = True, cfg = _platforms_transition, doc = "oci_image targets, in the order the index lists them; with `platforms`, exactly one."),
        "platforms": attr.label_list(doc = "Platforms to build the one image for, in order (rules_oci marks this experimental; here it is how a multi-architecture image is made)."),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        "_image_index": attr.label(default = "//oci/private:image_index", executable = True, cfg = "exec"),
    },
)
