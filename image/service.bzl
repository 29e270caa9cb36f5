"""python_service: a whole service in its package; python_service_image: its image, layered by configuration."""

load("@rules_python//python:defs.bzl", "py_library", _plain_py_test = "py_test")
load("//gates:defs.bzl", _image_gates = "image_gates")
load("//image/private:provenance.bzl", "image_provenance", "provenance_test")
load("//image/private:report.bzl", "image_report")
load("//image/private:sbom.bzl", "image_sbom")
load("//oci:defs.bzl", "image_layer", "oci_attach", "oci_image", "oci_image_index", "oci_load", "oci_push")
load("//pypi:defs.bzl", "own_layers", "py_image_layers")
load("//python:defs.bzl", "py_test")

# A wheel over 10 MB (its size in the lock) is a layer of its own, shared by
# every image whose stack locks it; smaller ones go into the groups. Each wheel
# is installed as a layer anyway (wheel_layer), so a wheel of its own costs
# only a manifest entry and a request per pull; a wheel in a group is copied
# into the group's layer once per stack, and that layer is shared only by
# images with the same group. Over 10 MB are the CUDA stack's 17 biggest
# wheels, 3.21 of its 3.26 GB (the other 45 share 43 MB); its image has 22
# layers, well under the 40 asked, and the layers left to the groups of two
# stacks on the same torch differ by a few MB at most (docs/PERFORMANCE.md).
OWN_LAYER_OVER = 10000000

_ENV = {
    "HOME": "/home/nonroot",
    "LANG": "C.UTF-8",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
}

# What each image carries as OCI 1.1 attachments (<image>_attached): its
# SBOMs and provenance, by the artifact types scanners and policy engines
# look for.
_ATTACHMENTS = {
    "_provenance": "application/vnd.in-toto+json",
    "_sbom_cyclonedx": "application/vnd.cyclonedx+json",
    "_sbom_spdx": "application/spdx+json",
}

# The interpreter's machine (its facts) -> the OCI architecture.
_ARCHITECTURES = {
    "aarch64": "arm64",
    "x86_64": "amd64",
}

# Emulators the gates of an image for another CPU run it under: qemu-user's
# static binaries (a pinned sid .deb), called directly, no binfmt.
_EMULATORS = {
    "arm64": Label("@qemu_aarch64//:qemu-aarch64"),
}

def architecture_of(stack):
    """The OCI architecture of a stack's interpreter (amd64, arm64).

    Args:
      stack: a stack (`STACK`).

    Returns:
      The architecture name.
    """
    machine = stack.python.get("machine", "x86_64")
    if machine not in _ARCHITECTURES:
        fail("stack %s: its interpreter's machine %r has no image architecture (known: %s)" % (stack.name, machine, ", ".join(sorted(_ARCHITECTURES))))
    return _ARCHITECTURES[machine]

def cuda_arm64_problem(stack):
    """Why a stack cannot make an arm64 image, or None.

    Args:
      stack: a stack (`STACK`).

    Returns:
      The message an arm64 image of a CUDA stack fails with, or None.
    """
    cuda = sorted([w.distribution for w in stack.wheels if w.distribution.startswith("nvidia-")])
    if not cuda:
        return None
    return ("stack %s locks CUDA wheels (%s): no arm64 image of it. PyPI's aarch64 " +
            "torch wheels are CPU builds, and the nvidia-* CUDA wheels it pins are x86_64 only. " +
            "A CUDA arm64 image (Grace, Jetson) needs torch from the PyTorch index's " +
            "cu12x aarch64 (sbsa) wheels, NVIDIA's aarch64 CUDA libraries, and a base and gates " +
            "that run on an arm64 GPU; lock a CPU stack for arm64 instead.") % (stack.name, ", ".join(cuda[:3]) + (", ..." if len(cuda) > 3 else ""))

