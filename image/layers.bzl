"""The layers of //:image, bottom first: written once, read by the image, its
structural gate and the docs; and the size above which a wheel is a layer of
its own, for every image.

Each entry is (layer name, image_layer target). The names are the layers'
`layer_name`s, which the image's manifest records and the structural gate
checks in this order.
"""

load("@pypi//:wheels.bzl", "WHEELS")
load("//pypi:defs.bzl", "own_layers")

# A wheel over 50 MB (its size in the lock) is a layer of its own, shared by
# every image whose stack locks it; smaller ones go into the groups. Below
# that size a layer's fixed costs (a manifest entry, a request per pull, an
# action) outweigh what sharing saves; above it, the CUDA stack's 11 such
# wheels (torch, triton, cudnn, cublas, ...) carry 3.0 of its 3.3 GB of
# wheels, and its image has 16 layers (docs/PERFORMANCE.md).
OWN_LAYER_OVER = 50000000

IMAGE_LAYERS = [
    ("base", "//image:bookworm_layer_base"),
    ("python", "//image:bookworm_layer_python"),
] + own_layers(WHEELS, over = OWN_LAYER_OVER) + [
    ("cuda", "//:layer_cuda"),
    ("packages", "//:layer_packages"),
    ("app", "//:layer_app"),
]
