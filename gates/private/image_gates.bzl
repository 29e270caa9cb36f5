"""image_gates: the structural and in-image gates of one service's image."""

load("@rules_python//python:defs.bzl", "py_test")

def image_gates_problem(name, stack):
    """What is wrong with image_gates' arguments, or None.

    Args:
      name: the tests' prefix.
      stack: the image's stack.

    Returns:
      The message `image_gates` fails with, or None.
    """
    if not stack.lock:
        return "image_gates(%s): stack %s has no lock: give its `pypi.site_packages` tag in MODULE.bazel `lock`" % (name, stack.name)
    return None

def image_gates(name, stack, image, gates, imports, probe, unique_packages, emulator = None, debian_packages = None):
    """Declares an image's structural, in-image, no-copy and validation tests.

    `<name>_structure_test`, `<name>_runtime_test`, `<name>_layout_links_test`
    and `<name>_validate_test`.

    The tests run on the default (host-side) Python: they unpack the image and
    run its OWN interpreter for everything inside it.

    Args:
      name: the prefix of the tests ("image").
      image: the image (python_service_image's `name`, e.g. ":image"): its
        OCI layout (`<image>_layout`) and its `.layers` file (the layers
        it declared, in order, with their digests).
      stack: the image's stack (`STACK` of its site_packages repository's
        defs.bzl): the gates read its lock, and its python.json and
        wheels.json say where and what is installed.
      gates: the gate modules to run inside the image, each an argument list
        (["numpy_gate"], ["embedding_gate", "--device", "cpu"]).
      imports: modules whose libraries must all come from the image.
      probe: the service's probe file for the service gate (a Python file
        of the service's defining `probe(base_url)`; gates.service_gate).
      unique_packages: packages that must be installed exactly once.
      emulator: for an image of another CPU than the build machine's, the
        user-mode emulator (qemu-aarch64) its loader and interpreter run
        under; the tests that run the image use it, the others do not.
      debian_packages: the packages.txt files of the Debian roots the image
        is made of (a base's `<base>_debian_packages`): with it,
        `<name>_dpkg_status_test` checks that /var/lib/dpkg/status.d lists
        exactly those packages, read by us and by dpkg-query.
    """
    problem = image_gates_problem(name, stack)
    if problem:
        fail(problem)
    layers = image + ".layers"
    image = image + "_layout"
    env = {
        "IMAGE_GATES": json.encode(gates),
        "IMAGE_IMPORTS": ",".join(imports),
        "IMAGE_LAYERS_FILE": "$(rootpath %s)" % layers,
        "IMAGE_LAYOUT": "$(rootpath %s)" % image,
        "PYTHON_INFO": "$(rootpath %s)" % stack.python_json,
        "REQUIREMENTS_LOCK": "$(rootpath %s)" % stack.lock,
        "SERVICE_PROBE": "$(rootpath %s)" % probe,
        "UNIQUE_PACKAGES": ",".join(unique_packages),
        "WHEELS_JSON": "$(rootpath %s)" % stack.wheels_json,
    }
    emulator_data = []
    if emulator:
        env["IMAGE_EMULATOR"] = "$(rootpath %s)" % emulator
        emulator_data = [emulator]
    data = [
        image,
        layers,
        probe,
        stack.lock,
        stack.python_json,
        stack.wheels_json,
    ] + emulator_data

    # Layer order and names, each locked distribution once at its version,
    # nothing outside the site-packages, a non-root user, the entrypoint.
    py_test(
        name = name + "_structure_test",
        size = "medium",
        srcs = [Label("//gates:image_structure_test.py")],
        main = Label("//gates:image_structure_test.py"),
        data = data,
        env = env,
        deps = [Label("//gates:image_checks")],
    )

    # What scanners see: /var/lib/dpkg/status.d lists the packages of the
    # image's Debian roots, each once at its locked version, as we read it
    # and as dpkg-query (a pinned sid .deb) does.
    if debian_packages:
        dpkg_query = Label("//third_party/debian:dpkg_query")
        py_test(
            name = name + "_dpkg_status_test",
            size = "small",
            srcs = [Label("//gates:image_dpkg_status_test.py")],
            main = Label("//gates:image_dpkg_status_test.py"),
            data = [image, debian_packages, dpkg_query],
            env = {
                "DEBIAN_PACKAGES": "$(rootpaths %s)" % debian_packages,
                "DPKG_QUERY": "$(rootpath %s)" % dpkg_query,
                "IMAGE_LAYOUT": "$(rootpath %s)" % image,
            },
            deps = [Label("//gates:image_checks")],
        )

    # The gates run inside the unpacked image with its own interpreter and
    # libraries, and the service started from the image's entrypoint.
    py_test(
        name = name + "_runtime_test",
        size = "large",
        srcs = [Label("//gates:image_runtime_test.py")],
        main = Label("//gates:image_runtime_test.py"),
        data = data,
        env = env,
        deps = [
            Label("//gates:image_checks"),
            Label("//gates:checks"),
        ],
    )

    # The layout's layer blobs are the layer files Bazel built, linked, never
    # copied (device and inode compared; no byte read).
    native.filegroup(
        name = name + "_layer_blobs",
        srcs = [image],
        output_group = "layer_blobs",
        testonly = True,
    )
    py_test(
        name = name + "_layout_links_test",
        size = "small",
        srcs = [Label("//gates:image_layout_links_test.py")],
        main = Label("//gates:image_layout_links_test.py"),
        data = [image, ":%s_layer_blobs" % name],
        env = {
            "IMAGE_LAYOUT": "$(rootpath %s)" % image,
            "LAYER_BLOBS": "$(rootpaths :%s_layer_blobs)" % name,
        },
        # On a remote worker every input is a copy: this checks the output
        # tree of the machine that built the image.
        tags = ["no-remote-exec"],
        deps = [Label("//gates:image_checks")],
    )

    # Every byte checked against its digests where it lies, and the image as
    # crane pulls it from a loopback registry serving the layout: no tarball.
    py_test(
        name = name + "_validate_test",
        size = "medium",
        srcs = [Label("//gates:image_validate_test.py")],
        main = Label("//gates:image_validate_test.py"),
        data = [
            image,
            Label("//third_party/debian:crane"),
            Label("//third_party/debian:zstd"),
        ],
        env = {
            "CRANE": "$(rootpath %s)" % Label("//third_party/debian:crane"),
            "IMAGE_LAYOUT": "$(rootpath %s)" % image,
            "ZSTD": "$(rootpath %s)" % Label("//third_party/debian:zstd"),
        },
        deps = [Label("//gates:image_checks")],
    )

