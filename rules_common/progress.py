"""Progress lines on stderr for big inputs; silent for small ones."""

from __future__ import annotations

import sys
import time

GIB = 1 << 30


def human(n: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n} B"


class Progress:
    """Counts bytes; prints one line each time another `every` bytes pass.

    Nothing is printed until the first `every` bytes, so small layers stay
    quiet in Bazel's output.
    """

    def __init__(
        self, prog: str, label: str, total: int | None = None, every: int = GIB
    ) -> None:
        self.prog = prog
        self.label = label
        self.total = total
        self.every = every
        self.done = 0
        self._next = every
        self._start = time.monotonic()
        self.printed = False

    def update(self, n: int) -> None:
        self.done += n
        if self.done >= self._next:
            while self._next <= self.done:
                self._next += self.every
            self._print()

    def finish(self, message: str) -> None:
        """A closing line, only if progress was shown at all."""
        if self.printed:
            elapsed = time.monotonic() - self._start
            print(
                f"{self.prog}: {self.label}: {message} ({elapsed:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    def _print(self) -> None:
        self.printed = True
        elapsed = time.monotonic() - self._start
        of = f" of {human(self.total)}" if self.total else ""
        print(
            f"{self.prog}: {self.label}: {human(self.done)}{of} in {elapsed:.1f} s",
            file=sys.stderr,
            flush=True,
        )
