"""debian_lock: the command that (re)writes a Debian distribution's lock."""

load("@rules_python//python:defs.bzl", "py_binary")

# The Debian archive keyring every InRelease is checked against (a file of
# the pinned debian-archive-keyring root, as release_test names it too).
_KEYRING = Label("@debian_keyring//:root/usr/share/keyrings/debian-archive-keyring.gpg")

def debian_lock(name, **kwargs):
    """`bazel run :<name>` resolves this package's distribution into `lock.json`.

    The package is a distribution's directory of data: `distribution.json`
    (name, arch, suites with their index and pool mirrors), `packages/` (one
    `<group>.txt` of root packages per group, and `exclude.txt`). The closure
    of each group's roots is resolved from the suites' `Packages` indexes and
    written, with each .deb's pool path, size, sha256 and URLs, to `lock.json`.
    Each suite's InRelease is verified with gpgv against the Debian archive
    keyring (both from pinned sid .debs), and each Packages.xz must have the
    sha256 and size it lists; an InRelease past its Valid-Until is refused.
    It needs the Debian mirror, so it is tagged `requires-network`.

    Args:
      name: the target's name, usually "lock".
      **kwargs: passed to the py_binary (e.g. visibility).
    """
    py_binary(
        name = name,
        srcs = [Label("//deb:debian_lock.py")],
        main = Label("//deb:debian_lock.py"),
        args = [
            "--distribution",
            native.package_name(),
            # Every InRelease is checked with pinned gpgv and keyring.
            "--gpgv=$(rootpath %s)" % Label("@gpgv//:gpgv"),
            "--keyring=$(rootpath %s)" % _KEYRING,
        ],
        data = [
            Label("@gpgv//:gpgv"),
            _KEYRING,
        ],
        deps = [Label("//deb:debian_lock_lib")],
        tags = ["requires-network"],
        **kwargs
    )
