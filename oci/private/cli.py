"""Shared command-line plumbing: user errors become one message and exit 1."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


class UserError(Exception):
    """A failure the user can fix (bad spec, missing input, conflict).

    Reported as a single `prog: error: message` line, never a traceback.
    """


def run(prog: str, main: Callable[[Sequence[str] | None], int]) -> None:
    """Run `main`, turning expected failures into a one-line message."""
    try:
        code = main(None)
    except UserError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 1
    except OSError as e:
        # Missing or unreadable inputs, full disks: the message names the file.
        print(f"{prog}: error: {e}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def note(prog: str, message: str) -> None:
    """A progress or warning line on stderr."""
    print(f"{prog}: {message}", file=sys.stderr, flush=True)
