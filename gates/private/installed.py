"""What is installed on ``sys.path``: distributions and package directories.

The gates look at every ``sys.path`` entry, not just the first match the import
system would pick: a second copy of a package further down the path is exactly
the "installed twice" failure the gates exist to catch. Standard library only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from pypi.locks import normalize_name

METADATA_SUFFIXES = (".dist-info", ".egg-info")


class Dist(NamedTuple):
    """One installed distribution: ``(name, version, location)``."""

    name: str
    version: str
    location: str


def normalize(name: str) -> str:
    """PEP 503 name: ``Sentence_Transformers`` -> ``sentence-transformers``."""
    return normalize_name(name)


def path_entries(paths: Iterable[str] | None = None) -> list[str]:
    """Existing directories among ``paths`` (default ``sys.path``), in order, once each.

    ``""`` means the current directory, as it does for the import system. Two
    entries that are the same directory (through a symlink) count once.
    """
    seen: set[str] = set()
    entries: list[str] = []
    for entry in sys.path if paths is None else paths:
        directory = entry or os.getcwd()
        if not os.path.isdir(directory):
            continue
        key = os.path.realpath(directory)
        if key in seen:
            continue
        seen.add(key)
        entries.append(directory)
    return entries


def _metadata_dirs(entry: str) -> list[Path]:
    try:
        names = sorted(os.listdir(entry))
    except OSError:
        return []
    return [Path(entry, n) for n in names if n.endswith(METADATA_SUFFIXES)]


def _name_from_dir(path: Path) -> str:
    stem = path.name.rsplit(".", 1)[0]
    return stem.split("-", 1)[0]


def _version_of(path: Path) -> str:
    try:
        version = metadata.PathDistribution(path).version
    except Exception:  # noqa: BLE001 (broken metadata: fall back to the dir name)
        version = None
    if version:
        return str(version)
    stem = path.name.rsplit(".", 1)[0]
    return stem.split("-", 2)[1] if "-" in stem else "unknown"


def find_distributions(name: str, paths: Iterable[str] | None = None) -> list[Dist]:
    """Every ``<name>-*.dist-info`` / ``<name>-*.egg-info`` on the path, in order."""
    wanted = normalize(name)
    found: list[Dist] = []
    for entry in path_entries(paths):
        for meta_dir in _metadata_dirs(entry):
            if normalize(_name_from_dir(meta_dir)) == wanted:
                found.append(Dist(name, _version_of(meta_dir), entry))
    return found


def find_package_dirs(package: str, paths: Iterable[str] | None = None) -> list[str]:
    """The path entries that hold an importable ``<package>/`` directory, in order."""
    return [
        entry
        for entry in path_entries(paths)
        if os.path.isfile(os.path.join(entry, package, "__init__.py"))
    ]


def all_distributions(
    paths: Iterable[str] | None = None,
) -> list[tuple[metadata.Distribution, str]]:
    """Every distribution on the path with the entry it lives in, in path order."""
    result: list[tuple[metadata.Distribution, str]] = []
    for entry in path_entries(paths):
        for meta_dir in _metadata_dirs(entry):
            result.append((metadata.PathDistribution(meta_dir), entry))
    return result


def describe(dists: Sequence[Dist]) -> str:
    """``"torch 2.5.1+cu124 in /a; torch 2.5.1+cu121 in /b"``."""
    return "; ".join(f"{d.name} {d.version} in {d.location}" for d in dists)


def evaluate_installed(
    installed: Iterable[tuple[str, str, str]],
    locked: dict[str, str],
    site_packages: str,
) -> list[str]:
    """Every locked distribution installed once, at its version, in `site_packages`.

    `installed` is (name, version, location) as importlib.metadata reports it;
    `locked` maps normalised names to pinned versions. Returns one message per
    problem: a distribution installed twice, outside `site_packages`, at
    another version, missing, or not in the lock.
    """
    problems = []
    found: dict[str, list[Dist]] = {}
    site = os.path.normpath(site_packages)
    for name, version, location in installed:
        found.setdefault(normalize(name), []).append(Dist(name, version, location))
        if os.path.normpath(location) != site:
            problems.append(f"{name} {version} is installed outside {site}: {location}")
    for name, dists in sorted(found.items()):
        if len(dists) > 1:
            problems.append(
                f"{name} is installed {len(dists)} times: {describe(dists)}"
            )
        elif name not in locked:
            problems.append(f"{name} {dists[0].version} is installed but not locked")
        elif dists[0].version != locked[name]:
            problems.append(
                f"{name} {dists[0].version} is installed, the lock pins {locked[name]}"
            )
    for name in sorted(set(locked) - set(found)):
        problems.append(f"{name}=={locked[name]} is locked but not installed")
    return problems
