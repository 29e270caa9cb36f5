"""Gate: bitsandbytes is the locked version, imports, and carries its CUDA library.

    python3 -m gates.private.bitsandbytes_gate [--lock requirements_lock.txt]
        [--expected-version V] [--expected-cuda X.Y]

The expected version and CUDA come from the stack's lock (``--lock`` or
``REQUIREMENTS_LOCK``; see gates.private.stack).

Checks, against the interpreter running it:

1. ``import bitsandbytes`` works and ``bitsandbytes.__version__`` is
   the lock's pin; its native library loaded (``cextension.lib``).
2. Its package directory holds ``libbitsandbytes_cuda<XY>.so`` (the library for
   the lock's CUDA, e.g. cuda124) and that file loads with ctypes; ``BNB_CUDA_VERSION``,
   which makes bitsandbytes load another CUDA's library, is not set.
3. With a GPU, the library bitsandbytes picked is the CUDA one.

Without a GPU, bitsandbytes logs "compiled without GPU support": expected here,
reported as a note, not a failure. Standard library only, apart from the import.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from gates.private import stack
from gates.private.reporting import report

NO_GPU_MESSAGE = "compiled without GPU support"
"""What bitsandbytes logs when it falls back to its CPU library (expected on CPU)."""


def pin_hint(expected_version: str) -> str:
    """What to do, naming the pin the lock holds."""
    return f"install bitsandbytes=={expected_version} from requirements_lock.txt"


def cuda_library_name(cuda_version: str) -> str:
    """``"12.4"`` -> ``"libbitsandbytes_cuda124.so"``."""
    return f"libbitsandbytes_cuda{cuda_version.replace('.', '')}.so"


# ---- facts -----------------------------------------------------------------


@dataclass
class BitsandbytesFacts:
    version: str | None = None
    import_error: str | None = None
    package_dir: str | None = None
    library_files: list[str] = field(default_factory=list)
    native_loaded: bool = False
    compiled_with_cuda: bool = False
    cuda_available: bool = False
    cuda_library_error: str | None = None
    """Why the expected CUDA library did not load with ctypes (``None``: it did)."""
    notes: list[str] = field(default_factory=list)
    """Warnings and log messages of the import (informational)."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def probe(expected_cuda: str) -> BitsandbytesFacts:
    """Import bitsandbytes, capturing its log output and warnings as notes."""
    facts = BitsandbytesFacts()
    handler = _Collect()
    bnb_logger = logging.getLogger("bitsandbytes")
    bnb_logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                import bitsandbytes
                import bitsandbytes.cextension as cextension
            except Exception as exc:  # noqa: BLE001 (absent or broken: a finding)
                facts.import_error = f"{type(exc).__name__}: {exc}"
                bitsandbytes = cextension = None
    finally:
        bnb_logger.removeHandler(handler)
    facts.notes = handler.messages + [
        f"{w.category.__name__}: {w.message}" for w in caught
    ]
    if bitsandbytes is None or cextension is None:
        return facts
    facts.version = str(getattr(bitsandbytes, "__version__", "unknown"))
    facts.package_dir = os.path.dirname(os.path.abspath(bitsandbytes.__file__ or ""))
    facts.library_files = sorted(
        n for n in os.listdir(facts.package_dir) if n.startswith("libbitsandbytes")
    )
    lib = getattr(cextension, "lib", None)
    facts.native_loaded = lib is not None
    facts.compiled_with_cuda = bool(getattr(lib, "compiled_with_cuda", False))
    import torch

    facts.cuda_available = bool(torch.cuda.is_available())
    wanted = os.path.join(facts.package_dir, cuda_library_name(expected_cuda))
    if os.path.exists(wanted):
        try:
            ctypes.CDLL(wanted)
        except OSError as exc:
            facts.cuda_library_error = str(exc)
    return facts


# ---- decisions -------------------------------------------------------------


