"""pulled_layout: a pulled layout's files as an OCI layout directory of links."""

def _pulled_layout_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name + "_layout")
    args = ctx.actions.args()
    args.add("--out", out.path)
    args.add_all(ctx.files.srcs)
    ctx.actions.run(
        executable = ctx.executable._link_layout,
        arguments = [args],
        inputs = ctx.files.srcs,
        outputs = [out],
        mnemonic = "OciPulledLayout",
        progress_message = "Linking pulled layout %{label}",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out] + ctx.files.srcs))]

pulled_layout = rule(
    implementation = _pulled_layout_impl,
    doc = "The files of a pulled layout (`layout/...`) as one layout directory whose blobs link to them, never copies.",
    attrs = {
        "srcs": attr.label_list(allow_files = True, mandatory = True, doc = "The layout's files: index.json, oci-layout, blobs/sha256/*."),
        "_link_layout": attr.label(default = "//oci/private:link_layout", executable = True, cfg = "exec"),
    },
)
