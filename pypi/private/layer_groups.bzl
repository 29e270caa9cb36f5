"""py_image_layers: a stack's installed wheels as image layers, grouped by configuration."""

load("//oci:defs.bzl", "image_layer")
load(":providers.bzl", "SitePackagesInfo")

def fnmatch(name, pattern):
    """Whether `name` matches `pattern` (`*` any run of characters, `?` one).

    Args:
      name: a distribution name.
      pattern: a shell-style pattern, e.g. "nvidia-*".

    Returns:
      True or False.
    """

    # Iterative backtracking over `*` (Starlark has no recursion).
    n, p = 0, 0
    star, mark = -1, 0
    for _ in range(2 * (len(name) + 1) * (len(pattern) + 1)):
        if n < len(name) and p < len(pattern) and (pattern[p] == "?" or pattern[p] == name[n]):
            n += 1
            p += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, n
            p += 1
        elif star >= 0 and mark < len(name):
            mark += 1
            n, p = mark, star + 1
        elif n == len(name) and p == len(pattern):
            return True
        else:
            return False
    return False

def _matches(name, patterns):
    for pattern in patterns:
        if fnmatch(name, pattern):
            return True
    return False

def _py_wheels_subset_impl(ctx):
    info = ctx.attr.site_packages[SitePackagesInfo]
    for pattern in ctx.attr.include:
        if not [w for w in info.wheels if fnmatch(w.distribution, pattern)]:
            fail("%s: include pattern %r matches no distribution of %s" % (ctx.label, pattern, ctx.attr.site_packages.label))
    chosen = [
        w
        for w in info.wheels
        if (not ctx.attr.include or _matches(w.distribution, ctx.attr.include)) and not _matches(w.distribution, ctx.attr.exclude)
    ]
    if not chosen:
        fail("%s: no distribution of %s is left for this layer" % (ctx.label, ctx.attr.site_packages.label))
    return [DefaultInfo(files = depset([w.layer for w in chosen]))]

py_wheels_subset = rule(
    implementation = _py_wheels_subset_impl,
    doc = """Some installed wheels of a stack, as the layer tars (each wheel's own,
its files at `usr/local/...`) that an `image_layer` takes through its `trees`
attribute and merges into one layer.""",
    attrs = {
        "exclude": attr.string_list(doc = "fnmatch patterns of distributions to leave out (normalised names)."),
        "include": attr.string_list(doc = "fnmatch patterns of distributions to take (empty: all); one that matches nothing is an error."),
        "site_packages": attr.label(mandatory = True, providers = [SitePackagesInfo], doc = "A site_packages repository's `:prefix`."),
    },
)

def groups_problem(name, groups):
    """What is wrong with py_image_layers' groups, or None.

    Args:
      name: the layers' prefix.
      groups: group name -> distribution patterns.

    Returns:
      The message `py_image_layers` fails with, or None.
    """
    group_names = list(groups.keys())
    for index, group in enumerate(group_names):
        if groups[group] == ["*"] and index != len(group_names) - 1:
            return "py_image_layers %s: the catch-all group %r must come last" % (name, group)
    return None

def py_image_layers(name, site_packages, groups, exclude = [], **kwargs):
    """Declares one image layer per group of distributions, named `<name>_<group>`.

    Groups are configuration: an ordered dict from a group name to fnmatch
    patterns of distribution names. Each distribution lands in the first group
    that matches it; a group `["*"]` takes every distribution not matched
    before it (so it must come last). To give another heavy package its own
    layer, add a group before `["*"]`. Each layer merges the wheels' own
    layers (their files at /usr/local, the image prefix).

        py_image_layers(
            name = "layer",
            site_packages = "@pypi//:prefix",
            groups = {
                "cuda": ["nvidia-*"],
                "torch": ["torch", "triton"],
                "packages": ["*"],
            },
        )

    Args:
      name: prefix of the layer targets.
      site_packages: a site_packages repository's `:prefix`.
      groups: group name -> distribution name patterns, in layer order.
      exclude: distributions in no group: those with a layer of their own
        (`own_layers`).
      **kwargs: passed to every image_layer (e.g. visibility).

    Returns:
      The layers it declared, in order: (group name, label of its
      image_layer) pairs, what an image's `tars` take.
    """
    problem = groups_problem(name, groups)
    if problem:
        fail(problem)
    matched = list(exclude)
    layers = []
    for group, patterns in groups.items():
        include = [] if patterns == ["*"] else patterns
        py_wheels_subset(
            name = "%s_%s_files" % (name, group),
            site_packages = site_packages,
            include = include,
            exclude = list(matched),
        )
        image_layer(
            name = "%s_%s" % (name, group),
            layer_name = group,
            trees = {":%s_%s_files" % (name, group): "/"},
            **kwargs
        )
        layers.append((group, native.package_relative_label(":%s_%s" % (name, group))))
        matched += patterns
    return layers