def evaluate_bitsandbytes(
    version: str | None,
    package_dir: str | None,
    library_files: Sequence[str],
    *,
    import_error: str | None = None,
    native_loaded: bool = True,
    cuda_available: bool = False,
    compiled_with_cuda: bool = False,
    cuda_library_error: str | None = None,
    cuda_override: str | None = None,
    expected_version: str,
    expected_cuda: str,
) -> list[str]:
    """Problems with the bitsandbytes install; ``[]`` when it is usable."""
    hint = pin_hint(expected_version)
    if import_error is not None:
        missing = "ModuleNotFoundError" in import_error
        what = "is not installed" if missing else "does not import"
        return [f"bitsandbytes {what} ({import_error}); {hint}"]
    problems: list[str] = []
    if version != expected_version:
        problems.append(
            f"bitsandbytes is {version}, expected {expected_version}; {hint}"
        )
    library = cuda_library_name(expected_cuda)
    if library not in library_files:
        problems.append(
            f"{package_dir} has no {library} (it has: "
            f"{', '.join(library_files) or 'no native libraries'}): this bitsandbytes "
            f"cannot run on torch's CUDA {expected_cuda}; {hint} (the manylinux "
            "wheel ships one library per CUDA version)"
        )
    elif cuda_library_error is not None:
        problems.append(
            f"{package_dir}/{library} does not load ({cuda_library_error}): the file "
            "is damaged or the CUDA libraries torch brings (nvidia-*-cu12) are missing"
        )
    if cuda_override:
        problems.append(
            f"BNB_CUDA_VERSION={cuda_override} is set: bitsandbytes would load "
            f"libbitsandbytes_cuda{cuda_override}.so instead of {library}; unset it"
        )
    if not native_loaded:
        problems.append(
            "bitsandbytes imported but loaded no native library (cextension.lib is "
            f"None); see its log output above; {hint}"
        )
    elif cuda_available and not compiled_with_cuda:
        problems.append(
            "a GPU is visible but bitsandbytes loaded its CPU library: it found no "
            f"CUDA {expected_cuda} setup (check torch.version.cuda and the "
            "nvidia-*-cu12 packages)"
        )
    return problems


# ---- the gate --------------------------------------------------------------


def check(
    expected_version: str | None = None,
    expected_cuda: str | None = None,
    notes: list[str] | None = None,
    lock: str | None = None,
) -> list[str]:
    """The whole gate on the running interpreter; ``[]`` means pass.

    Expectations not given come from the stack's lock (see gates.private.stack). The
    import's log messages and warnings are appended to ``notes`` if given.
    """
    if expected_version is None or expected_cuda is None:
        locked = stack.load(lock)
        expected_version = expected_version or locked.version("bitsandbytes")
        expected_cuda = expected_cuda or locked.cuda
    cuda = expected_cuda
    facts = probe(cuda)
    if notes is not None:
        notes.extend(facts.notes)
    return evaluate_bitsandbytes(
        facts.version,
        facts.package_dir,
        facts.library_files,
        import_error=facts.import_error,
        native_loaded=facts.native_loaded,
        cuda_available=facts.cuda_available,
        compiled_with_cuda=facts.compiled_with_cuda,
        cuda_library_error=facts.cuda_library_error,
        cuda_override=os.environ.get("BNB_CUDA_VERSION") or None,
        expected_version=expected_version,
        expected_cuda=cuda,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.private.bitsandbytes_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--lock", help=f"the stack's lock (default: ${stack.LOCK_ENV})")
    parser.add_argument("--expected-version", help="default: the lock's pin")
    parser.add_argument(
        "--expected-cuda", help="default: the lock's CUDA runtime, major.minor"
    )
    args = parser.parse_args(argv)
    notes: list[str] = []
    try:
        locked = stack.load(args.lock)
        version = args.expected_version or locked.version("bitsandbytes")
        cuda = args.expected_cuda or locked.cuda
    except stack.StackError as e:
        return report("bitsandbytes gate", [str(e)])
    problems = check(version, cuda, notes)
    for note in notes:
        expected = " (expected without a GPU)" if NO_GPU_MESSAGE in note else ""
        print(f"note: {note.strip()}{expected}", file=sys.stderr)
    return report(
        "bitsandbytes gate",
        problems,
        f"bitsandbytes {version}, {cuda_library_name(cuda)} present and loadable",
    )


if __name__ == "__main__":
    sys.exit(main())
