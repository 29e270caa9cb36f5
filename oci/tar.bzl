"""Public API: `tar`, the shape of tar.bzl's, for BUILD files written for rules_oci.

    load("@mlimage//oci:tar.bzl", "tar")   # in place of load("@tar.bzl", "tar")
"""

load("//oci/private:tar.bzl", _tar = "tar")

tar = _tar
