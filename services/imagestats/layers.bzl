"""The layers of //services/imagestats:image, bottom first: written once, read
by the image and its structural gate."""

load("@pypi_imagestats//:wheels.bzl", "WHEELS")
load("//image:layers.bzl", "OWN_LAYER_OVER")
load("//pypi:defs.bzl", "own_layers")

IMAGESTATS_LAYERS = [
    ("base", "//image:trixie_layer_base"),
    ("python", "//image:trixie_layer_python"),
] + own_layers(WHEELS, over = OWN_LAYER_OVER) + [
    ("science", "//services/imagestats:layer_science"),
    ("packages", "//services/imagestats:layer_packages"),
    ("app", "//services/imagestats:layer_app"),
]
