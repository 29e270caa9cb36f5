"""Relation fields of a Packages stanza (Depends, Pre-Depends, Provides).

`parse_relations("a (>= 1) | b, c:any")` gives one tuple of alternatives per
comma-separated clause; arch qualifiers are dropped, and the source-only
syntax (arch restrictions, build profiles) is accepted and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    name: str
    op: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        if self.op is None:
            return self.name
        return f"{self.name} ({self.op} {self.version})"


_RELATION_RE = re.compile(
    r"""^\s*
    (?P<name>[A-Za-z0-9][A-Za-z0-9+.\-]*)      # package name
    (?::[A-Za-z0-9\-]+)?                       # arch qualifier (:any, :native)
    \s*
    (?:\(\s*(?P<op><<|<=|>=|>>|=|<|>)\s*(?P<version>[^)\s<=>]+)\s*\))?
    \s*
    (?:\[[^\]]*\])?                            # arch restriction (source only)
    \s*
    (?:<[^>]*>\s*)*                            # build profiles (source only)
    $""",
    re.VERBOSE,
)


def parse_relation(text: str) -> Relation:
    match = _RELATION_RE.match(text)
    if match is None:
        raise ValueError(f"cannot parse relation {text!r}")
    return Relation(match["name"], match["op"], match["version"])


def parse_relations(field: str) -> tuple[tuple[Relation, ...], ...]:
    """Parse `a (>= 1) | b, c:any` into ((a>=1, b), (c,))."""
    groups: list[tuple[Relation, ...]] = []
    for clause in field.split(","):
        if not clause.strip():
            continue
        groups.append(tuple(parse_relation(alt) for alt in clause.split("|")))
    return tuple(groups)
