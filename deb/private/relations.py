"""Debian package relations and versions, on python-debian.

`parse_relations("a (>= 1) | b, c:any")` gives one tuple of alternatives per
comma-separated clause (python-debian's `PkgRelation` parser; arch
qualifiers dropped, the source-only syntax accepted and ignored).
`compare_versions` is dpkg's ordering (`debian_support.version_compare`);
`version_satisfies` checks a relation operator (`<<`, `<=`, `=`, `>=`, `>>`
and the obsolete `<`, `>`, which mean `<=` and `>=`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from debian import debian_support
from debian.deb822 import PkgRelation

# Debian Policy 5.6.1: lower case, digits, `+`, `-`, `.`; at least two
# characters (one is accepted here, as dpkg does for old packages).
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.\-]*", re.IGNORECASE)


@dataclass(frozen=True)
class Relation:
    name: str
    op: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        if self.op is None:
            return self.name
        return f"{self.name} ({self.op} {self.version})"


def _relation(parsed: dict[str, object], text: str) -> Relation:
    name = str(parsed.get("name") or "")
    if not _NAME_RE.fullmatch(name):
        # python-debian returns what it cannot parse whole as the name.
        raise ValueError(f"cannot parse relation {text.strip()!r}")
    version = parsed.get("version")
    if version is None:
        return Relation(name)
    op, ref = version  # type: ignore[misc]
    if not ref:
        raise ValueError(f"cannot parse relation {text.strip()!r}")
    return Relation(name, str(op), str(ref))


def parse_relation(text: str) -> Relation:
    """One relation, `name [(op version)]`; ValueError if malformed."""
    groups = parse_relations(text)
    if len(groups) != 1 or len(groups[0]) != 1:
        raise ValueError(f"cannot parse relation {text.strip()!r}")
    return groups[0][0]


def parse_relations(field: str) -> tuple[tuple[Relation, ...], ...]:
    """Parse `a (>= 1) | b, c:any` into ((a>=1, b), (c,))."""
    clauses = [clause for clause in field.split(",") if clause.strip()]
    groups: list[tuple[Relation, ...]] = []
    for clause in clauses:
        # Malformed text has python-debian log and return it raw; we refuse it.
        parsed = PkgRelation.parse_relations(clause)
        if len(parsed) != 1:
            raise ValueError(f"cannot parse relation {clause.strip()!r}")
        groups.append(tuple(_relation(alt, clause) for alt in parsed[0]))
    return tuple(groups)


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version `a` sorts before, equal to or after `b`."""
    for version in (a, b):
        debian_support.Version(version)  # ValueError if malformed
    result = debian_support.version_compare(a, b)
    return (result > 0) - (result < 0)


_OPERATORS: dict[str, Callable[[int], bool]] = {
    "<<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    "<": lambda c: c <= 0,  # obsolete spelling of <=
    "=": lambda c: c == 0,
    ">=": lambda c: c >= 0,
    ">": lambda c: c >= 0,  # obsolete spelling of >=
    ">>": lambda c: c > 0,
}


def version_satisfies(version: str, op: str | None, ref: str | None) -> bool:
    """Whether `version` satisfies the relation `(op ref)`; no op: always."""
    if op is None:
        return True
    if op not in _OPERATORS or ref is None:
        raise ValueError(f"unknown relation operator {op!r}")
    return _OPERATORS[op](compare_versions(version, ref))
