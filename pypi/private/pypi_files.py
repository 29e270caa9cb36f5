"""The files of one release, from the one index its package may come from.

A stack's index configuration (index_config.py) says which index each
package comes from; this asks that index only (simple_index.py: PEP 691
JSON or PEP 503 HTML) for the project's page and keeps the files of the
pinned version, each tagged with the index's name. A page without sizes
(PEP 503 HTML) gets the chosen file's size from a HEAD request.

Standard library only.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from pypi.private import simple_index, target
from pypi.private.index_config import IndexConfig
from pypi.private.pip_lock_file import normalize_name
from rules_common.cli import UserError

# A release file: simple_index.ReleaseFile plus "index" (the index's name).
ReleaseFile = dict[str, Any]
Fetch = Callable[[str, str], list[ReleaseFile]]
SizeOf = Callable[[ReleaseFile], int]


def _normalize_version(version: str) -> str:
    return version.strip().lower().replace("_", "-")


def file_version(filename: str, name: str) -> str | None:
    """The version in a wheel or sdist filename of project `name`, if it is one."""
    if filename.endswith(".whl"):
        try:
            project, version = target.wheel_name(filename)
        except ValueError:
            return None
        return str(version) if project == name else None
    for suffix in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            # The project part may itself contain `-`: match it by normalized name.
            for i, char in enumerate(stem):
                if char == "-" and normalize_name(stem[:i]) == name:
                    return stem[i + 1 :]
    return None


def release_files(
    files: list[simple_index.ReleaseFile], name: str, version: str
) -> list[ReleaseFile]:
    """The files of `version` of project `name` among a project page's files."""
    wanted = _normalize_version(version)
    return [
        f
        for f in files
        if (found := file_version(str(f.get("filename", "")), name)) is not None
        and _normalize_version(found) == wanted
    ]


def index_fetch(
    config: IndexConfig, get: simple_index.Get = simple_index.http_get
) -> Fetch:
    """A Fetch that asks, for each package, the one index `config` assigns it."""

    def fetch(name: str, version: str) -> list[ReleaseFile]:
        project = normalize_name(name)
        index = config.index_for(project)
        files = release_files(
            simple_index.project_files(index, project, get), project, version
        )
        if not files:
            why = (
                f"it is assigned to that index in {config.source}"
                if project in config.packages
                else f"{config.source} assigns it no other index, so only the "
                "default is asked"
            )
            raise UserError(
                f"{name}=={version}: index {index.name} "
                f"({simple_index.redact(index.url)}) "
                f"has no such release ({why}); fix the pin or the assignment"
            )
        return [{**f, "index": index.name} for f in files]

    return fetch


def head_size(config: IndexConfig) -> SizeOf:
    """A file's size from a HEAD request (with its index's credentials)."""

    def size_of(file: ReleaseFile) -> int:
        index = config.indexes[file["index"]]
        request = urllib.request.Request(file["url"], method="HEAD")
        simple_index.authorize(request, index)
        shown = simple_index.redact(file["url"])
        try:
            with simple_index.OPENER.open(request, timeout=60) as response:
                length = response.headers.get("Content-Length")
        except (urllib.error.URLError, OSError) as e:
            raise UserError(
                f"index {index.name}: HEAD {shown} failed: {getattr(e, 'reason', e)}"
            ) from None
        if length is None or not length.isdigit():
            raise UserError(f"index {index.name}: HEAD {shown} gave no Content-Length")
        return int(length)

    return size_of
