"""py_image_layers: split one site-packages into image layers by groups of distributions."""

load("//oci:defs.bzl", "TreeSubsetInfo", "image_layer")

def _site_packages_subset_impl(ctx):
    paths = ctx.actions.declare_file(ctx.label.name + ".paths")
    executables = ctx.actions.declare_file(ctx.label.name + ".executables")
    args = ctx.actions.args()
    args.add("--manifest", ctx.file.manifest)
    args.add_all(ctx.attr.include, before_each = "--include")
    args.add_all(ctx.attr.exclude, before_each = "--exclude")
    args.add("--out", paths)
    args.add("--executables-out", executables)
    ctx.actions.run(
        executable = ctx.executable._select,
        arguments = [args],
        inputs = [ctx.file.manifest],
        outputs = [paths, executables],
        mnemonic = "SelectDistributions",
        progress_message = "Selecting the distributions of %{label}",
    )
    return [
        DefaultInfo(files = depset([ctx.file.root])),
        TreeSubsetInfo(root = ctx.file.root, paths = paths, executables = executables),
    ]

site_packages_subset = rule(
    implementation = _site_packages_subset_impl,
    doc = """The files of some distributions of a site_packages repository, as a
tree subset an `image_layer` takes through its `trees` attribute.""",
    attrs = {
        "exclude": attr.string_list(doc = "fnmatch patterns of distributions to leave out (normalised names)."),
        "include": attr.string_list(doc = "fnmatch patterns of distributions to take (empty: all); one that matches nothing is an error."),
        "manifest": attr.label(mandatory = True, allow_single_file = True, doc = "distributions.json of a site_packages repository."),
        "root": attr.label(mandatory = True, allow_single_file = True, doc = "The install prefix the manifest's paths are relative to (`@<repo>//:prefix`)."),
        "_select": attr.label(default = "//pypi/private:select_distributions", executable = True, cfg = "exec"),
    },
)

def py_image_layers(name, distributions_manifest, distributions_root, groups, distributions_dest = "/usr/local", **kwargs):
    """Declares one image layer per group of distributions, named `<name>_<group>`.

    Groups are configuration: an ordered dict from a group name to fnmatch
    patterns of distribution names. Each distribution lands in the first group
    that matches it; a group `["*"]` takes every distribution not matched
    before it (so it must come last). To give another heavy package its own
    layer, add a group before `["*"]`.

        py_image_layers(
            name = "layer",
            distributions_manifest = "@pypi//:distributions.json",
            distributions_root = "@pypi//:prefix",
            groups = {
                "cuda": ["nvidia-*"],
                "torch": ["torch", "triton"],
                "packages": ["*"],
            },
        )

    Args:
      name: prefix of the layer targets.
      distributions_manifest: distributions.json of a site_packages repository.
      distributions_root: its install prefix directory.
      groups: group name -> distribution name patterns, in layer order.
      distributions_dest: where the prefix lands in the image.
      **kwargs: passed to every image_layer (e.g. visibility).
    """
    matched = []
    group_names = list(groups.keys())
    for index, group in enumerate(group_names):
        patterns = groups[group]
        if patterns == ["*"]:
            if index != len(group_names) - 1:
                fail("py_image_layers %s: the catch-all group %r must come last" % (name, group))
            include = []
        else:
            include = patterns
        site_packages_subset(
            name = "%s_%s_files" % (name, group),
            manifest = distributions_manifest,
            root = distributions_root,
            include = include,
            exclude = list(matched),
        )
        image_layer(
            name = "%s_%s" % (name, group),
            layer_name = group,
            trees = {":%s_%s_files" % (name, group): distributions_dest},
            **kwargs
        )
        matched += patterns
