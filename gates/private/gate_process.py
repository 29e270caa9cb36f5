"""Test helper: run Python in a child process with the gates importable.

The gates' failing-case tests break the environment of a child interpreter
(fake packages put first on its path, an environment variable removed), never
their own process's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import gates.private
from gates.private.numpy_gate import child_interpreter

# The directory holding gates/, which a child needs on its path.
GATES_ROOT = str(Path(gates.private.__file__).parent.parent.parent)


def child_path(front: Sequence[str] = (), back: Sequence[str] = ()) -> str:
    """PYTHONPATH for a child: `front`, the gates, this process's path, `back`."""
    return os.pathsep.join([*front, GATES_ROOT, *[p for p in sys.path if p], *back])


def run_python(
    args: Sequence[str],
    *,
    front: Sequence[str] = (),
    back: Sequence[str] = (),
    unset: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` on this interpreter with `child_path(front, back)`."""
    env = dict(os.environ, PYTHONPATH=child_path(front, back))
    for name in unset:
        env.pop(name, None)
    return subprocess.run(
        [*child_interpreter(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
