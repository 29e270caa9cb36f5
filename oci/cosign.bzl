"""Public API: rules_oci's `cosign_sign` and `cosign_attest`, with its shapes.

    load("@mlimage//oci:cosign.bzl", "cosign_attest", "cosign_sign")
    # in place of @rules_oci//cosign:defs.bzl

    cosign_sign(name = "sign", image = ":image", repository = "registry.example.com/team/app")

`bazel run :sign -- --key cosign.key` signs the pushed image by its digest;
the key and its password (`COSIGN_PASSWORD`) are given at run time, never to
the build. cosign is a pinned sid .deb.
"""

load("//oci/private:cosign.bzl", _cosign_attest = "cosign_attest", _cosign_sign = "cosign_sign")

cosign_sign = _cosign_sign
cosign_attest = _cosign_attest
