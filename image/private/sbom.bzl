"""image_sbom: an image's SBOM, SPDX 2.3 and CycloneDX 1.6 (inventory.py, then sbom.py)."""

def _image_sbom_impl(ctx):
    inventory = ctx.actions.declare_file(ctx.label.name + ".inventory.json")
    ctx.actions.run(
        executable = ctx.executable._inventory,
        arguments = [
            "--layout",
            ctx.file.image.path,
            "--target",
            ctx.attr.target,
            "--debian-lock",
            ctx.file.debian_lock.path,
            "--wheels-lock",
            ctx.file.wheels_lock.path,
            "--python-info",
            ctx.file.python_info.path,
            "--out",
            inventory.path,
        ],
        inputs = [ctx.file.image, ctx.file.debian_lock, ctx.file.wheels_lock, ctx.file.python_info],
        outputs = [inventory],
        mnemonic = "ImageInventory",
        progress_message = "Listing what %{label} holds against its locks",
    )
    spdx = ctx.actions.declare_file(ctx.label.name + ".spdx.json")
    cyclonedx = ctx.actions.declare_file(ctx.label.name + ".cdx.json")
    ctx.actions.run(
        executable = ctx.executable._sbom,
        arguments = ["--inventory", inventory.path, "--spdx", spdx.path, "--cyclonedx", cyclonedx.path],
        inputs = [inventory],
        outputs = [spdx, cyclonedx],
        mnemonic = "ImageSbom",
        progress_message = "Writing the SBOMs of %{label}",
    )
    return [
        DefaultInfo(files = depset([spdx, cyclonedx])),
        OutputGroupInfo(cyclonedx = depset([cyclonedx]), inventory = depset([inventory]), spdx = depset([spdx])),
    ]

image_sbom = rule(
    implementation = _image_sbom_impl,
    doc = """`<name>.spdx.json` (SPDX 2.3) and `<name>.cdx.json` (CycloneDX 1.6): every
Debian package (status.d) and Python distribution (site-packages) the image
holds, each with its lock's sha256 and URL, the interpreter, each layer, the
image's digest as the subject. Anything the image holds that its locks do
not pin stops the build, named.""",
    attrs = {
        "debian_lock": attr.label(mandatory = True, allow_single_file = [".json"], doc = "The Debian lock its roots come from."),
        "image": attr.label(mandatory = True, allow_single_file = True, doc = "The image's OCI layout."),
        "python_info": attr.label(mandatory = True, allow_single_file = [".json"], doc = "The interpreter's facts (python.json)."),
        "target": attr.string(mandatory = True, doc = "The image's label."),
        "wheels_lock": attr.label(mandatory = True, allow_single_file = [".json"], doc = "The stack's wheel map."),
        "_inventory": attr.label(default = "//image/private:inventory", executable = True, cfg = "exec"),
        "_sbom": attr.label(default = "//image/private:sbom", executable = True, cfg = "exec"),
    },
)
