"""How each gate's ``main()`` reports: problems to stderr and exit 1, or one OK line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def report(gate: str, problems: Sequence[str], ok_summary: str = "") -> int:
    """Print the outcome of ``gate`` and return its exit status (0 pass, 1 fail)."""
    if problems:
        print(f"{gate}: FAILED ({len(problems)} problem(s))", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.stderr.flush()
        return 1
    print(f"{gate}: OK" + (f" ({ok_summary})" if ok_summary else ""))
    sys.stdout.flush()
    return 0
