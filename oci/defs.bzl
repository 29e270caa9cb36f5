"""Public API: image rules with rules_oci's shape, plus image_layer.

    load("//oci:defs.bzl", "image_layer", "oci_image", "oci_image_index", "oci_load", "oci_push")

These rules know nothing of Python or Debian: language rule sets build on
them (//pypi installs each wheel as a layer that provides ImageLayerInfo, and
merges the small ones with image_layer).

`oci_image`, `oci_load` and `oci_push` take rules_oci's attributes, so a
BUILD file can switch to rules_oci by changing this load (oci/examples/rules_oci
is built with rules_oci's attributes only). Our additions: `image_layer`
(reproducible layer tars), `label_file_digests`, `{{KEY}}` stamping in labels,
`--//oci:layer_compression`.
"""

load("@bazel_skylib//rules:write_file.bzl", "write_file")
load("//oci/private:image_layer.bzl", _image_layer = "image_layer")
load("//oci/private:oci_attach.bzl", _oci_attach = "oci_attach")
load("//oci/private:oci_image.bzl", _oci_image_rule = "oci_image_rule")
load("//oci/private:oci_image_index.bzl", _oci_image_index_rule = "oci_image_index_rule")
load("//oci/private:oci_load.bzl", _oci_load_rule = "oci_load_rule")
load("//oci/private:oci_push.bzl", _oci_push_all = "oci_push_all", _oci_push_rule = "oci_push_rule")
load("//oci/private:providers.bzl", _ImageLayerInfo = "ImageLayerInfo", _OciAttachInfo = "OciAttachInfo")

image_layer = _image_layer
oci_attach = _oci_attach
oci_image_rule = _oci_image_rule
oci_image_index_rule = _oci_image_index_rule
oci_load_rule = _oci_load_rule
oci_push_all = _oci_push_all
oci_push_rule = _oci_push_rule
ImageLayerInfo = _ImageLayerInfo
OciAttachInfo = _OciAttachInfo

def _pairs_file(name, what, value):
    """A dict becomes a file of `KEY=VALUE` lines in its order (rules_oci's form)."""
    if type(value) != "dict":
        return value
    write_file(
        name = "%s_%s" % (name, what),
        out = "%s.%s.txt" % (name, what),
        content = ["%s=%s" % (k, v) for k, v in value.items()],
    )
    return ":%s_%s" % (name, what)

def _lines_file(name, what, value):
    """A list becomes a file of one item a line, a newline in one as `%5Cn` (rules_oci's form)."""
    if type(value) != "list":
        return value
    write_file(
        name = "%s_%s" % (name, what),
        out = "%s.%s.txt" % (name, what),
        content = [item.replace("\n", "%5Cn") for item in value],
    )
    return ":%s_%s" % (name, what)

def _comma_file(name, what, value):
    """A list becomes a file of its items separated by commas (rules_oci's form)."""
    if type(value) != "list":
        return value
    write_file(
        name = "%s_%s" % (name, what),
        out = "%s.%s.txt" % (name, what),
        content = [",".join(value)],
    )
    return ":%s_%s" % (name, what)

