"""Providers of the PyPI rule set."""

PyWheelInfo = provider(
    doc = "One locked wheel, installed for one interpreter (wheel_layer, wheel_tree).",
    fields = {
        "distribution": "string: its normalised name, e.g. \"nvidia-cublas-cu12\"",
        "layer": "File: the wheel installed as an image layer tar (files at usr/local/...)",
        "manifest": "File: {name: {version, dist_info, files: {path: sha256}, executables}}",
        "tree": "File or None: that layer unpacked, the install prefix (a directory); None on the wheel_layer itself",
        "version": "string: its version",
        "wheel_size": "int: the wheel's size in bytes (from the lock)",
    },
)

SitePackagesInfo = provider(
    doc = "A stack's locked wheels, each installed, and the one prefix composed of them.",
    fields = {
        "distributions": "File: distributions.json (each distribution's files)",
        "prefix": "File: the composed prefix (a directory of links into the wheels' trees)",
        "wheels": "list of PyWheelInfo, sorted by distribution",
    },
)
