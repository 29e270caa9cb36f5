"""OCI media types, annotation keys and fixed values shared by the tools."""

from __future__ import annotations

OCI_LAYOUT_VERSION = "1.0.0"
INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
# The config of an artifact manifest (image-spec 1.1): the two bytes "{}".
EMPTY = "application/vnd.oci.empty.v1+json"
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"

# Manifest layer-descriptor annotation carrying the layer's name, as given to
# oci_layout (`--layer BLOB:DESCRIPTOR[:NAME]`). The structure gate reads it.
LAYER_NAME_ANNOTATION = "dev.mlimage.layer.name"
REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name"

# Every timestamp in an image: the Unix epoch, for reproducibility.
EPOCH = "1970-01-01T00:00:00Z"

UNCOMPRESSED = "none"
GZIP = "gzip"
ZSTD = "zstd"


def layer_compression(media_type: str) -> str | None:
    """`none`, `gzip` or `zstd` for a layer media type; None if not a layer tar."""
    base = media_type.replace(".nondistributable", "")
    if base in (LAYER_TAR, "application/vnd.docker.image.rootfs.diff.tar"):
        return UNCOMPRESSED
    if base in (
        LAYER_GZIP,
        DOCKER_LAYER_GZIP,
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    ):
        return GZIP
    if base == LAYER_ZSTD:
        return ZSTD
    return None
