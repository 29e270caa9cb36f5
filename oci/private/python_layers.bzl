"""python_layers: split one site-packages into layers by groups of distributions."""

load(":image_layer.bzl", "image_layer")

def python_layers(name, distributions_manifest, distributions_root, groups, distributions_dest = "/usr/local", **kwargs):
    """Declares one image_layer per group, named `<name>_<group>`.

    Groups are configuration: an ordered dict from a group name to fnmatch
    patterns of distribution names. Each distribution lands in the first group
    that matches it; a group `["*"]` takes every distribution not matched
    before it (so it must come last). To give another heavy package its own
    layer, add a group before `["*"]`.

        python_layers(
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
                fail("python_layers %s: the catch-all group %r must come last" % (name, group))
            include = []
        else:
            include = patterns
        image_layer(
            name = "%s_%s" % (name, group),
            layer_name = group,
            distributions_manifest = distributions_manifest,
            distributions_root = distributions_root,
            distributions_dest = distributions_dest,
            include_distributions = include,
            exclude_distributions = list(matched),
            **kwargs
        )
        matched += patterns
