"""The interpreter a lock is resolved for: its PEP 508 environment and wheel tags.

A `Target` is read from the interpreter's facts (`@<interpreter>//:python.json`,
written by //deb's python_interpreter from its lock: version, full version,
glibc, machine), so nothing here names a Python, a glibc or a CPU: marker
evaluation and wheel selection for a CPython on manylinux x86_64 or aarch64
follow from those facts.
The logic is PyPA's `packaging` (markers, tags, wheel filenames); what is ours
is that the target is fixed, so the result never depends on the machine the
tool runs on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
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

from rules_common.cli import UserError

ARCH = "x86_64"  # the default, for facts written before `machine` was one
# manylinux_2_X aliases (PEP 600): each legacy tag stands for one glibc.
_LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def _pair(text: str, what: str) -> tuple[int, int]:
    parts = text.split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise UserError(f"{what} {text!r} is not MAJOR.MINOR")
    return int(parts[0]), int(parts[1])


_MACHINES = ("x86_64", "aarch64")


@dataclass(frozen=True)
class Target:
    """CPython `python` on manylinux `machine` with glibc <= `glibc`."""

    python: tuple[int, int]
    full_version: str
    glibc: tuple[int, int]
    machine: str = ARCH
    _rank: dict[Tag, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_facts(cls, path: str) -> Target:
        """The target of an interpreter's `python.json`."""
        try:
            with open(path, encoding="utf-8") as f:
                facts = json.load(f)
            version, full, glibc = (
                facts["version"],
                facts["full_version"],
                facts["glibc"],
            )
        except OSError as e:
            raise UserError(f"cannot read --python-info {path}: {e.strerror}") from None
        except (ValueError, KeyError, TypeError) as e:
            raise UserError(
                f"{path}: expected version, full_version and glibc ({e})"
            ) from None
        machine = facts.get("machine", ARCH)
        if machine not in _MACHINES:
            raise UserError(f"{path}: machine {machine!r} is not one of {_MACHINES}")
        return cls(_pair(version, "version"), str(full), _pair(glibc, "glibc"), machine)

    @property
    def python_tag(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    @property
    def platform(self) -> str:
        return f"manylinux_{self.glibc[0]}_{self.glibc[1]}_{self.machine}"

    def describe(self) -> str:
        major, minor = self.glibc
        return f"{self.python_tag} manylinux {self.machine} (glibc <= {major}.{minor})"

    @property
    def environment(self) -> dict[str, str]:
        """The environment markers of the target interpreter (PEP 508)."""
        return {
            "os_name": "posix",
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "implementation_name": "cpython",
            "implementation_version": self.full_version,
            "python_version": f"{self.python[0]}.{self.python[1]}",
            "python_full_version": self.full_version,
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }

    def _platforms(self) -> list[str]:
        major, newest = self.glibc
        platforms: list[str] = []
        for minor in range(newest, 4, -1):
            platforms.append(f"manylinux_{major}_{minor}_{self.machine}")
            if major == 2 and minor in _LEGACY:
                platforms.append(f"{_LEGACY[minor]}_{self.machine}")
        return platforms

    def supported_tags(self) -> list[Tag]:
        """The target's tags, most specific first (as pip ranks them)."""
        platforms = self._platforms()
        tags = list(cpython_tags(self.python, [self.python_tag], platforms))
        tags += list(compatible_tags(self.python, self.python_tag, platforms))
        return tags

    def _ranks(self) -> dict[Tag, int]:
        if not self._rank:
            self._rank.update({t: i for i, t in enumerate(self.supported_tags())})
        return self._rank

    def marker_applies(self, marker: str | Marker | None, extra: str = "") -> bool:
        """Whether a PEP 508 marker holds on the target; ValueError if malformed."""
        if marker is None:
            return True
        try:
            parsed = marker if isinstance(marker, Marker) else Marker(marker)
            return bool(parsed.evaluate({**self.environment, "extra": extra}))
        except (InvalidMarker, UndefinedComparison) as e:
            raise ValueError(str(e)) from None

    def wheel_rank(self, filename: str) -> int | None:
        """Rank of a wheel on the target (lower fits better); None: it does not fit."""
        try:
            _, _, _, tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        ranks = self._ranks()
        found = [ranks[tag] for tag in tags if tag in ranks]
        return min(found) if found else None

    def select_wheel(self, files: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
        """The best-fitting wheel among PyPI release files, or None.

        Ties (the same best tag) go to the higher build number, then the filename.
        """
        best: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        for entry in files:
            filename = str(entry.get("filename", ""))
            if not filename.endswith(".whl"):
                continue
            rank = self.wheel_rank(filename)
            if rank is None:
                continue
            build = parse_wheel_filename(filename)[2]
            number, suffix = build if build else (-1, "")
            key = (rank, -number, suffix, filename)
            if best is None or key < best[0]:
                best = (key, entry)
        return None if best is None else best[1]


def wheel_name(filename: str) -> tuple[NormalizedName, Version]:
    """(normalised project name, version) of a wheel; ValueError if malformed."""
    try:
        name, version, _, _ = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion) as e:
        raise ValueError(str(e)) from None
    return name, version


__all__ = ["Target", "canonicalize_name", "wheel_name"]
