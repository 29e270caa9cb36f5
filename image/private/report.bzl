"""image_report: an image's HTML report (report.py), from its SBOM's inventory."""

def _inventory(target, attr):
    group = target[OutputGroupInfo].inventory.to_list() if OutputGroupInfo in target and hasattr(target[OutputGroupInfo], "inventory") else []
    if len(group) != 1:
        fail("image_report: %s %s must be an image_sbom (its inventory output group)" % (attr, target.label))
    return group[0]

def _image_report_impl(ctx):
    inventory = _inventory(ctx.attr.sbom, "sbom")
    out = ctx.actions.declare_file(ctx.label.name + ".html")
    args = ["--inventory", inventory.path, "--out", out.path]
    inputs = [inventory]
    if ctx.attr.baseline and ctx.file.baseline_layout:
        fail("image_report %s: give baseline or baseline_layout, not both" % ctx.label)
    if ctx.attr.baseline:
        baseline = _inventory(ctx.attr.baseline, "baseline")
        args += ["--baseline", baseline.path]
        inputs.append(baseline)
    if ctx.file.baseline_layout:
        layout = ctx.file.baseline_layout
        label = ctx.attr.baseline_layout.label
        name = "%s//%s:%s" % ("@" + label.workspace_name if label.workspace_name else "", label.package, label.name)
        args += ["--baseline-layout", layout.path, "--baseline-name", name]
        inputs.append(layout)
    ctx.actions.run(
        executable = ctx.executable._report,
        arguments = args,
        inputs = inputs,
        outputs = [out],
        mnemonic = "ImageReport",
        progress_message = "Writing the report of %{label}",
    )
    return [DefaultInfo(files = depset([out]))]

image_report = rule(
    implementation = _image_report_impl,
    doc = """`<name>.html`: one self-contained page (no network) with the image's
layers and heaviest distributions as charts, its heaviest files, every
package of its SBOM, and, given `baseline` or `baseline_layout`, what
changed against that image: packages bumped, added and removed, layers changed, and the layer
bytes a push over it would send.""",
    attrs = {
        "baseline": attr.label(doc = "Another image's image_sbom, to compare with."),
        "baseline_layout": attr.label(allow_single_file = True, doc = "Or the OCI layout of any image to compare with, e.g. the last release pulled by digest (`oci.pull`): its packages are read from its layers (status.d or dpkg's status file, dist-info METADATA)."),
        "sbom": attr.label(mandatory = True, doc = "The image's image_sbom."),
        "_report": attr.label(default = "//image/private:report", executable = True, cfg = "exec"),
    },
)
