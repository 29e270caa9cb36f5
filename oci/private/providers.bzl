"""Providers shared by the image rules."""

ImageLayerInfo = provider(
    doc = "One uncompressed, reproducible layer tar.",
    fields = {
        "descriptor": "File: JSON {diff_id, size} of the tar",
        "layer_name": "string: the layer's name, recorded in the manifest",
        "tar": "File: the layer tar",
    },
)

OciAttachInfo = provider(
    doc = "An image and the OCI 1.1 attachments (artifact manifests) whose subject it is.",
    fields = {
        "image": "File: the image's own OCI layout (one manifest)",
        "referrers": "File: JSON {image, referrers: [{digest, artifactType, title}]}",
    },
)
