"""Public API: image rules with rules_oci's shape, plus image_layer.

    load("//oci:defs.bzl", "image_layer", "oci_image", "oci_load", "oci_push")

These rules know nothing of Python or Debian: language rule sets build on
them (//pypi's py_image_layers selects a site-packages' files through
TreeSubsetInfo).

`oci_image`, `oci_load` and `oci_push` take rules_oci's attributes, so a
BUILD file can switch to rules_oci by changing this load (rules_oci's `tars`
take any tar; ours take `image_layer` targets).
"""

load("//oci/private:image_layer.bzl", _image_layer = "image_layer")
load("//oci/private:oci_image.bzl", _oci_image_rule = "oci_image_rule")
load("//oci/private:oci_load.bzl", _oci_load = "oci_load")
load("//oci/private:oci_push.bzl", _oci_push = "oci_push")
load("//oci/private:providers.bzl", _ImageLayerInfo = "ImageLayerInfo", _TreeSubsetInfo = "TreeSubsetInfo")

image_layer = _image_layer
oci_image_rule = _oci_image_rule
oci_load = _oci_load
oci_push = _oci_push
ImageLayerInfo = _ImageLayerInfo
TreeSubsetInfo = _TreeSubsetInfo

def oci_image(name, **kwargs):
    """An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`).

    Reproducible: `created` is the epoch, JSON is canonical, layer blobs are the
    image_layer tars (hard-linked, not copied) or, with
    `--//oci:layer_compression=gzip|zstd`, their compressed forms. Labels may
    hold `{{KEY}}` placeholders filled from the workspace status under `--stamp`.

    Args:
      name: target name; the layout is `bazel-bin/<package>/<name>/`.
      **kwargs: the attributes of `oci_image_rule` (below): base, tars,
        entrypoint, cmd, env, workdir, user, labels, annotations,
        exposed_ports, os, architecture, label_file_digests.
    """
    _oci_image_rule(
        name = name,
        stamp = select({
            "//oci:stamped": True,
            "//conditions:default": False,
        }),
        **kwargs
    )
