"""python_service_image: one Python service's image, layered by configuration."""

load("//oci:defs.bzl", "image_layer", "oci_image", "oci_load", "oci_push")
load("//pypi:defs.bzl", "py_image_layers")

_ENV = {
    "HOME": "/home/nonroot",
    "LANG": "C.UTF-8",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
}

def python_service_image(
        name,
        layers,
        python,
        site_packages,
        groups,
        app_srcs,
        app,
        labels,
        repo_tag,
        repository,
        env = {},
        label_file_digests = {},
        visibility = None):
    """Declares a service's image: its layers, the OCI layout, load and push.

    Targets, for `name = "image"`:
    - `layer_<group>` for each of `groups` and `layer_app` (the service's code
      at /app);
    - `image_labels` (the labels file; under `--stamp` it adds the commit and
      remote from the workspace status, unstamped it holds only `labels`, so
      the digest stays reproducible);
    - `image_layout` (the OCI layout) and `image` (it alone: `tools/bazel build
      //pkg:image` copies no layer again);
    - `image_load` (`tools/bazel run` streams it into docker or podman) and
      `image_load_tarball` (the docker-archive tarball, on request: tagged
      manual, so `//...` does not write it);
    - `image_push` (`tools/bazel run //pkg:image_push -- REPOSITORY`).

    The image runs `python -m uvicorn <app> --host 0.0.0.0 --port 8000` as
    uid 65532 in /app.

    Args:
      name: the image's name, and the prefix of its targets.
      layers: the layer list, bottom first: (layer name, image_layer target)
        pairs, written once in the service's layers.bzl; it names the two
        base layers, the wheels' own layers (`own_layers` of //pypi:defs.bzl:
        `@<site_packages>//:layer_<distribution>`), `:layer_<group>` for each
        group and `:layer_app`.
      python: the interpreter's facts (its repository's defs.bzl `PYTHON`).
      site_packages: the stack's site_packages repository, e.g. "@pypi".
      groups: layer group -> distribution patterns, in order ("*" last).
      app_srcs: the service's sources (a filegroup), installed at /app under
        their path in this package.
      app: the ASGI app, e.g. "app.main:app".
      labels: the fixed OCI labels.
      repo_tag: the tag `image_load` loads as, e.g. "mlimage/x:latest".
      repository: the repository `image_push` pushes to by default.
      env: environment on top of the common one (HOME, LANG, PATH, ...).
      label_file_digests: file -> label that records its sha256.
      visibility: of the image targets.
    """
    names = [layer for layer, _ in layers]
    tail = list(groups) + ["app"]
    if names[-len(tail):] != tail or len(names) < 2 + len(tail):
        fail("python_service_image(%s): layers %s must be two base layers, the wheels' own layers, then the groups and app %s" % (name, names, tail))

    # Between the base layers and the groups: the wheels with a layer of
    # their own (own_layers), which no group takes.
    own = names[2:-len(tail)]
    py_image_layers(
        name = "layer",
        exclude = own,
        site_packages = site_packages + "//:prefix",
        groups = groups,
    )
    image_layer(
        name = "layer_app",
        srcs = [app_srcs],
        layer_name = "app",
        package_dir = "/app",
        # The sources' paths below this package: //services/x's x/main.py
        # lands at /app/x/main.py.
        strip_prefix = native.package_name(),
    )
    fixed = "printf '%s\\n' " + " ".join(["'%s=%s'" % (k, v) for k, v in sorted(labels.items())])
    native.genrule(
        name = name + "_labels",
        outs = [name + "_labels.txt"],
        cmd = select({
            Label("//oci:stamped"): "{ %s; sed -n 's/^STABLE_GIT_COMMIT /org.opencontainers.image.revision=/p; s/^STABLE_GIT_REMOTE /org.opencontainers.image.source=/p' bazel-out/stable-status.txt; } > $@" % fixed,
            "//conditions:default": "%s > $@" % fixed,
        }),
        stamp = -1,
    )
    oci_image(
        name = name + "_layout",
        entrypoint = [
            python["interpreter"],
            "-m",
            "uvicorn",
            app,
            "--host",
            "0.0.0.0",
            "--port",
            "8000",
        ],
        env = {key: value for key, value in sorted(dict(_ENV, **env).items())},
        exposed_ports = ["8000/tcp"],
        label_file_digests = label_file_digests,
        labels = ":%s_labels" % name,
        tars = [target for _, target in layers],
        user = "65532:65532",
        visibility = visibility,
        workdir = "/app",
    )
    oci_load(
        name = name + "_load",
        image = ":%s_layout" % name,
        repo_tags = [repo_tag],
    )
    native.filegroup(
        name = name + "_load_tarball",
        srcs = [":%s_load" % name],
        output_group = "tarball",
        # Only on request: `//...` would otherwise write a 6 GB copy of the
        # CUDA image into every output base (nothing reads it; the images
        # are validated in place, <image>_validate_test).
        tags = ["manual"],
        visibility = ["//visibility:public"],
    )
    native.filegroup(
        name = name,
        srcs = [":%s_layout" % name],
    )
    oci_push(
        name = name + "_push",
        image = ":%s_layout" % name,
        remote_tags = ["latest"],
        repository = repository,
    )