def shared_layers_test(name, image, other, shared):
    """Declares a test that two images share some layers as one file each.

    Each layer of `image` whose name matches a pattern of `shared` must be in
    `other` with the same digest, and the two layouts' blobs must be the same
    file (device and inode): the same wheel's layer target, built once.

    Args:
      name: the test's name.
      image: this image (python_service_image's `name`, e.g. ":image").
      other: the image it shares with (e.g. "//:image").
      shared: fnmatch patterns of layer names (e.g. ["torch", "nvidia-*"]);
        each must name at least one layer of `image`.
    """
    py_test(
        name = name,
        size = "small",
        srcs = [Label("//gates:image_shared_layers_test.py")],
        main = Label("//gates:image_shared_layers_test.py"),
        data = [
            image + ".layers",
            image + "_layout",
            other + "_layout",
        ],
        env = {
            "IMAGE_LAYERS_FILE": "$(rootpath %s.layers)" % image,
            "IMAGE_LAYOUT": "$(rootpath %s_layout)" % image,
            "OTHER_LAYOUT": "$(rootpath %s_layout)" % other,
            "SHARED_LAYERS": ",".join(shared),
        },
        # It compares this machine's output tree (inodes): on a worker every
        # input is a copy.
        tags = ["no-remote-exec"],
        deps = [Label("//gates:image_checks")],
    )
