"""The layers of //:image, bottom first: written once, read by the image, its
structural gate and the docs.

Each entry is (layer name, image_layer target). The names are the layers'
`layer_name`s, which the image's manifest records and the structural gate
checks in this order.
"""

IMAGE_LAYERS = [
    ("base", "//image:bookworm_layer_base"),
    ("python", "//image:bookworm_layer_python"),
    ("cuda", "//:layer_cuda"),
    ("torch", "//:layer_torch"),
    ("packages", "//:layer_packages"),
    ("app", "//:layer_app"),
]
