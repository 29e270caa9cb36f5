"""The layers of //services/reranker:image, bottom first: written once, read
by the image and its structural gate. Its wheels over OWN_LAYER_OVER are the
same layers as //:image's (the same wheels: torch, triton, the nvidia-*
libraries, the model)."""

load("@pypi_reranker//:wheels.bzl", "WHEELS")
load("//image:layers.bzl", "OWN_LAYER_OVER")
load("//pypi:defs.bzl", "own_layers")

RERANKER_LAYERS = [
    ("base", "//image:bookworm_layer_base"),
    ("python", "//image:bookworm_layer_python"),
] + own_layers(WHEELS, over = OWN_LAYER_OVER) + [
    ("cuda", "//services/reranker:layer_cuda"),
    ("packages", "//services/reranker:layer_packages"),
    ("app", "//services/reranker:layer_app"),
]

# The layers this image must share with //:image, as one file each
# (image_shared_layers_test).
SHARED_WITH_EMBEDDING = [
    name
    for name, _ in own_layers(WHEELS, over = OWN_LAYER_OVER)
    if name == "torch" or name == "triton" or name.startswith("nvidia-")
]
