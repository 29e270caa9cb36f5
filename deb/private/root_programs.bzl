"""The wrapper and BUILD file that turn a Debian root into a Python interpreter."""

def python_interpreter_wrapper(interpreter):
    """Returns a POSIX sh script that runs `interpreter` from the root beside it.

    The root's own loader and libraries are used, never the host's. `--argv0`
    makes sys.executable this wrapper, so subprocesses started through
    sys.executable stay on the same interpreter; PYTHONHOME points Python at the
    root's standard library.

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
export PYTHONHOME
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

sh_binary(
    name = "{name}",
    srcs = ["{name}.sh"],
    data = ["root"],
    visibility = ["//visibility:public"],
)
""".format(name = name)

def python_facts(interpreter):
    """The facts of a Debian Python interpreter, written once per toolchain.

    Args:
      interpreter: path of the interpreter binary relative to the root, e.g.
        "usr/bin/python3.11".

    Returns:
      A dict: `version` ("3.11"), `interpreter` (its image path,
      "/usr/bin/python3.11") and `site_packages` (where Debian's Python looks
      for locally installed distributions, "usr/local/lib/python3.11/dist-packages",
      relative to the image root).
    """
    binary = interpreter.rpartition("/")[2]
    if not binary.startswith("python3."):
        fail("interpreter %r: expected a path ending in python3.<minor>" % interpreter)
    version = binary.removeprefix("python")
    return {
        "interpreter": "/" + interpreter,
        "site_packages": "usr/local/lib/python%s/dist-packages" % version,
        "version": version,
    }

def python_interpreter_build():
    """Returns the BUILD file of an interpreter repository."""
    return """\
exports_files(["defs.bzl", "python3", "python.json", "root", "packages.txt"])

filegroup(
    name = "files",
    srcs = ["root"],
    visibility = ["//visibility:public"],
)
"""