def architectures_problem(name, stack, architectures):
    """What is wrong with python_service's `architectures`, or None.

    Args:
      name: the service's name.
      stack: its own stack.
      architectures: architecture -> {"stack": ..., "base": ...}.

    Returns:
      The message `python_service` fails with, or None.
    """
    for arch, spec in architectures.items():
        if arch == "arm64":
            problem = cuda_arm64_problem(stack)
            if problem:
                return problem
        if arch not in _EMULATORS:
            return "python_service(%s): no emulator for %s images (known: %s)" % (name, arch, ", ".join(sorted(_EMULATORS)))
        if architecture_of(spec["stack"]) != arch:
            return "python_service(%s): architectures[%r] names stack %s, whose interpreter is %s" % (name, arch, spec["stack"].name, architecture_of(spec["stack"]))
    return None

def service_image_problem(name, groups):
    """What is wrong with a python_service_image's arguments, or None.

    Args:
      name: the image's name.
      groups: its layer groups.

    Returns:
      The message `python_service_image` fails with, or None.
    """
    if "app" in groups:
        return "python_service_image(%s): a group may not be named \"app\": that is the service's own layer" % name
    return None

def python_service_image(
        name,
        stack,
        base,
        groups,
        app_srcs,
        app,
        labels,
        repo_tag,
        repository,
        env = {},
        label_file_digests = {},
        own_layer_over = OWN_LAYER_OVER,
        report_baseline = None,
        report_baseline_layout = None,
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
    - `image.layers` (the layers in order: name, digest, size; JSON), which
      the image's gates and the scripts read: the layer list is declared
      here, once;
    - `image_load` (`tools/bazel run` streams it into docker or podman) and
      `image_load_tarball` (the docker-archive tarball, on request: tagged
      manual, so `//...` does not write it);
    - `image_sbom` (SPDX 2.3 and CycloneDX 1.6, with `image_sbom_test`),
      `image_provenance` (SLSA v1, with `image_provenance_test`);
    - `image_attached` (the layout with the SBOMs and the provenance
      attached as OCI 1.1 artifact manifests, with `image_attached_test`:
      oras discover lists them);
    - `image_push` (`tools/bazel run //pkg:image_push -- --repository
      REPOSITORY [--sign-key cosign.key]`: the image, its attachments, and
      with a key their signatures);
    - `image.report` (one HTML page: layers, heaviest distributions and
      files, packages, changes against `report_baseline`), with
      `image_report_test` (it draws in headless Chromium).

    The layers, bottom first: the base's two (`<base>_layer_base`,
    `<base>_layer_python`), each wheel of the stack over `own_layer_over`
    bytes as a layer of its own (`own_layers` of //pypi:defs.bzl: the same
    target in every image that locks that wheel), one layer per group, and
    the app. The image runs `python -m uvicorn <app> --host 0.0.0.0 --port
    8000` as uid 65532 in /app.

    Args:
      name: the image's name, and the prefix of its targets.
      stack: the service's stack (`STACK` of its site_packages repository's
        defs.bzl): its wheels, its interpreter.
      base: the Debian base (a `debian_python_base` of //image, e.g.
        "//image:bookworm") whose interpreter is the stack's.
      groups: layer group -> distribution patterns, in order ("*" last).
      app_srcs: the service's sources (a filegroup), installed at /app under
        their path in this package.
      app: the ASGI app, e.g. "app.main:app".
      labels: the fixed OCI labels.
      repo_tag: the tag `image_load` loads as, e.g. "mlimage/x:latest".
      repository: the repository `image_push` pushes to by default.
      env: environment on top of the common one (HOME, LANG, PATH, ...).
      label_file_digests: file -> label that records its sha256.
      own_layer_over: the size in bytes above which a wheel is a layer of
        its own (OWN_LAYER_OVER: 10 MB).
      report_baseline: another python_service image (e.g. "//:image") that
        `<name>.report` shows the changes against.
      report_baseline_layout: or the OCI layout of any image to compare with,
        e.g. the last release pulled by digest (`@release//:release`).
      visibility: of the image targets.
    """
    problem = service_image_problem(name, groups)
    if not problem and architecture_of(stack) == "arm64":
        problem = cuda_arm64_problem(stack)
    if problem:
        fail(problem)

    # Between the base layers and the groups: the wheels with a layer of
    # their own, which no group takes.
    own = own_layers(stack.wheels, over = own_layer_over)

    # The first image of a package keeps the plain names; another (an arm64
    # image beside it) prefixes its layer targets with its name.
    prefix = "layer" if name == "image" else name + "_layer"
    grouped = py_image_layers(
        name = prefix,
        exclude = [distribution for distribution, _ in own],
        site_packages = stack.prefix,
        groups = groups,
    )
    image_layer(
        name = prefix + "_app",
        srcs = [app_srcs],
        layer_name = "app",
        package_dir = "/app",
        # The sources' paths below this package: //services/x's x/main.py
        # lands at /app/x/main.py.
        strip_prefix = native.package_name(),
    )
    layers = [
        ("base", base + "_layer_base"),
        ("python", base + "_layer_python"),
    ] + own + grouped + [("app", ":%s_app" % prefix)]
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
        architecture = architecture_of(stack),
        entrypoint = [
            stack.python["interpreter"],
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
        layers_out = name + ".layers",
        tars = [layer for _, layer in layers],
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
        image = ":%s_attached" % name,
        remote_tags = ["latest"],
        repository = repository,
    )

    # What it was built from, as SLSA v1 provenance: the stack's lock, wheel
    # map and indexes, the base's Debian lock, the build root's lock, and
    # under --stamp the commit; checked against them by its test.
    dependencies = [stack.lock, stack.wheels_lock, base + "_debian_lock", Label("//third_party/debian/buildroot:lock.json")]
    if stack.indexes:
        dependencies.append(stack.indexes)
    target = "//%s:%s" % (native.package_name(), name)
    image_provenance(
        name = name + "_provenance",
        dependencies = dependencies,
        image = ":%s_layout" % name,
        stamp = select({
            Label("//oci:stamped"): True,
            "//conditions:default": False,
        }),
        target = target,
        visibility = visibility,
    )
    provenance_test(
        name = name + "_provenance_test",
        dependencies = dependencies,
        image = ":%s_layout" % name,
        provenance = ":%s_provenance" % name,
        target = target,
    )

    # What it holds, as SPDX 2.3 and CycloneDX 1.6, read from its layers and
    # found in its locks; the independent validators (spdx-tools,
    # cyclonedx-python-lib) accept both.
    image_sbom(
        name = name + "_sbom",
        debian_lock = base + "_debian_lock",
        image = ":%s_layout" % name,
        python_info = stack.python_info,
        target = target,
        visibility = visibility,
        wheels_lock = stack.wheels_lock,
    )
    native.filegroup(
        name = name + "_sbom_spdx",
        srcs = [":%s_sbom" % name],
        output_group = "spdx",
    )
    native.filegroup(
        name = name + "_sbom_cyclonedx",
        srcs = [":%s_sbom" % name],
        output_group = "cyclonedx",
    )
    _plain_py_test(
        name = name + "_sbom_test",
        size = "small",
        srcs = [Label("//image/private:sbom_validate.py")],
        main = Label("//image/private:sbom_validate.py"),
        args = [
            "--spdx",
            "$(rootpath :%s_sbom_spdx)" % name,
            "--cyclonedx",
            "$(rootpath :%s_sbom_cyclonedx)" % name,
        ],
        data = [":%s_sbom_spdx" % name, ":%s_sbom_cyclonedx" % name],
        deps = [Label("//image/private:sbom_validate")],
    )

    # The image with its SBOMs and provenance attached the OCI 1.1 way (what
    # image_push pushes); oras discover must list exactly those, each the
    # bytes of its file.
    oci_attach(
        name = name + "_attached",
        artifacts = {":%s%s" % (name, suffix): kind for suffix, kind in _ATTACHMENTS.items()},
        image = ":%s_layout" % name,
        visibility = visibility,
    )
    native.filegroup(
        name = name + "_attached_referrers",
        srcs = [":%s_attached" % name],
        output_group = "referrers",
    )
    oras = Label("@oras_root//:root/usr/bin/oras")
    _plain_py_test(
        name = name + "_attached_test",
        size = "small",
        srcs = [Label("//oci:referrers_check.py")],
        main = Label("//oci:referrers_check.py"),
        args = [
            "--oras",
            "$(rootpath %s)" % oras,
            "--referrers",
            "$(rootpath :%s_attached_referrers)" % name,
            "--layout",
            "$(rootpath :%s_attached)" % name,
        ] + ["--file=$(rootpath :%s%s)" % (name, suffix) for suffix in _ATTACHMENTS],
        data = [
            oras,
            ":%s_attached" % name,
            ":%s_attached_referrers" % name,
            ":%s_provenance" % name,
            ":%s_sbom_cyclonedx" % name,
            ":%s_sbom_spdx" % name,
        ],
        deps = [Label("//oci:referrers_check")],
    )

    # What it holds, on one page; it must draw in headless Chromium.
    image_report(
        name = name + ".report",
        baseline = report_baseline + "_sbom" if report_baseline else None,
        baseline_layout = report_baseline_layout,
        sbom = ":%s_sbom" % name,
        visibility = visibility,
    )
    chromium = Label("@chromium//:root")
    _plain_py_test(
        name = name + "_report_test",
        size = "small",
        srcs = [Label("//image/private:report_check.py")],
        main = Label("//image/private:report_check.py"),
        args = [
            "--chromium-root",
            "$(rootpath %s)" % chromium,
            "$(rootpath :%s.report)" % name,
        ],
        data = [
            chromium,
            ":%s.report" % name,
        ],
        deps = [Label("//image/private:report_check")],
    )

def python_service(
        name,
        stack,
        code,
        app,
        base,
        groups,
        labels,
        repo_tag,
        repository,
        image_gates = [["numpy_gate"]],
        imports = ["numpy"],
        unique_packages = ["numpy"],
        env = {},
        label_file_digests = {},
        architectures = {},
        report_baseline = None,
        report_baseline_layout = None,
        visibility = None):
    """Declares a whole service in its package: code, tests, image, image gates.

        load("@pypi_x//:defs.bzl", "STACK")
        load("//image:service.bzl", "python_service")

        python_service(
            name = "hello",
            stack = STACK,
            code = "hello",
            app = "hello.main:app",
            base = "//image:bookworm",
            groups = {"packages": ["*"]},
            labels = {"org.opencontainers.image.title": "hello"},
            repo_tag = "mlimage/hello:latest",
            repository = "localhost:5000/mlimage/hello",
        )

    The package holds `<code>/*.py` (the service, shipped at /app/<code>/),
    `<code>/probe.py` (what the service gate asks of it: `probe(base_url)`,
    not shipped) and `tests/*_test.py`. Targets:
    - `<name>` (a py_library of the code, on the stack) and `srcs`;
    - `probe` and, for each `tests/<t>_test.py`, `<t>_test` (on the stack's
      interpreter, with the code and the probe);
    - the image (python_service_image's targets, `image` first) and its
      gates (image_gates': `image_structure_test`, `image_runtime_test`,
      ...).
    The stack's own gates and its lock's targets (`stack_gates`,
    `pip_lock`) belong to the package that keeps the lock.

    Args:
      name: the code's py_library.
      stack: the service's stack (`STACK` of its site_packages repository).
      code: the directory of the service's modules, e.g. "imagestats".
      app: the ASGI app, e.g. "imagestats.main:app".
      base: the Debian base (e.g. "//image:trixie"), the stack's interpreter's.
      groups: layer group -> distribution patterns (python_service_image).
      labels: the fixed OCI labels.
      repo_tag: the tag `image_load` loads as.
      repository: the repository `image_push` pushes to by default.
      image_gates: the gates run inside the image (image_gates' `gates`).
      imports: modules whose libraries must all come from the image.
      unique_packages: packages that must be installed exactly once.
      env: environment on top of the common one.
      label_file_digests: file -> label that records its sha256.
      architectures: images for other CPUs, from the same code and groups:
        architecture -> {"stack": its stack, "base": its Debian base}, e.g.
        {"arm64": {"stack": STACK_ARM64, "base": "//image:trixie_arm64"}}
        (the stack: the same lock, the wheel map its interpreter's facts
        pick). Each gives `image_<arch>` (its layout, gates run under the
        arch's emulator, qemu-user), and all together `image_index` (an
        oci_image_index: this stack's image, then theirs) and
        `image_index_push`. A CUDA stack refuses arm64 (cuda_arm64_problem).
      report_baseline: another service's image (e.g. "//:image") that
        `image.report` shows the changes against.
      report_baseline_layout: or the OCI layout of any image to compare with,
        e.g. the last release pulled by digest (`@release//:release`).
      visibility: of the code's library and the image targets.
    """
    problem = architectures_problem(name, stack, architectures)
    if problem:
        fail(problem)
    probe = code + "/probe.py"
    shipped = native.glob([code + "/*.py"], exclude = [probe])
    py_library(
        name = name,
        srcs = shipped,
        imports = ["."],
        visibility = visibility,
        deps = [stack.site_packages],
    )
    native.filegroup(
        name = "srcs",
        srcs = shipped,
    )
    py_library(
        name = "probe",
        srcs = [probe],
        imports = ["."],
        deps = [Label("//gates:probe")],
    )
    for test in native.glob(["tests/*_test.py"]):
        py_test(
            name = test.removeprefix("tests/").removesuffix(".py"),
            size = "medium",
            srcs = [test],
            stack = stack,
            deps = [
                ":" + name,
                ":probe",
            ],
        )
    python_service_image(
        name = "image",
        app = app,
        app_srcs = ":srcs",
        base = base,
        env = env,
        groups = groups,
        label_file_digests = label_file_digests,
        labels = labels,
        repo_tag = repo_tag,
        report_baseline = report_baseline,
        report_baseline_layout = report_baseline_layout,
        repository = repository,
        stack = stack,
        visibility = visibility,
    )
    _image_gates(
        name = "image",
        debian_packages = base + "_debian_packages",
        gates = image_gates,
        image = ":image",
        imports = imports,
        probe = probe,
        stack = stack,
        unique_packages = unique_packages,
    )
    if not architectures:
        return
    repo, _, tag = repo_tag.rpartition(":")
    for arch, spec in architectures.items():
        python_service_image(
            name = "image_" + arch,
            app = app,
            app_srcs = ":srcs",
            base = spec["base"],
            env = env,
            groups = groups,
            label_file_digests = label_file_digests,
            labels = labels,
            repo_tag = "%s:%s-%s" % (repo, tag, arch),
            repository = repository,
            stack = spec["stack"],
            visibility = visibility,
        )
        _image_gates(
            name = "image_" + arch,
            debian_packages = spec["base"] + "_debian_packages",
            emulator = _EMULATORS[arch],
            gates = image_gates,
            image = ":image_" + arch,
            imports = imports,
            probe = probe,
            stack = spec["stack"],
            unique_packages = unique_packages,
        )
    oci_image_index(
        name = "image_index",
        images = [":image_layout"] + [":image_%s_layout" % arch for arch in architectures],
        visibility = visibility,
    )
    oci_push(
        name = "image_index_push",
        image = ":image_index",
        remote_tags = ["latest"],
        repository = repository,
    )

    # The index pushed to a loopback registry, read back by two independent
    # clients: crane pulls each platform's image with --platform, skopeo
    # reads the index raw and each platform's digest.
    crane = Label("//third_party/debian:crane")
    skopeo = Label("//third_party/debian:skopeo")
    _plain_py_test(
        name = "image_index_test",
        size = "medium",
        srcs = [Label("//oci:index_push_test.py")],
        main = Label("//oci:index_push_test.py"),
        data = [":image_index", ":image_index_push", crane, skopeo],
        env = {
            "CRANE": "$(rootpath %s)" % crane,
            "SKOPEO": "$(rootpath %s)" % skopeo,
            "INDEX": "$(rootpath :image_index)",
            "PLATFORMS": ",".join(["linux/" + a for a in [architecture_of(stack)] + list(architectures)]),
            "PUSH": "$(rootpath :image_index_push)",
        },
        deps = [
            Label("//oci:layouts"),
            Label("//oci:testing"),
        ],
    )
