"""Providers shared by the image rules."""

TreeSubsetInfo = provider(
    doc = """Some paths of a directory: what an image_layer takes from it when the
target in its `trees` provides this (other rule sets decide which paths).""",
    fields = {
        "executables": "File or None: which of those paths are executable files (mode 0755; the others are 0644), one per line",
        "paths": "File: the paths to take, relative to root, one per line",
        "root": "File: the directory (a tree artifact or a source directory)",
    },
)

TreeSubsetsInfo = provider(
    doc = """Several TreeSubsetInfo, taken together into one image_layer (for
example, the trees of several installed packages landing at one prefix).""",
    fields = {
        "subsets": "list of TreeSubsetInfo, in order",
    },
)

ImageLayerInfo = provider(
    doc = "One uncompressed, reproducible layer tar.",
    fields = {
        "descriptor": "File: JSON {diff_id, size} of the tar",
        "layer_name": "string: the layer's name, recorded in the manifest",
        "tar": "File: the layer tar",
    },
)