def oci_image(
        name,
        labels = None,
        annotations = None,
        env = None,
        cmd = None,
        entrypoint = None,
        exposed_ports = None,
        volumes = None,
        **kwargs):
    """An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`).

    rules_oci's `oci_image`: `labels`, `annotations` and `env` are a dict or
    a file of `KEY=VALUE` lines; `cmd` and `entrypoint` a list or a file of
    one item a line; `exposed_ports` and `volumes` a list or a file of
    comma-separated items. Each file form is what `oci_image_rule` takes, so
    a genrule or a stamped template can make it. Every other attribute is
    `oci_image_rule`'s (below). Also declares `<name>.digest`, a file holding
    the manifest digest (`sha256:<hex>`). Reproducible: `created` is the epoch
    unless given, JSON is canonical, layer blobs are relative symbolic links
    to the tars (or, with `--//oci:layer_compression=gzip|zstd`, to their
    compressed forms), never copies: output group `layer_blobs` holds the
    files they link to. Our addition: labels may hold `{{KEY}}` placeholders
    filled from the workspace status under `--stamp`.

    Args:
      name: target name; the layout is `bazel-bin/<package>/<name>/`.
      labels: config labels, a dict or a `KEY=VALUE` file.
      annotations: manifest annotations, a dict or a `KEY=VALUE` file.
      env: environment, a dict (applied in its order) or a `KEY=VALUE` file;
        `$NAME` in a value is NAME's value so far (the base's or an earlier
        entry's).
      cmd: the config's `Cmd`, a list or a file of one item a line.
      entrypoint: the config's `Entrypoint`, a list or a file; `[]` clears
        the base's entrypoint and cmd.
      exposed_ports: a list (`["8000/tcp"]`) or a comma-separated file.
      volumes: a list of paths or a comma-separated file.
      **kwargs: the attributes of `oci_image_rule`: base, tars, workdir,
        user, os, architecture, variant, created, label_file_digests,
        resource_set.
    """
    visibility = kwargs.get("visibility")
    _oci_image_rule(
        name = name,
        labels = _pairs_file(name, "labels", labels) if labels else None,
        annotations = _pairs_file(name, "annotations", annotations) if annotations else None,
        env = _pairs_file(name, "env", env) if env else None,
        cmd = _lines_file(name, "cmd", cmd),
        entrypoint = _lines_file(name, "entrypoint", entrypoint),
        exposed_ports = _comma_file(name, "exposed_ports", exposed_ports) if exposed_ports else None,
        volumes = _comma_file(name, "volumes", volumes) if volumes else None,
        stamp = select({
            Label("//oci:stamped"): True,
            "//conditions:default": False,
        }),
        **kwargs
    )
    native.filegroup(
        name = name + ".digest",
        srcs = [":" + name],
        output_group = "digest",
        visibility = visibility,
        tags = kwargs.get("tags"),
        testonly = kwargs.get("testonly"),
    )

def oci_image_index(name, annotations = None, **kwargs):
    """An OCI image index layout: one image per platform (rules_oci's `oci_image_index`).

    `annotations` is a dict or a file of `KEY=VALUE` lines, set on the index
    blob; every other attribute is `oci_image_index_rule`'s: `images`, and
    `platforms` to build one image for each. Also declares `<name>.digest`,
    a file holding the index digest (`sha256:<hex>`).

    Args:
      name: target name; the layout is `bazel-bin/<package>/<name>/`.
      annotations: index annotations, a dict or a `KEY=VALUE` file.
      **kwargs: the attributes of `oci_image_index_rule`.
    """
    _oci_image_index_rule(
        name = name,
        annotations = _pairs_file(name, "annotations", annotations) if annotations else None,
        **kwargs
    )
    native.filegroup(
        name = name + ".digest",
        srcs = [":" + name],
        output_group = "digest",
        visibility = kwargs.get("visibility"),
        tags = kwargs.get("tags"),
        testonly = kwargs.get("testonly"),
    )

def oci_push(name, remote_tags = None, **kwargs):
    """Pushes an oci_image with crane (`bazel run`): by digest, then each tag.

    rules_oci's `oci_push`: `remote_tags` is a list or a file of tags, one a
    line; every other attribute is `oci_push_rule`'s: image, repository or
    repository_file. At run time `--repository REPO` replaces the repository
    and `--tag TAG` adds a tag.

    Args:
      name: target name.
      remote_tags: tags to point at the pushed digest: a list or a file.
      **kwargs: the attributes of `oci_push_rule`.
    """
    _oci_push_rule(name = name, remote_tags = _lines_file(name, "remote_tags", remote_tags), **kwargs)

def oci_load(name, repo_tags = None, **kwargs):
    """Loads an oci_image into docker or podman (`bazel run`), streaming.

    rules_oci's `oci_load`: `repo_tags` is a list or a file of `NAME:TAG`, one
    a line; every other attribute is `oci_load_rule`'s: image, format, loader.
    The docker-archive tarball is its `tarball` output group.

    Args:
      name: target name.
      repo_tags: names the loaded image gets: a list or a file.
      **kwargs: the attributes of `oci_load_rule`.
    """
    _oci_load_rule(name = name, repo_tags = _lines_file(name, "repo_tags", repo_tags), **kwargs)
