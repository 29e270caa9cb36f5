"""Dependency closure of root packages over an `Index`.

`resolve_closure` follows `Pre-Depends` and `Depends` breadth-first from the
roots. Resolution rules, for each `a | b | c` clause of Pre-Depends/Depends:
  * alternatives are tried in order; the first one that is excluded drops the
    whole clause, the first one that a real package satisfies is taken;
  * a name is satisfied by the package of that name if its version meets the
    constraint, else by the first provider (sorted by name) whose `Provides`
    meets it (a versioned constraint needs a `Provides: x (= v)`);
  * a virtual name counts as excluded when an excluded package provides it;
  * arch qualifiers (`:any`) are ignored; if no alternative fits, the run fails
    and names the chain from the root.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence

from deb.private.packages_index import Index, Package
from deb.private.relations import Relation, version_satisfies
from rules_common.cli import UserError

# The file that lists the excluded packages, as errors name it.
EXCLUDE_FILE = "exclude.txt"


def relation_matches(pkg: Package, rel: Relation) -> bool:
    if rel.op is None or rel.version is None:
        return True
    return version_satisfies(pkg.version, rel.op, rel.version)


def provide_matches(provided: Relation, rel: Relation) -> bool:
    """A Provides entry satisfies a versioned relation only with `(= v)`."""
    if rel.op is None or rel.version is None:
        return True
    if provided.op != "=" or provided.version is None:
        return False
    return version_satisfies(provided.version, rel.op, rel.version)


def _is_excluded(rel: Relation, index: Index, excluded: frozenset[str]) -> bool:
    if rel.name in excluded:
        return True
    # A purely virtual name counts as excluded if an excluded package provides it
    # (debconf-2.0, provided by the excluded debconf).
    return index.get(rel.name) is None and any(
        pkg.name in excluded for pkg, _ in index.providers.get(rel.name, [])
    )


def _candidate(rel: Relation, index: Index, excluded: frozenset[str]) -> Package | None:
    """The real package that satisfies `rel`, if any.

    The package of that name comes first; otherwise the first provider by name
    (the index keeps providers sorted), so the choice is deterministic.
    """
    pkg = index.get(rel.name)
    if pkg is not None and relation_matches(pkg, rel):
        return pkg
    for provider, provided in index.providers.get(rel.name, []):
        if provider.name not in excluded and provide_matches(provided, rel):
            return provider
    return None


def _explain(rel: Relation, index: Index) -> str:
    pkg = index.get(rel.name)
    if pkg is not None:
        return f"{rel.name} is {pkg.version} in {pkg.suite.name}"
    providers = index.providers.get(rel.name, [])
    if providers:
        names = ", ".join(f"{p.name} ({prov})" for p, prov in providers)
        return f"{rel.name} is virtual, provided only by {names}"
    return f"{rel.name} is in no suite"


def resolve_group(
    group: tuple[Relation, ...],
    index: Index,
    excluded: frozenset[str],
    chain: Sequence[str],
) -> Package | None:
    """Pick the package for one `a | b | c` clause; None if it is excluded."""
    for rel in group:
        if _is_excluded(rel, index, excluded):
            return None
        pkg = _candidate(rel, index, excluded)
        if pkg is not None:
            return pkg
    clause = " | ".join(str(rel) for rel in group)
    reasons = "; ".join(_explain(rel, index) for rel in group)
    raise UserError(
        f"unsatisfiable dependency: {' -> '.join([*chain, clause])}\n  ({reasons})"
    )


def resolve_closure(
    roots: Sequence[str],
    index: Index,
    excluded: frozenset[str],
    roots_file: str = "<roots>",
) -> list[str]:
    """Breadth-first closure of `roots` over Pre-Depends and Depends, sorted."""
    parent: dict[str, str | None] = {}
    queue: collections.deque[str] = collections.deque()
    for root in roots:
        if root in excluded:
            raise UserError(
                f"root package {root!r} in {roots_file} is also in {EXCLUDE_FILE}"
            )
        if index.get(root) is None:
            hint = ""
            if index.providers.get(root):
                names = ", ".join(sorted({p.name for p, _ in index.providers[root]}))
                hint = (
                    f" (it is a virtual package provided by {names}; name one of those)"
                )
            raise UserError(
                f"root package {root!r} from {roots_file} is not in any suite{hint}"
            )
        if root not in parent:
            parent[root] = None
            queue.append(root)
    while queue:
        name = queue.popleft()
        pkg = index.packages[name]
        chain = _chain(name, parent)
        for group in pkg.depends:
            dep = resolve_group(group, index, excluded, chain)
            if dep is not None and dep.name not in parent:
                parent[dep.name] = name
                queue.append(dep.name)
    return sorted(parent)


def _chain(name: str, parent: Mapping[str, str | None]) -> list[str]:
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        chain.append(current)
        current = parent[current]
    return chain[::-1]
