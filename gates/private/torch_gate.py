"""Gate: torch is the lock's CUDA build, installed once, and its CUDA libraries load.

    python3 -m gates.private.torch_gate [--lock requirements_lock.txt]
        [--expected-version V] [--expected-cuda X.Y]

Checks, against the interpreter running it (no GPU needed):

1. ``torch.__version__`` is the lock's torch pin with the CUDA label of the
   lock's CUDA runtime (``2.5.1+cu124``), and ``torch.version.cuda`` is that
   CUDA (``12.4``): a ``+cpu`` or ``+cu121`` wheel fails, with the reason.
2. ``torch._C`` is loaded.
3. The lock's CUDA libraries (``libcudart.so.12``, ``libcublas.so.12``,
   ``libcudnn.so.9`` for the CUDA stack; see gates.private.stack) are found in the
   ``nvidia/*/lib`` directories of the
   ``sys.path`` entry torch is installed in (torch finds them through RPATHs
   relative to its own directory) and load with ``ctypes``.
4. Exactly one torch distribution (``torch-*.dist-info`` / ``torch-*.egg-info``)
   and one ``torch/`` package directory on ``sys.path``.

The expected values come from the stack's lock (``--lock`` or
``REQUIREMENTS_LOCK``; see gates.private.stack); the arguments override them.
Standard library only, apart from importing torch itself.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from gates.private import stack
from gates.private.installed import (
    Dist,
    describe,
    find_distributions,
    find_package_dirs,
)
from gates.private.reporting import report


def pin_hint(expected_version: str, expected_cuda: str) -> str:
    """What to do, naming the pin the lock holds."""
    return (
        f"install torch=={expected_version.partition('+')[0]} from "
        f"requirements_lock.txt: PyPI's manylinux wheel is the CUDA {expected_cuda} "
        "build, and no other index (download.pytorch.org/whl/cpu, .../cu121) may "
        "be used"
    )


# ---- facts -----------------------------------------------------------------


@dataclass
class TorchFacts:
    version: str | None
    cuda_version: str | None
    import_error: str | None = None
    c_extension_loaded: bool = False
    location: str | None = None
    """The ``sys.path`` entry the imported torch lives in."""
    distributions: list[Dist] = field(default_factory=list)
    package_dirs: list[str] = field(default_factory=list)
    library_errors: dict[str, str] = field(default_factory=dict)
    """Library name -> why it did not load (absent when it loaded)."""
    library_paths: dict[str, str] = field(default_factory=dict)


def find_cuda_library(name: str, entries: Sequence[str]) -> str | None:
    """``<entry>/nvidia/*/lib/<name>`` in the first entry that has it."""
    for entry in entries:
        matches = sorted(
            glob.glob(os.path.join(glob.escape(entry), "nvidia", "*", "lib", name))
        )
        if matches:
            return matches[0]
    return None


def load_cuda_libraries(
    names: Iterable[str], torch_location: str | None, paths: Sequence[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Load each library from torch's own ``sys.path`` entry; (paths, errors)."""
    loaded: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in names:
        own = find_cuda_library(name, [torch_location]) if torch_location else None
        if own is None:
            elsewhere = find_cuda_library(
                name, [p for p in paths if p != torch_location]
            )
            where = (
                f" (there is one at {elsewhere}, which torch's RPATH does not reach)"
            )
            root = torch_location or "<torch not located>"
            errors[name] = f"not found under {root}/nvidia/*/lib" + (
                where if elsewhere else ""
            )
            continue
        try:
            ctypes.CDLL(own)
        except OSError as exc:
            errors[name] = f"{own} does not load: {exc}"
        else:
            loaded[name] = own
    return loaded, errors


def probe(libraries: Iterable[str], paths: Iterable[str] | None = None) -> TorchFacts:
    """Import torch and gather the facts (an import failure is a fact too);
    `libraries` are loaded with ctypes from the nvidia-* packages (they load
    without a GPU)."""
    path_list = list(sys.path if paths is None else paths)
    facts = TorchFacts(
        version=None,
        cuda_version=None,
        distributions=find_distributions("torch", path_list),
        package_dirs=find_package_dirs("torch", path_list),
    )
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 (a broken torch is a finding)
        facts.import_error = f"{type(exc).__name__}: {exc}"
    else:
        facts.version = str(torch.__version__)
        facts.cuda_version = torch.version.cuda
        facts.c_extension_loaded = "torch._C" in sys.modules and hasattr(torch, "_C")
        torch_file = torch.__file__ or ""
        facts.location = os.path.dirname(os.path.dirname(os.path.abspath(torch_file)))
    if facts.location is None and facts.package_dirs:
        facts.location = facts.package_dirs[0]
    facts.library_paths, facts.library_errors = load_cuda_libraries(
        libraries, facts.location, path_list
    )
    return facts


