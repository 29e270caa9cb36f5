"""Debian version comparison (Debian Policy 5.6.12, as dpkg implements it).

`compare_versions` orders two version strings; `version_satisfies` checks a
relation operator (`<<`, `<=`, `=`, `>=`, `>>` and the obsolete `<`, `>`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Version:
    epoch: int
    upstream: str
    revision: str

    @classmethod
    def parse(cls, text: str) -> Version:
        text = text.strip()
        if not text:
            raise ValueError("empty version")
        epoch = 0
        if ":" in text:
            epoch_text, text = text.split(":", 1)
            if not (epoch_text.isascii() and epoch_text.isdigit()):
                raise ValueError(
                    f"bad epoch {epoch_text!r} in version {epoch_text}:{text}"
                )
            epoch = int(epoch_text)
        upstream, sep, revision = text.rpartition("-")
        if not sep:
            upstream, revision = text, ""
        if not upstream:
            raise ValueError(f"empty upstream version in {text!r}")
        return cls(epoch, upstream, revision)


def _char_order(c: str) -> int:
    """Sort weight of one non-digit character: `~` < end < letters < others."""
    if c == "~":
        return -1
    if c.isascii() and c.isalpha():
        return ord(c)
    return ord(c) + 256


def _is_digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _compare_fragment(a: str, b: str) -> int:
    """Compare two upstream (or revision) strings the way dpkg's verrevcmp does."""
    i = j = 0
    while i < len(a) or j < len(b):
        # Non-digit prefix, character by character.
        while (i < len(a) and not _is_digit(a, i)) or (
            j < len(b) and not _is_digit(b, j)
        ):
            ac = 0 if i >= len(a) or _is_digit(a, i) else _char_order(a[i])
            bc = 0 if j >= len(b) or _is_digit(b, j) else _char_order(b[j])
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        # Digit run, numerically.
        start_i, start_j = i, j
        while _is_digit(a, i):
            i += 1
        while _is_digit(b, j):
            j += 1
        na = int(a[start_i:i] or "0")
        nb = int(b[start_j:j] or "0")
        if na != nb:
            return -1 if na < nb else 1
    return 0


def compare_versions(a: str, b: str) -> int:
    """Return -1, 0 or 1 as Debian version `a` sorts before, equal to or after `b`."""
    va, vb = Version.parse(a), Version.parse(b)
    if va.epoch != vb.epoch:
        return -1 if va.epoch < vb.epoch else 1
    return _compare_fragment(va.upstream, vb.upstream) or _compare_fragment(
        va.revision, vb.revision
    )


_OPERATORS: dict[str, Callable[[int], bool]] = {
    "<<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    "<": lambda c: c <= 0,  # obsolete spelling of <=
    "=": lambda c: c == 0,
    ">=": lambda c: c >= 0,
    ">": lambda c: c >= 0,  # obsolete spelling of >=
    ">>": lambda c: c > 0,
}


def version_satisfies(version: str, op: str, wanted: str) -> bool:
    """True if `version op wanted` holds, e.g. ("1.2-1", ">=", "1.0")."""
    try:
        check = _OPERATORS[op]
    except KeyError:
        raise ValueError(f"unknown version operator {op!r}") from None
    return check(compare_versions(version, wanted))
