"""The layers of //:image, bottom first: written once, read by the image, its
structural gate and the docs; and the size above which a wheel is a layer of
its own, for every image.

Each entry is (layer name, image_layer target). The names are the layers'
`layer_name`s, which the image's manifest records and the structural gate
checks in this order.
"""

load("@pypi//:wheels.bzl", "WHEELS")
load("//pypi:defs.bzl", "own_layers")

# A wheel over 10 MB (its size in the lock) is a layer of its own, shared by
# every image whose stack locks it; smaller ones go into the groups. Each wheel
# is installed as a layer anyway (wheel_layer), so a wheel of its own costs
# only a manifest entry and a request per pull; a wheel in a group is copied
# into the group's layer once per stack, and that layer is shared only by
# images with the same group. Over 10 MB are the CUDA stack's 17 biggest
# wheels, 3.21 of its 3.26 GB (the other 45 share 43 MB); its image has 22
# layers, well under the 40 asked, and the layers left to the groups of two
# stacks on the same torch differ by a few MB at most (docs/PERFORMANCE.md).
OWN_LAYER_OVER = 10000000

IMAGE_LAYERS = [
    ("base", "//image:bookworm_layer_base"),
    ("python", "//image:bookworm_layer_python"),
] + own_layers(WHEELS, over = OWN_LAYER_OVER) + [
    ("cuda", "//:layer_cuda"),
    ("packages", "//:layer_packages"),
    ("app", "//:layer_app"),
]