# ---- decisions -------------------------------------------------------------


def evaluate_torch(
    version: str | None,
    cuda_version: str | None,
    distributions: Sequence[tuple[str, str, str]],
    *,
    package_dirs: Sequence[str] = (),
    library_errors: Mapping[str, str] | None = None,
    c_extension_loaded: bool = True,
    import_error: str | None = None,
    expected_version: str,
    expected_cuda: str,
) -> list[str]:
    """Problems with the torch install; ``[]`` when it is the expected build, once."""
    problems: list[str] = []
    hint = pin_hint(expected_version, expected_cuda)
    dists = [Dist(*d) for d in distributions]
    if import_error is not None:
        problems.append(f"import torch failed ({import_error}); {hint}")
    else:
        if version != expected_version:
            local = (version or "").partition("+")[2]
            kind = (
                "the CPU-only build"
                if local == "cpu"
                else f"built for another CUDA ({local})"
                if local.startswith("cu")
                else "not the expected build"
            )
            problems.append(
                f"torch is {version}, expected {expected_version}: {kind}; {hint}"
            )
        if cuda_version is None:
            problems.append(
                f"torch.version.cuda is None, expected {expected_cuda}: this torch has "
                f"no CUDA support at all (a CPU-only wheel); {hint}"
            )
        elif cuda_version != expected_cuda:
            problems.append(
                f"torch.version.cuda is {cuda_version}, expected {expected_cuda}: the "
                "wheel targets another CUDA runtime, and bitsandbytes' CUDA "
                f"{expected_cuda} library and the nvidia-*-cu12 packages will not "
                f"match it; {hint}"
            )
        if not c_extension_loaded:
            problems.append(
                "torch imported but torch._C is not loaded: the torch package is "
                f"incomplete or shadowed by a stub; {hint}"
            )
    for name, error in sorted((library_errors or {}).items()):
        problems.append(
            f"CUDA library {name}: {error}; torch loads it from the nvidia-*-cu12 "
            "packages next to it, so install the locked nvidia packages into the same "
            "site-packages as torch (one merged tree, not one directory per wheel)"
        )
    if not dists:
        problems.append(
            "no torch-*.dist-info on sys.path: torch was copied in without its "
            f"metadata, so what is installed cannot be verified; {hint}"
        )
    elif len(dists) > 1:
        problems.append(
            f"{len(dists)} torch distributions on sys.path ({describe(dists)}): torch "
            "is installed twice (e.g. a base image's torch plus the locked one) and "
            "which one imports depends on path order; remove all but the locked one"
        )
    if len(package_dirs) > 1:
        problems.append(
            f"a torch/ package is on {len(package_dirs)} sys.path entries "
            f"({', '.join(package_dirs)}): the first shadows the others, mixing files "
            "of two installs is possible; remove all but the locked one"
        )
    return problems


# ---- the gate --------------------------------------------------------------


def check(
    expected_version: str | None = None,
    expected_cuda: str | None = None,
    lock: str | None = None,
) -> list[str]:
    """The whole gate on the running interpreter; ``[]`` means pass.

    Expectations not given come from the stack's lock (see gates.private.stack).
    """
    locked = stack.load(lock)
    expected_version = expected_version or locked.torch_version
    expected_cuda = expected_cuda or locked.cuda
    facts = probe(locked.cuda_libraries)
    return evaluate_torch(
        facts.version,
        facts.cuda_version,
        facts.distributions,
        package_dirs=facts.package_dirs,
        library_errors=facts.library_errors,
        c_extension_loaded=facts.c_extension_loaded,
        import_error=facts.import_error,
        expected_version=expected_version,
        expected_cuda=expected_cuda,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.private.torch_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--lock", help=f"the stack's lock (default: ${stack.LOCK_ENV})")
    parser.add_argument(
        "--expected-version", help="default: the lock's torch + CUDA label"
    )
    parser.add_argument(
        "--expected-cuda", help="default: the lock's CUDA runtime, major.minor"
    )
    args = parser.parse_args(argv)
    try:
        problems = check(args.expected_version, args.expected_cuda, args.lock)
    except stack.StackError as e:
        problems = [str(e)]
    summary = ""
    if not problems:
        import torch

        summary = (
            f"torch {torch.__version__}, CUDA {torch.version.cuda}, "
            f"{', '.join(stack.load(args.lock).cuda_libraries)} load, one install"
        )
    return report("torch gate", problems, summary)


if __name__ == "__main__":
    sys.exit(main())
