"""The layers of //services/imagestats:image, bottom first: written once, read
by the image, its structural gate and tools/check_reproducible.sh."""

IMAGESTATS_LAYERS = [
    ("base", "//image:trixie_layer_base"),
    ("python", "//image:trixie_layer_python"),
    ("science", "//services/imagestats:layer_science"),
    ("packages", "//services/imagestats:layer_packages"),
    ("app", "//services/imagestats:layer_app"),
]
