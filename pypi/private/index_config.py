"""Which index each package of a lock comes from: a stack's indexes as data.

A stack's `indexes.json`, beside its lock, names its indexes, the default
one, and the packages assigned to another:

    {
      "default": "pypi",
      "indexes": [
        {"name": "pypi", "url": "https://pypi.org/simple/"},
        {"name": "pytorch-cu124", "url": "https://download.pytorch.org/whl/cu124/"}
      ],
      "packages": {"torch": "pytorch-cu124", "triton": "pytorch-cu124"}
    }

A package assigned to an index is looked up there only, whatever another
index offers under its name; every other package only on the default index.
No file means PyPI alone. URLs are a simple API root, https (http only on
loopback), without credentials: those come from the environment or netrc
(simple_index.credentials).

Standard library only.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from pypi.private.pip_lock_file import normalize_name
from pypi.private.simple_index import Index
from rules_common.cli import UserError

PYPI = Index("pypi", "https://pypi.org/simple/")

MAX_CONFIG_BYTES = 1024 * 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_PROJECT = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")


@dataclass(frozen=True)
class IndexConfig:
    """A stack's indexes (by name), its default one and the assignments."""

    source: str
    default: Index
    indexes: dict[str, Index]
    packages: dict[str, str]

    def index_for(self, project: str) -> Index:
        """The one index `project` may come from."""
        name = self.packages.get(normalize_name(project))
        return self.indexes[name] if name is not None else self.default


def pypi_only() -> IndexConfig:
    return IndexConfig("(no indexes.json: PyPI only)", PYPI, {PYPI.name: PYPI}, {})


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, where: str) -> str:
    """A simple API root URL, ending in `/`; refuses credentials and plain http."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UserError(f"{where}: {url!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise UserError(
            f"{where}: the URL holds credentials; remove them and set them in the "
            "environment or a netrc file instead (see docs/INDEXES.md)"
        )
    if parts.query or parts.fragment:
        raise UserError(
            f"{where}: {url!r} has a query or fragment; give the index root"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise UserError(
            f"{where}: {url!r} is plain http; an index must be https "
            "(http only on loopback)"
        )
    return url if url.endswith("/") else url + "/"


def parse(data: Any, source: str) -> IndexConfig:
    if not isinstance(data, dict):
        raise UserError(f"{source}: expected a JSON object")
    unknown = sorted(set(data) - {"default", "indexes", "packages"})
    if unknown:
        raise UserError(
            f"{source}: unknown key(s) {unknown} (default, indexes, packages)"
        )
    entries = data.get("indexes")
    if not isinstance(entries, list) or not entries:
        raise UserError(
            f"{source}: `indexes` must be a non-empty list of {{name, url}}"
        )
    indexes: dict[str, Index] = {}
    for i, entry in enumerate(entries):
        where = f"{source}: indexes[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"name", "url"}:
            raise UserError(f'{where}: expected exactly {{"name", "url"}}')
        name, url = entry["name"], entry["url"]
        if not isinstance(name, str) or not _NAME.match(name):
            raise UserError(f"{where}: name {name!r} must match {_NAME.pattern}")
        if name in indexes:
            raise UserError(f"{where}: index {name!r} is named twice")
        if not isinstance(url, str):
            raise UserError(f"{where}: url must be a string")
        indexes[name] = Index(name, check_url(url, f"{where} ({name})"))
    default = data.get("default", PYPI.name if PYPI.name in indexes else None)
    if default not in indexes:
        raise UserError(
            f"{source}: default index {default!r} is not one of {sorted(indexes)}"
        )
    assignments = data.get("packages", {})
    if not isinstance(assignments, dict):
        raise UserError(f"{source}: `packages` must map package names to index names")
    packages: dict[str, str] = {}
    for project, index in sorted(assignments.items()):
        if not isinstance(project, str) or not _PROJECT.match(normalize_name(project)):
            raise UserError(f"{source}: packages: {project!r} is not a package name")
        if index not in indexes:
            raise UserError(
                f"{source}: packages: {project} is assigned to {index!r}, which is not "
                f"one of the indexes {sorted(indexes)}"
            )
        key = normalize_name(project)
        if key in packages:
            raise UserError(f"{source}: packages: {key} is assigned twice")
        packages[key] = index
    return IndexConfig(source, indexes[default], indexes, packages)


def load(path: str | None) -> IndexConfig:
    """The configuration in `path`; PyPI only if `path` is None."""
    if path is None:
        return pypi_only()
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise UserError(f"{path}: over {MAX_CONFIG_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: not valid JSON ({e})") from None
    return parse(data, path)
