"""Parse wheel filenames and rank their tags for the target.

The target is CPython 3.11 on manylinux x86_64 with glibc <= 2.36:
``select_wheel`` picks the most specific wheel that installs there.

Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pypi.private.pip_lock_file import normalize_name

_PY_MAJOR, _PY_MINOR = 3, 11
_GLIBC_MAX_MINOR = 36
_ARCH = "x86_64"
_LEGACY_MANYLINUX = {
    f"manylinux1_{_ARCH}": 5,
    f"manylinux2010_{_ARCH}": 12,
    f"manylinux2014_{_ARCH}": 17,
}


@dataclass(frozen=True)
class WheelName:
    name: str  # normalized
    version: str
    build: tuple[int, str]  # (number, suffix); (-1, "") when absent
    tags: frozenset[tuple[str, str, str]]


def parse_wheel_filename(filename: str) -> WheelName:
    if not filename.endswith(".whl"):
        raise ValueError(f"not a wheel filename: {filename}")
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise ValueError(f"malformed wheel filename: {filename}")
    build: tuple[int, str] = (-1, "")
    if len(parts) == 6:
        match = re.fullmatch(r"(\d+)(.*)", parts[2])
        if not match:
            raise ValueError(f"malformed build tag in wheel filename: {filename}")
        build = (int(match.group(1)), match.group(2))
    python_tags, abi_tags, platform_tags = parts[-3:]
    tags = frozenset(
        (py, abi, plat)
        for py in python_tags.split(".")
        for abi in abi_tags.split(".")
        for plat in platform_tags.split(".")
    )
    return WheelName(normalize_name(parts[0]), parts[1], build, tags)


def _platform_rank(platform: str) -> int | None:
    """Glibc minor version of a manylinux x86_64 tag we accept; 0 for `any`."""
    if platform == "any":
        return 0
    if platform in _LEGACY_MANYLINUX:
        return _LEGACY_MANYLINUX[platform]
    match = re.fullmatch(rf"manylinux_(\d+)_(\d+)_{_ARCH}", platform)
    if match and int(match.group(1)) == 2 and int(match.group(2)) <= _GLIBC_MAX_MINOR:
        return int(match.group(2))
    return None


def _interpreter_rank(python: str, abi: str, platform: str) -> int | None:
    """Rank of (python, abi) for the target; lower is more specific."""
    cp = f"cp{_PY_MAJOR}{_PY_MINOR}"
    generic = [f"py{_PY_MAJOR}{_PY_MINOR}", f"py{_PY_MAJOR}"] + [
        f"py{_PY_MAJOR}{minor}" for minor in range(_PY_MINOR - 1, -1, -1)
    ]
    if platform != "any":
        if python == cp and abi == cp:
            return 0
        if abi == "abi3":
            match = re.fullmatch(rf"cp{_PY_MAJOR}(\d+)", python)
            if match and 2 <= int(match.group(1)) <= _PY_MINOR:
                return 1 + (_PY_MINOR - int(match.group(1)))  # cp311-abi3 first
        if abi == "none":
            if python == cp:
                return 20
            if python in generic:
                return 30 + generic.index(python)
        return None
    if abi != "none":
        return None
    if python == cp:
        return 50
    if python in generic:
        return 60 + generic.index(python)
    return None


def tag_rank(tag: tuple[str, str, str]) -> tuple[int, int] | None:
    """Sort key for one tag (lower is better), or None if it does not fit the target."""
    python, abi, platform = tag
    glibc = _platform_rank(platform)
    if glibc is None:
        return None
    interpreter = _interpreter_rank(python, abi, platform)
    if interpreter is None:
        return None
    return (interpreter, -glibc)


def wheel_rank(wheel: WheelName) -> tuple[int, int] | None:
    ranks = [rank for rank in (tag_rank(tag) for tag in wheel.tags) if rank is not None]
    return min(ranks) if ranks else None


def select_wheel(files: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The best-fitting wheel among PyPI release files, or None."""
    best: tuple[tuple[Any, ...], dict[str, Any]] | None = None
    for entry in files:
        filename = entry.get("filename", "")
        if not filename.endswith(".whl"):
            continue
        try:
            wheel = parse_wheel_filename(filename)
        except ValueError:
            continue
        rank = wheel_rank(wheel)
        if rank is None:
            continue
        key = (rank, -wheel.build[0], wheel.build[1], filename)
        if best is None or key < best[0]:
            best = (key, entry)
    return None if best is None else best[1]
