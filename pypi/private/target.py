"""The interpreter a lock is resolved for: its PEP 508 environment and wheel tags.

One place for the target (CPython 3.11 on manylinux x86_64, glibc <= 2.36,
the bookworm interpreter): marker evaluation and wheel selection read it
from here. The logic is PyPA's `packaging` (markers, tags, wheel filenames);
what is ours is the fixed target, so that the result never depends on the
machine the tool runs on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

PYTHON_VERSION = (3, 11)
PYTHON_FULL_VERSION = "3.11.2"
GLIBC_MAX_MINOR = 36
ARCH = "x86_64"

# The environment markers of the target interpreter (PEP 508).
ENVIRONMENT: dict[str, str] = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": ARCH,
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "implementation_version": PYTHON_FULL_VERSION,
    "python_version": ".".join(map(str, PYTHON_VERSION)),
    "python_full_version": PYTHON_FULL_VERSION,
    "platform_release": "",
    "platform_version": "",
    "extra": "",
}

# manylinux_2_X aliases (PEP 600): each legacy tag stands for one glibc.
_LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def _platforms() -> list[str]:
    platforms: list[str] = []
    for minor in range(GLIBC_MAX_MINOR, 4, -1):
        platforms.append(f"manylinux_2_{minor}_{ARCH}")
        if minor in _LEGACY:
            platforms.append(f"{_LEGACY[minor]}_{ARCH}")
    return platforms


def supported_tags() -> list[Tag]:
    """The target's tags, most specific first (as pip ranks them)."""
    platforms = _platforms()
    interpreter = "cp" + "".join(map(str, PYTHON_VERSION))
    tags = list(cpython_tags(PYTHON_VERSION, [interpreter], platforms))
    tags += list(compatible_tags(PYTHON_VERSION, interpreter, platforms))
    return tags


_RANK = {tag: index for index, tag in enumerate(supported_tags())}


def marker_applies(marker: str | Marker | None, extra: str = "") -> bool:
    """Whether a PEP 508 marker holds on the target; ValueError if malformed."""
    if marker is None:
        return True
    try:
        parsed = marker if isinstance(marker, Marker) else Marker(marker)
        return bool(parsed.evaluate({**ENVIRONMENT, "extra": extra}))
    except (InvalidMarker, UndefinedComparison) as e:
        raise ValueError(str(e)) from None


def wheel_rank(filename: str) -> int | None:
    """Rank of a wheel on the target (lower fits better), None if it does not fit."""
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion):
        return None
    ranks = [_RANK[tag] for tag in tags if tag in _RANK]
    return min(ranks) if ranks else None


def wheel_name(filename: str) -> tuple[NormalizedName, Version]:
    """(normalised project name, version) of a wheel; ValueError if malformed."""
    try:
        name, version, _, _ = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion) as e:
        raise ValueError(str(e)) from None
    return name, version


def select_wheel(files: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The best-fitting wheel among PyPI release files, or None.

    Ties (the same best tag) go to the higher build number, then the filename.
    """
    best: tuple[tuple[Any, ...], dict[str, Any]] | None = None
    for entry in files:
        filename = str(entry.get("filename", ""))
        if not filename.endswith(".whl"):
            continue
        rank = wheel_rank(filename)
        if rank is None:
            continue
        build = parse_wheel_filename(filename)[2]
        number, suffix = build if build else (-1, "")
        key = (rank, -number, suffix, filename)
        if best is None or key < best[0]:
            best = (key, entry)
    return None if best is None else best[1]


__all__ = [
    "ENVIRONMENT",
    "canonicalize_name",
    "marker_applies",
    "select_wheel",
    "supported_tags",
    "wheel_name",
    "wheel_rank",
]
