"""Providers of the PyPI rule set."""

PyWheelInfo = provider(
    doc = "One locked wheel, installed for one interpreter (wheel_install).",
    fields = {
        "distribution": "string: its normalised name, e.g. \"nvidia-cublas-cu12\"",
        "manifest": "File: {name: {version, dist_info, files: {path: sha256}, executables}}",
        "subset": "TreeSubsetInfo: the tree with its paths and executables, for image layers",
        "tree": "File: the install prefix it was installed into (a directory)",
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
