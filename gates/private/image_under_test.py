"""The image a test checks: its OCI layout, and its root unpacked for running.

The in-image gates run the IMAGE's interpreter and libraries, not the host's
and not Bazel's runfiles (an image for another CPU, arm64 here, runs them
under qemu-user, called directly on the image's loader): the layers are
unpacked in order (whiteouts honoured) into a temporary root, and Python
starts through that root's own
loader with `--library-path` into the root, `PYTHONHOME` at the root's /usr
(so sys.path is the image's, its /usr/local/lib/python3.X/dist-packages
included) and a clean environment. Only the gate modules (and the standard
library modules they import) come from outside, copied into a directory of
their own; REQUIREMENTS_LOCK names the stack's lock the gates read.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence

from oci import layouts

# Per image architecture: Debian's multiarch directory and the dynamic loader.
MACHINES = {
    "amd64": (
        "x86_64",
        "x86_64-linux-gnu",
        "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    ),
    "arm64": (
        "aarch64",
        "aarch64-linux-gnu",
        "lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
    ),
}
# What the gates import from this repository: copied in, nothing else.
GATE_MODULES = (
    "gates.private",
    "pypi.locks",
    "pypi.private.pip_lock_file",
    "rules_common.cli",
)


def copy_modules(names: Sequence[str], into: str) -> None:
    """Copy each module (a package: its directory) under `into`, with the
    `__init__.py` of every parent package, keeping the dotted layout."""
    for name in names:
        module = importlib.import_module(name)
        source = module.__file__ or ""
        parts = name.split(".")
        for depth in range(1, len(parts)):
            parent = importlib.import_module(".".join(parts[:depth]))
            target = os.path.join(into, *parts[:depth])
            os.makedirs(target, exist_ok=True)
            init = getattr(parent, "__file__", None)
            if init and os.path.basename(init) == "__init__.py":
                shutil.copyfile(init, os.path.join(target, "__init__.py"))
        if os.path.basename(source) == "__init__.py":
            shutil.copytree(
                os.path.dirname(source),
                os.path.join(into, *parts),
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        else:
            shutil.copyfile(source, os.path.join(into, *parts[:-1], parts[-1] + ".py"))


def runfile(env_var: str) -> str:
    """The path a test's `env` attribute gives in `env_var` ($(rootpath ...))."""
    value = os.environ.get(env_var)
    if not value:
        raise RuntimeError(f"{env_var} is not set: run this test with bazel test")
    return os.path.abspath(value)


def image_config(layout: str) -> dict[str, object]:
    """The image config's `config` object (Entrypoint, Env, User, ...)."""
    image = layouts.read_image(layout)
    return dict(image.config.get("config") or {})


def loader_command(
    root: str, architecture: str, emulator: str | None, host_machine: str
) -> list[str]:
    """How to start the image's own loader: directly, or under `emulator`
    (qemu-user, `-L root` so the guest's absolute paths resolve in the root)
    when the image is for another CPU than this machine's."""
    if architecture not in MACHINES:
        raise RuntimeError(
            f"the image is for {architecture!r}; the gates know {sorted(MACHINES)}"
        )
    machine, multiarch, loader = MACHINES[architecture]
    library_path = ":".join(
        os.path.join(root, d, multiarch) for d in ("lib", "usr/lib")
    )
    command = [os.path.join(root, loader), "--library-path", library_path]
    if machine == host_machine:
        return command
    if not emulator:
        raise RuntimeError(
            f"the image is for {architecture} and this machine is {host_machine}: "
            "give the gates an emulator (image_gates' emulator, IMAGE_EMULATOR)"
        )
    return [emulator, "-L", root, *command]


class UnpackedImage:
    """An image unpacked into a temporary root, with a way to run Python in it."""

    def __init__(
        self,
        layout: str,
        lock: str,
        interpreter: str,
        emulator: str | None = None,
    ) -> None:
        self.workdir = tempfile.mkdtemp(
            prefix="image-", dir=os.environ.get("TEST_TMPDIR")
        )
        self.root = os.path.join(self.workdir, "root")
        layouts.unpack(layout, self.root)
        self.checks = os.path.join(self.workdir, "checks")
        copy_modules(GATE_MODULES, self.checks)
        self.lock = lock
        self.interpreter = interpreter.lstrip("/")
        architecture = str(layouts.read_image(layout).config.get("architecture"))
        self.loader = loader_command(
            self.root, architecture, emulator, platform.machine()
        )
        self.home = os.path.join(self.workdir, "home")
        os.makedirs(self.home)
        self.python = self._write_python_wrapper()

    def _write_python_wrapper(self) -> str:
        # sys.executable becomes this wrapper (--argv0), so subprocesses that a
        # gate starts through sys.executable stay on the image's loader too.
        path = os.path.join(self.workdir, "python3")
        loader = " ".join(f'"{part}"' for part in self.loader)
        with open(path, "w", encoding="utf-8") as f:
            f.write(
                "#!/bin/sh\n"
                f'exec {loader} --argv0 "$0" "{self.root}/{self.interpreter}" "$@"\n'
            )
        os.chmod(path, 0o755)
        return path

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": self.home,
            "PYTHONHOME": os.path.join(self.root, "usr"),
            "PYTHONPATH": self.checks,
            "REQUIREMENTS_LOCK": self.lock,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        env.update(extra or {})
        return env

    def run_python(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.python, *args],
            env=self.environment(env),
            cwd=cwd or self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_python(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str,
        log: object,
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [self.python, *args],
            env=self.environment(env),
            cwd=cwd,
            stdout=log,  # type: ignore[arg-type]
            stderr=subprocess.STDOUT,
            text=True,
        )

    def path(self, image_path: str) -> str:
        return os.path.join(self.root, image_path.lstrip("/"))

    def remove(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def stack_version_problems(
    version: subprocess.CompletedProcess[str],
    numpy: subprocess.CompletedProcess[str],
    full_version: str,
    numpy_pin: str,
) -> list[str]:
    """What is wrong with `python3 --version` and numpy's version in an image,
    against the stack's interpreter (its python.json) and its numpy pin."""
    problems = []
    if version.returncode != 0 or version.stdout.split() != ["Python", full_version]:
        problems.append(
            f"python3 --version in the image says {version.stdout.strip()!r} "
            f"(exit {version.returncode}), the stack's interpreter is {full_version}"
        )
    if numpy.returncode != 0:
        problems.append(
            f"import numpy failed in the image: {numpy.stderr.strip()[-300:]}"
        )
    elif numpy.stdout.strip() != numpy_pin:
        problems.append(
            f"numpy in the image is {numpy.stdout.strip()}, the lock pins {numpy_pin}"
        )
    return problems


def dumps(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
