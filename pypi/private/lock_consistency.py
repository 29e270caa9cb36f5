#!/usr/bin/env python3
"""Check, offline, that a pip-compile lock is closed and consistent.

Inputs: the lock (requirements_lock.txt), the intent (requirements.in) and a
site-packages tree installed from the lock. Checks, for the target of
`--python-info` (the interpreter's python.json, e.g. CPython 3.11, Linux
x86_64):

  (a) every name is pinned exactly once, with ==;
  (b) every requirement in requirements.in is pinned at a version it allows;
  (c) every Requires-Dist of every installed pin that applies on the target
      (following requested extras) is pinned at a version it allows;
  (d) every pin is installed at its version, and nothing else is installed.

All problems are reported at once; exit 0 when there are none, 1 otherwise,
2 when an input cannot be read. Uses `packaging` (from the build tools' lock).
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import re
import sys
from collections import deque
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pypi.private.pip_lock_file import INDEX_OPTIONS, UPDATE_COMMAND, logical_lines
from pypi.private.target import Target
from rules_common.cli import UserError

_HASH_RE = re.compile(r"\s--hash[=\s]\s*\S+")


class InputError(Exception):
    """An input cannot be read at all."""


def _read(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise InputError(f"cannot read {what} {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} {path} is not UTF-8 text") from None


def describe(requirement: Requirement) -> str:
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


def _option_problem(where: str, line: str, what: str) -> str | None:
    """A problem for an option line, or None when the option is harmless."""
    option = re.split(r"[=\s]", line, maxsplit=1)[0]
    if option in ("-r", "--requirement", "-c", "--constraint"):
        return (
            f"{where}: `{option}` includes another file, which {what} does not "
            "support; "
            "list the requirements directly"
        )
    if option in ("-e", "--editable"):
        return (
            f"{where}: editable requirements (`{line}`) cannot be locked for an image"
        )
    if option in INDEX_OPTIONS:
        return None
    return f"{where}: unsupported option `{option}`"


# --------------------------------------------------------------------------
# Inputs


@dataclass
class Pin:
    name: str  # canonical
    version: Version
    requirement: Requirement
    line: int


@dataclass
class Installed:
    name: str  # canonical
    display_name: str
    version: Version
    requires: list[str]
    dist_info: str


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    edges: int = 0

    def add(self, problem: str) -> None:
        self.problems.append(problem)


def parse_lock(path: str, report: Report) -> list[Pin]:
    name = os.path.basename(path)
    pins: list[Pin] = []
    for number, line in logical_lines(_read(path, "lock file")):
        where = f"{name}:{number}"
        if line.startswith("-"):
            problem = _option_problem(where, line, "the lock")
            if problem:
                report.add(problem)
            continue
        text = _HASH_RE.sub("", " " + line).strip()
        try:
            requirement = Requirement(text)
        except InvalidRequirement as e:
            report.add(f"{where}: cannot parse `{text}`: {e}")
            continue
        specs = list(requirement.specifier)
        if (
            requirement.url
            or len(specs) != 1
            or specs[0].operator not in ("==", "===")
            or specs[0].version.endswith(".*")
        ):
            report.add(
                f"{where}: {requirement.name} is not pinned to one version "
                f"(`{text}`); regenerate the lock with `{UPDATE_COMMAND}`"
            )
            continue
        try:
            version = Version(specs[0].version)
        except InvalidVersion:
            report.add(
                f"{where}: {requirement.name} has an invalid version "
                f"`{specs[0].version}`"
            )
            continue
        pins.append(
            Pin(canonicalize_name(requirement.name), version, requirement, number)
        )
    return pins


def parse_requirements_in(path: str, report: Report) -> list[tuple[int, Requirement]]:
    name = os.path.basename(path)
    requirements: list[tuple[int, Requirement]] = []
    for number, line in logical_lines(_read(path, "requirements file")):
        where = f"{name}:{number}"
        if line.startswith("-"):
            problem = _option_problem(where, line, name)
            if problem:
                report.add(problem)
            continue
        try:
            requirements.append((number, Requirement(line)))
        except InvalidRequirement as e:
            report.add(f"{where}: cannot parse `{line}`: {e}")
    return requirements


def read_site_packages(site: str, report: Report) -> dict[str, Installed]:
    try:
        entries = sorted(os.listdir(site))
    except OSError as e:
        raise InputError(f"cannot read site-packages {site}: {e.strerror}") from None
    parser = email.parser.HeaderParser()
    installed: dict[str, Installed] = {}
    for entry in entries:
        if not entry.endswith(".dist-info"):
            continue
        metadata_path = os.path.join(site, entry, "METADATA")
        try:
            with open(metadata_path, encoding="utf-8") as f:
                metadata = parser.parse(f)
        except (OSError, UnicodeDecodeError) as e:
            report.add(f"{entry} in {site}: cannot read METADATA ({e})")
            continue
        display, raw_version = metadata.get("Name"), metadata.get("Version")
        if not display or not raw_version:
            report.add(f"{entry} in {site}: METADATA lacks Name or Version")
            continue
        try:
            version = Version(raw_version.strip())
        except InvalidVersion:
            report.add(f"{entry} in {site}: invalid Version `{raw_version.strip()}`")
            continue
        key = canonicalize_name(display.strip())
        if key in installed:
            report.add(
                f"{key} is installed twice in {site} "
                f"({installed[key].dist_info} and {entry})"
            )
            continue
        requires = [str(value) for value in metadata.get_all("Requires-Dist") or []]
        installed[key] = Installed(key, display.strip(), version, requires, entry)
    return installed


# --------------------------------------------------------------------------
# Checks


def check(
    lock_path: str, in_path: str, site: str, target: Target
) -> tuple[list[str], str]:
    """Returns (problems, one-line summary)."""

    def applies(marker: Marker | None, extra: str = "") -> bool:
        return target.marker_applies(marker, extra)

    report = Report()
    lock_name = os.path.basename(lock_path)
    all_pins = parse_lock(lock_path, report)
    roots = parse_requirements_in(in_path, report)
    installed = read_site_packages(site, report)

    # (a) every name pinned exactly once; only pins whose marker holds apply.
    lines: dict[str, list[int]] = {}
    for pin in all_pins:
        lines.setdefault(pin.name, []).append(pin.line)
    for name, numbers in sorted(lines.items()):
        if len(numbers) > 1:
            where = ", ".join(str(n) for n in numbers)
            report.add(
                f"{name} is pinned {len(numbers)} times in {lock_name} (lines {where})"
            )
    pins: dict[str, Pin] = {}
    for pin in all_pins:
        if applies(pin.requirement.marker):
            pins.setdefault(pin.name, pin)

    def check_requirement(requirement: Requirement, who: str) -> bool:
        """True when `requirement` is pinned at an allowed version."""
        name = canonicalize_name(requirement.name)
        report.edges += 1
        if requirement.url:
            report.add(
                f"{who} requires {requirement.name} from a URL, which cannot be locked"
            )
            return False
        pin = pins.get(name)
        if pin is None:
            report.add(
                f"{who} requires {describe(requirement)} but the lock has no pin "
                f"for {name}"
            )
            return False
        if not requirement.specifier.contains(pin.version, prereleases=True):
            report.add(
                f"{who} requires {describe(requirement)} but the lock pins "
                f"{name}=={pin.version}"
            )
            return False
        return True

    # (b) requirements.in is satisfied by the pins. Its extras, and those of
    # the pins, add (distribution, extra) activations for (c).
    in_name = os.path.basename(in_path)
    activations: deque[tuple[str, str]] = deque()
    for name, pin in sorted(pins.items()):
        activations.append((name, ""))
        for extra in sorted(pin.requirement.extras):
            activations.append((name, canonicalize_name(extra)))
    for number, requirement in roots:
        if not applies(requirement.marker):
            continue
        check_requirement(requirement, f"{in_name}:{number}")
        for extra in sorted(requirement.extras):
            activations.append(
                (canonicalize_name(requirement.name), canonicalize_name(extra))
            )

    # (c) the dependency closure: every applicable Requires-Dist is pinned.
    # An extra activation checks only what that extra adds.
    seen: set[tuple[str, str]] = set()
    while activations:
        name, extra = activations.popleft()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        dist = installed.get(name)
        if dist is None or name not in pins:
            continue  # reported by (b)/(c) for the requirer, or by (d)
        who = f"{dist.display_name} {dist.version}" + (
            f" (extra '{extra}')" if extra else ""
        )
        for line in dist.requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement as e:
                report.add(
                    f"{dist.display_name} {dist.version}: bad Requires-Dist "
                    f"`{line}`: {e}"
                )
                continue
            if not applies(requirement.marker, extra):
                continue
            if extra and applies(requirement.marker, ""):
                continue  # not added by the extra: checked without it
            check_requirement(requirement, who)
            for wanted in sorted(requirement.extras):
                activations.append(
                    (canonicalize_name(requirement.name), canonicalize_name(wanted))
                )

    # (d) the tree holds exactly the pins, at the pinned versions.
    for name, pin in sorted(pins.items()):
        dist = installed.get(name)
        if dist is None:
            report.add(f"{name}=={pin.version} is pinned but not installed in {site}")
        elif dist.version != pin.version:
            report.add(
                f"{name} is pinned at {pin.version} but {dist.version} is installed "
                f"in {site} ({dist.dist_info})"
            )
    for name, dist in sorted(installed.items()):
        if name not in pins:
            report.add(
                f"{name} {dist.version} is installed in {site} but not pinned "
                f"in {lock_name}"
            )

    summary = (
        f"{lock_name} is consistent: {len(pins)} pins, {len(roots)} requirements in "
        f"{in_name}, {len(installed)} installed distributions, "
        f"{report.edges} requirements checked"
    )
    return report.problems, summary


def site_below(prefix: str, python_info: str) -> str:
    """The site-packages inside `prefix` (the image's /usr/local)."""
    try:
        with open(python_info, encoding="utf-8") as f:
            site = json.load(f)["site_packages"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"cannot read site_packages from {python_info}: {e}") from None
    head, sep, rest = str(site).partition("usr/local/")
    if head or not sep or not rest:
        raise InputError(
            f"{python_info}: site_packages {site!r} is not below usr/local/"
        )
    return os.path.join(prefix, rest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--lock", required=True, help="requirements_lock.txt")
    parser.add_argument("--requirements-in", required=True, help="requirements.in")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--site-packages", help="tree installed from the lock")
    where.add_argument(
        "--prefix",
        help="install prefix composed from the lock (its site-packages is "
        "python.json's, below usr/local)",
    )
    parser.add_argument(
        "--python-info", required=True, help="the target interpreter's python.json"
    )
    args = parser.parse_args(argv)
    try:
        target = Target.from_facts(args.python_info)
    except UserError as e:
        print(f"lock_consistency: error: {e}", file=sys.stderr)
        return 2
    try:
        site = args.site_packages or site_below(args.prefix, args.python_info)
        problems, summary = check(args.lock, args.requirements_in, site, target)
    except InputError as e:
        print(f"lock_consistency: error: {e}", file=sys.stderr)
        return 2
    if problems:
        count = len(problems)
        print(
            f"lock_consistency: {count} problem{'s' if count != 1 else ''} "
            f"(fix requirements.in, then run `{UPDATE_COMMAND}`):\n  - "
            + "\n  - ".join(problems),
            file=sys.stderr,
        )
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
