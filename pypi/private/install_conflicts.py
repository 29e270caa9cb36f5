"""Two wheels writing one path: the check a stack's install makes across wheels.

Standard library only: compose_site_packages runs it on the wheels'
manifests, install_wheels on what it just extracted.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from rules_common.cli import UserError


def find_conflicts(installed: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
    """Paths two distributions both write with other content, or where one
    writes a file and another a directory: `installed` is (wheel file name,
    {prefix-relative path: sha256}) per wheel, in order."""
    owners: dict[str, tuple[str, str]] = {}
    directories: dict[str, str] = {}
    problems: list[str] = []
    for wheel, files in installed:
        for path, sha in sorted(files.items()):
            if path in owners:
                other, other_sha = owners[path]
                if other_sha != sha:
                    problems.append(
                        f"{other} and {wheel} both install {path} "
                        "with different content"
                    )
            else:
                owners[path] = (wheel, sha)
            parent = posixpath.dirname(path)
            while parent and parent not in directories:
                directories[parent] = wheel
                parent = posixpath.dirname(parent)
    for path, (wheel, _) in sorted(owners.items()):
        if path in directories:
            problems.append(
                f"{wheel} installs the file {path}, but "
                f"{directories[path]} installs a directory there"
            )
    return problems


def conflict_error(problems: Sequence[str]) -> UserError:
    return UserError(
        "wheels conflict; remove one of each pair from the lock:\n  - "
        + "\n  - ".join(problems)
    )
