"""What a stack's gates expect, read from the stack's lock, never from constants.

A stack is a lock plus an interpreter. The gates take every expected version
from the lock (``REQUIREMENTS_LOCK``, or ``--lock``), so the same gate
modules serve any stack:

- a distribution's version: its pin (``numpy==1.26.4`` -> ``1.26.4``);
- the CUDA libraries torch must load: the sonames of the locked CUDA runtime,
  cuBLAS and cuDNN (``libcudart.so.12``, ``libcublas.so.12``, ``libcudnn.so.9``);
- the CUDA version torch and bitsandbytes must be built for: the major.minor
  of the locked CUDA runtime (``nvidia-cuda-runtime-cu12==12.4.127`` ->
  ``12.4``); PyPI's torch wheel carries it only in its local version label,
  so the torch expected is ``<pin>+cu<major><minor>`` (``2.5.1+cu124``).

Standard library only (plus the lock parser, itself standard library), so it
runs inside an image with the image's interpreter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pypi.locks import normalize_name, read_lock
from rules_common.cli import UserError

LOCK_ENV = "REQUIREMENTS_LOCK"
CUDA_RUNTIME = "nvidia-cuda-runtime-cu12"
CUDNN = "nvidia-cudnn-cu12"


class StackError(UserError):
    """The stack's lock is missing or lacks what a gate needs."""


@dataclass(frozen=True)
class Stack:
    lock: str
    pins: dict[str, str]  # normalised name -> version

    def version(self, name: str) -> str:
        """The pinned version of `name`; StackError when the lock has none."""
        key = normalize_name(name)
        if key not in self.pins:
            raise StackError(
                f"{self.lock} pins no {key}: this gate needs it (add it to the "
                "stack's requirements.in and recompile the lock)"
            )
        return self.pins[key]

    def has(self, name: str) -> bool:
        return normalize_name(name) in self.pins

    @property
    def cuda(self) -> str:
        """major.minor of the locked CUDA runtime (``12.4``)."""
        runtime = self.version(CUDA_RUNTIME)
        parts = runtime.split(".")
        if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
            raise StackError(
                f"{self.lock}: {CUDA_RUNTIME}=={runtime} is not a CUDA version"
            )
        return ".".join(parts[:2])

    @property
    def cuda_libraries(self) -> tuple[str, ...]:
        """The sonames torch loads from the locked nvidia packages: the CUDA
        runtime's and cuBLAS's major is the CUDA major, cuDNN's its pin's."""
        major = self.cuda.split(".")[0]
        cudnn = self.version(CUDNN).split(".")[0]
        return (
            f"libcudart.so.{major}",
            f"libcublas.so.{major}",
            f"libcudnn.so.{cudnn}",
        )

    @property
    def torch_version(self) -> str:
        """What ``torch.__version__`` must be: the pin plus the CUDA label."""
        return f"{self.version('torch')}+cu{self.cuda.replace('.', '')}"


def load(lock_path: str | None = None) -> Stack:
    """The stack of `lock_path`, else of $REQUIREMENTS_LOCK."""
    path = lock_path or os.environ.get(LOCK_ENV)
    if not path:
        raise StackError(
            f"no lock to read expectations from: set {LOCK_ENV} to the stack's "
            "requirements_lock.txt (the gate macros do) or pass --lock"
        )
    lock = read_lock(path)
    return Stack(path, {pin.name: pin.version for pin in lock.pins})
