"""The wrapper and BUILD file that turn a Debian root into a Python interpreter."""

def _find_root():
    # The one place that finds a root beside the program that runs from it.
    # The root is a tree artifact (deb/private/unpack.bzl) staged in runfiles,
    # under the directory of the program's repository: the program's own
    # runfiles (`<program>.runfiles/<repo>/root`: a tool in an action, `bazel
    # run`), or the runfiles it is itself part of (`root` beside it: the
    # interpreter of a py_binary, a program a test names by $(rootpath)).
    # Made absolute, so a program that changes directory keeps it.
    return """\
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
repo=${here##*/}
root=
for candidate in "$0.runfiles/$repo/root" "$here/root" "${RUNFILES_DIR:-/nonexistent}/$repo/root"; do
  if [ -d "$candidate" ]; then
    root=$(cd "$candidate" && pwd)
    break
  fi
done
if [ -z "$root" ]; then
  echo "$0: the Debian root of @$repo is in none of its runfiles (looked in $0.runfiles/$repo and beside it)" >&2
  exit 127
fi
"""

def python_interpreter_wrapper(interpreter):
    """Returns a POSIX sh script that runs `interpreter` from the root beside it.

    The root's own loader and libraries are used, never the host's. `--argv0`
    makes sys.executable this wrapper, so subprocesses started through
    sys.executable stay on the same interpreter; PYTHONHOME points Python at the
    root's standard library. It never writes bytecode: the root is an output
    that every tool reads, and a `.pyc` written there would change every
    tool's inputs (a second build once re-ran 93 actions of //:image).

    Args:
      interpreter: path of the interpreter binary relative to the root.

    Returns:
      The script's content.
    """
    return """\
#!/bin/sh
# Python from pinned Debian packages, run with the root's own loader and libraries.
""" + _find_root() + """\
PYTHONHOME="$root/usr"
PYTHONDONTWRITEBYTECODE=1
export PYTHONHOME PYTHONDONTWRITEBYTECODE
""" + _own_loader_exec(interpreter)

def _own_loader_exec(binary, libdir = "lib"):
    # The one place that runs a program of a root through the root's own loader.
    # libdir: where the loader is, "lib" (through bookworm's /lib; a merged-/usr
    # root's `lib` link) or "usr/lib" (a root staged file by file, no links).
    return """\
exec "$root/{libdir}/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
  --library-path "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" \\
  --argv0 "$0" "$root/{binary}" "$@"
""".format(binary = binary, libdir = libdir)

def root_binary_wrapper(binary, own_loader = True, libdir = "lib"):
    """Returns a POSIX sh script that runs `binary` from the root beside it.

    Args:
      binary: path of the program relative to the root.
      own_loader: run it with the root's own loader and libraries, never the
        host's; False for a program that needs only the build machine's libc
        (the root then holds no libc).
      libdir: where the root's loader is ("lib" or "usr/lib").

    Returns:
      The script's content.
    """
    script = """\
#!/bin/sh
# A program from pinned Debian packages""" + (", run with the root's own loader and libraries." if own_loader else ".") + "\n" + _find_root()
    if not own_loader:
        return script + 'exec "$root/{binary}" "$@"\n'.format(binary = binary)
    return script + _own_loader_exec(binary, libdir)

def root_binary_build(name):
    """Returns the BUILD file of a repository holding a wrapped program.

    Args:
      name: the program's target name.

    Returns:
      The BUILD file's content.
    """
    return """\
exports_files(["packages.txt"])

sh_binary(
    name = "{name}",
    srcs = ["{name}.sh"],
    data = [":root"],
    visibility = ["//visibility:public"],
)
""".format(name = name)

def root_binary_in_repository_build(name, binary):
    """Returns the BUILD file of a program whose root is unpacked in its repository.

    The wrapper `<name>.sh` and the files it runs are source files of the
    repository, at `external/<repo>/...` in every configuration: a Make
    variable naming the wrapper works in a genrule (the execroot) and, as
    `../<repo>/<name>.sh`, in a test's runfiles. Only the binary and
    usr/lib/x86_64-linux-gnu (the loader and libraries) are staged.

    Args:
      name: the program's target name.
      binary: the program, relative to the root.

    Returns:
      The BUILD file's content.
    """
    return """\
exports_files(["packages.txt", "{name}.sh"])

filegroup(
    name = "{name}_files",
    srcs = ["{name}.sh", "root/{binary}"] + glob(["root/usr/lib/x86_64-linux-gnu/**"]),
    visibility = ["//visibility:public"],
)

sh_binary(
    name = "{name}",
    srcs = ["{name}.sh"],
    data = [":{name}_files"],
    visibility = ["//visibility:public"],
)
""".format(name = name, binary = binary)

def _upstream(debian_version):
    """ "2:3.11.2-6+deb12u8" -> "3.11.2": no epoch, no Debian revision."""
    version = debian_version.partition(":")[2] if ":" in debian_version else debian_version
    return version.rpartition("-")[0] if "-" in version else version

# Debian's architecture -> the machine name Python and wheel tags use.
_MACHINES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
}

def python_facts(interpreter, lock):
    """The facts of a Debian Python interpreter, written once per toolchain.

    Args:
      interpreter: path of the interpreter binary relative to the root, e.g.
        "usr/bin/python3.11".
      lock: the decoded Debian lock the root is made from (for the exact
        Python and glibc versions).

    Returns:
      A dict: `version` ("3.11"), `full_version` ("3.11.2"), `glibc` ("2.36",
      the root's libc6: the newest manylinux wheels it runs), `machine`
      (the CPU, as `platform.machine()` says it: x86_64, aarch64), `interpreter`
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
    arch = lock.get("arch", "amd64")
    if arch not in _MACHINES:
        fail("interpreter %r: the lock is for %s; known: %s" % (interpreter, arch, ", ".join(sorted(_MACHINES))))
    return {
        "full_version": _upstream(packages[binary]["version"]),
        "glibc": ".".join(glibc[:2]),
        "interpreter": "/" + interpreter,
        "machine": _MACHINES[arch],
        "site_packages": "usr/local/lib/python%s/dist-packages" % version,
        "version": version,
    }

def python_interpreter_build():
    """Returns the BUILD file of an interpreter repository."""
    return """\
exports_files(["python3", "python.json", "packages.txt"])

filegroup(
    name = "files",
    srcs = [":root"],
    visibility = ["//visibility:public"],
)
"""
