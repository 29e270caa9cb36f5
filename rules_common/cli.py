"""Shared command-line plumbing: user errors become one message and exit 1."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


class UserError(Exception):
    """A failure the user can fix (bad spec, missing input, conflict).

    Reported as a single `prog: error: message` line, never a traceback.
    """


def guarded(
    prog: str, main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None
) -> int:
    """Call `main(argv)`; an expected failure becomes one message and exit 1."""
    try:
        return main(argv)
    except UserError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        # Missing or unreadable inputs, full disks: the message names the file.
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130


def run(prog: str, main: Callable[[Sequence[str] | None], int]) -> None:
    """Run `main` on the command line's arguments and exit with its status."""
    sys.exit(guarded(prog, main, None))


def note(prog: str, message: str) -> None:
    """A progress or warning line on stderr, prefixed with the tool's name."""
    log(f"{prog}: {message}")


def log(message: str) -> None:
    """A progress line on stderr, flushed at once (Bazel shows it as it comes)."""
    print(message, file=sys.stderr, flush=True)
