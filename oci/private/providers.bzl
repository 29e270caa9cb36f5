"""Providers shared by the image rules."""

ImageLayerInfo = provider(
    doc = "One uncompressed, reproducible layer tar.",
    fields = {
        "descriptor": "File: JSON {diff_id, size} of the tar",
        "layer_name": "string: the layer's name, recorded in the manifest",
        "tar": "File: the layer tar",
    },
)
