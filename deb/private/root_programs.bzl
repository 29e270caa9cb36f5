"""The wrapper and BUILD file that turn a Debian root into a Python interpreter."""

def python_interpreter_wrapper(interpreter):
    """Returns a POSIX sh script that runs `interpreter` from the root beside it.

    The root's own loader and libraries are used, never the host's. `--argv0`
    makes sys.executable this wrapper, so subprocesses started through
    sys.executable stay on the same interpreter; PYTHONHOME points Python at the
    root's standard library. It never writes bytecode: the root is a
    repository's source tree that every tool reads, and a `.pyc` written
    there by the first build's tools changed every tool's runfiles (a second
    build re-ran 93 actions of //:image).

    Args:
      interpreter: path of the interpreter binary relative to the root.

    Returns:
      The script's content.
    """
    return """\
#!/bin/sh
# Python from pinned Debian packages, run with the root's own loader and libraries.
here=$(dirname "$(readlink -f "$0")")
root="$here/root"
PYTHONHOME="$root/usr"
PYTHONDONTWRITEBYTECODE=1
export PYTHONHOME PYTHONDONTWRITEBYTECODE
""" + _own_loader_exec(interpreter)

def _own_loader_exec(binary):
    # The one place that runs a program of a root through the root's own loader.
    return """\
exec "$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
  --library-path "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" \\
  --argv0 "$0" "$root/{binary}" "$@"
""".format(binary = binary)

def root_binary_wrapper(binary, own_loader = True):
    """Returns a POSIX sh script that runs `binary` from the root beside it.

    Args:
      binary: path of the program relative to the root.
      own_loader: run it with the root's own loader and libraries, never the
        host's; False for a program that needs only the build machine's libc
        (the root then holds no libc).

    Returns:
      The script's content.
    """
    if not own_loader:
        return """\
#!/bin/sh
exec "$(dirname "$(readlink -f "$0")")/root/{binary}" "$@"
""".format(binary = binary)
    return """\
#!/bin/sh
# A program from pinned Debian packages, run with the root's own loader and libraries.
root="$(dirname "$(readlink -f "$0")")/root"
""" + _own_loader_exec(binary)

def root_binary_build(name):
    """Returns the BUILD file of a repository holding a wrapped program.

    Args:
      name: the program's target name.

    Returns:
      The BUILD file's content.
    """
    return """\
exports_files(["root", "packages.txt"])

# File by file: Bazel 7 sends no source directory in runfiles to a remote
# worker (bazelbuild/bazel#11495).
sh_binary(
    name = "{name}",
    srcs = ["{name}.sh"],
    data = glob(["root/**"]),
    visibility = ["//visibility:public"],
)
""".format(name = name)

def _upstream(debian_version):
    """ "2:3.11.2-6+deb12u8" -> "3.11.2": no epoch, no Debian revision."""
    version = debian_version.partition(":")[2] if ":" in debian_version else debian_version
    return version.rpartition("-")[0] if "-" in version else version

def python_facts(interpreter, lock):
    """The facts of a Debian Python interpreter, written once per toolchain.

    Args:
      interpreter: path of the interpreter binary relative to the root, e.g.
        "usr/bin/python3.11".
      lock: the decoded Debian lock the root is made from (for the exact
        Python and glibc versions).

    Returns:
      A dict: `version` ("3.11"), `full_version` ("3.11.2"), `glibc` ("2.36",
      the root's libc6: the newest manylinux wheels it runs), `interpreter`
      (its image path, "/usr/bin/python3.11") and `site_packages` (where
      Debian's Python looks for locally installed distributions,
      "usr/local/lib/python3.11/dist-packages", relative to the image root).
    """
    binary = interpreter.rpartition("/")[2]
    if not binary.startswith("python3."):
        fail("interpreter %r: expected a path ending in python3.<minor>" % interpreter)
    version = binary.removeprefix("python")
    packages = lock["packages"]
    for needed in (binary, "libc6"):
        if needed not in packages:
            fail("interpreter %r: the lock has no %s package" % (interpreter, needed))
    glibc = _upstream(packages["libc6"]["version"]).split(".")
    return {
        "full_version": _upstream(packages[binary]["version"]),
        "glibc": ".".join(glibc[:2]),
        "interpreter": "/" + interpreter,
        "site_packages": "usr/local/lib/python%s/dist-packages" % version,
        "version": version,
    }

def python_interpreter_build():
    """Returns the BUILD file of an interpreter repository."""
    return """\
exports_files(["python3", "python.json", "root", "packages.txt"])

# File by file: Bazel 7 sends no source directory in runfiles to a remote
# worker (bazelbuild/bazel#11495). Bytecode is never part of it.
filegroup(
    name = "files",
    srcs = glob(["root/**"], exclude = ["root/**/__pycache__/**"]),
    visibility = ["//visibility:public"],
)
"""
