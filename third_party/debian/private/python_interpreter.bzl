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
exec "$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
  --library-path "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" \\
  --argv0 "$0" "$root/{interpreter}" "$@"
""".format(interpreter = interpreter)

def python_interpreter_build():
    """Returns the BUILD file of an interpreter repository."""
    return """\
exports_files(["python3", "root", "packages.txt"])

filegroup(
    name = "files",
    srcs = ["root"],
    visibility = ["//visibility:public"],
)
"""
