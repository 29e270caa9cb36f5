"""Child process of ``numpy_gate``: import modules and report NumPy ABI trouble.

Run as a script, never imported by the code under test::

    python3 import_probe.py '{"sys_path": [...], "modules": ["torch", ...]}'

It imports each module with the NumPy ABI warnings turned into errors (and only
those: any other warning keeps its usual behaviour), records for each module
the exception it raised, if any, and any ABI message written to ``sys.stderr``
during the import (NumPy 2 prints "A module that was compiled using NumPy 1.x
..." there before raising). The last line of stdout is ``RESULT_MARKER`` plus
a JSON list of ``{"module", "error", "abi_messages"}``. Standard library only.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import re
import sys
import traceback
import warnings

RESULT_MARKER = "IMPORT-PROBE-RESULT:"

NUMPY_ABI_PATTERNS = (
    "A module that was compiled using NumPy 1.x cannot be run in NumPy 2",
    "numpy.dtype size changed",
    "numpy.ufunc size changed",
    "numpy.ndarray size changed",
    "_ARRAY_API not found",
    "module compiled against ABI version",
    "module compiled against API version",
    "numpy.core.multiarray failed to import",
    "numpy.core._multiarray_umath failed to import",
    "Failed to initialize NumPy",
)
"""Messages that mean "compiled against a NumPy this environment does not have"."""


def abi_messages_in(text: str) -> list[str]:
    """Each ``NUMPY_ABI_PATTERNS`` message in ``text``, up to the end of its sentence.

    Whitespace is normalised first: NumPy 2 wraps its message over lines
    ("... cannot be run in" / "NumPy 2.5.5 as it may crash."), so no single
    line carries the whole pattern.
    """
    flat = " ".join(text.split())
    lowered = flat.lower()
    found: list[str] = []
    for pattern in NUMPY_ABI_PATTERNS:
        start = lowered.find(pattern.lower())
        while start != -1:
            end = flat.find(". ", start + len(pattern))
            message = flat[start : end + 1 if end != -1 else start + 200].strip()
            if message not in found:
                found.append(message)
            start = lowered.find(pattern.lower(), start + len(pattern))
    return found


def install_abi_warning_filters() -> None:
    """Turn only the NumPy ABI warnings into errors (any category, message anywhere)."""
    for pattern in NUMPY_ABI_PATTERNS:
        warnings.filterwarnings("error", message=".*" + re.escape(pattern))


def probe_import(module: str) -> dict[str, object]:
    captured = io.StringIO()
    error: str | None = None
    with contextlib.redirect_stderr(captured):
        try:
            importlib.import_module(module)
        except BaseException as exc:  # noqa: BLE001 (SystemExit from a module counts too)
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = f"{type(exc).__name__}: {exc}"
            traceback.print_exc(file=captured)
    text = captured.getvalue()
    if text:
        sys.stderr.write(
            text
        )  # keep the import's own output for the parent's diagnostics
    return {"module": module, "error": error, "abi_messages": abi_messages_in(text)}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    sys.path[:] = list(spec["sys_path"])
    install_abi_warning_filters()
    results = [probe_import(m) for m in spec["modules"]]
    sys.stdout.write("\n" + RESULT_MARKER + json.dumps(results) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
