"""debian_python_base: an image's two lower layers, from one Debian distribution."""

load("//oci:defs.bzl", "image_layer")

# The Debian rule set's public CA bundle maker.
_CA_BUNDLE = str(Label("//deb:ca_bundle"))

def _packages_txt(root_tar):
    """`@debian_base//:root.tar` -> `@debian_base//:packages.txt`, its root's package list."""
    repository, _, target = root_tar.rpartition("//:")
    if target != "root.tar":
        fail("debian_python_base: %r is not a debian.root's `//:root.tar`" % root_tar)
    return repository + "//:packages.txt"

def debian_python_base(name, base, python, certs, interpreter, lock):
    """Declares `<name>_ca_bundle`, `<name>_layer_base` and `<name>_layer_python`.

    (1) base: the distribution's `base` group (libc, libstdc++, tzdata, ...),
    the non-root user of etc/passwd, sticky /tmp and /var/tmp, the CA bundle, UTC as the
    local time; (2) python: the interpreter and the libraries base lacks, with
    /usr/bin/python3 pointing at it.

    Args:
      name: the distribution, the prefix of the targets ("bookworm", "trixie").
      base: the `debian.root` of the base group, as its tar
        (e.g. "@debian_base//:root.tar").
      python: the `debian.root` of the python group minus base (its tar).
      certs: the `debian.root` of the certs group (its tar), the CA bundle's
        source.
      interpreter: the interpreter's image path, from its repository's defs.bzl.
      lock: the Debian lock.json the roots come from (`<name>_debian_lock`,
        which an image's provenance names).
    """

    # /etc/ssl/certs/ca-certificates.crt, made from the ca-certificates
    # package's Mozilla certificates as update-ca-certificates would.
    native.genrule(
        name = name + "_ca_bundle",
        srcs = [certs],
        outs = [name + "/ca-certificates.crt"],
        cmd = "$(execpath %s) --root $(execpath %s) --out $@" % (_CA_BUNDLE, certs),
        tools = [_CA_BUNDLE],
    )
    image_layer(
        name = name + "_layer_base",
        directories = {
            "/home/nonroot": "0755 65532 65532",
            "/tmp": "1777",
            # Sticky as in Debian (base-files); the tree's copy loses the bit.
            "/var/tmp": "1777",
        },
        files = {
            ":%s_ca_bundle" % name: "/etc/ssl/certs/ca-certificates.crt",
            "etc/group": "/etc/group",
            "etc/passwd": "/etc/passwd",
        },
        layer_name = "base",
        # tzdata's maintainer script would point /etc/localtime at the
        # configured zone (tzdata ships /usr/share/zoneinfo/localtime ->
        # /etc/localtime).
        symlinks = {"/etc/localtime": "/usr/share/zoneinfo/Etc/UTC"},
        trees = {base: "/"},
    )
    # The lock the roots come from, for the images' provenance.
    native.alias(
        name = name + "_debian_lock",
        actual = lock,
    )

    # The Debian roots the two layers are made of, each package with its
    # locked version: what an image's status.d must list (dpkg_status_test).
    native.filegroup(
        name = name + "_debian_packages",
        srcs = [_packages_txt(base), _packages_txt(python)],
    )
    image_layer(
        name = name + "_layer_python",
        layer_name = "python",
        symlinks = {"/usr/bin/python3": interpreter.rpartition("/")[2]},
        trees = {python: "/"},
    )
