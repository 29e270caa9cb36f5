"""Fetch the files of one release from PyPI.

Both PyPI APIs, the per-release JSON API and the PEP 691 simple index, are
reduced to the same list of release files.

Standard library only.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from pypi.private import target
from pypi.private.pip_lock_file import normalize_name
from rules_common.cli import UserError

PYPI_JSON_URL = "https://pypi.org/pypi/{name}/{version}/json"
PYPI_SIMPLE_URL = "https://pypi.org/simple/{name}/"

# A release file, as both PyPI APIs are reduced to: {"filename": str,
# "url": absolute str, "sha256": lowercase hex str, "size": int | None}
ReleaseFile = dict[str, Any]
Fetch = Callable[[str, str], list[ReleaseFile]]

_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def _get_json(url: str, accept: str, label: str) -> Any:
    """GET a JSON document; None on 404. The only network access of this tool."""
    request = urllib.request.Request(
        url, headers={"Accept": accept, "User-Agent": "bazel-pypi-wheel-index"}
    )
    delay = 1.0
    for attempt in range(1, 5):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            if e.code < 500 or attempt == 4:
                raise UserError(f"{label}: {url} returned HTTP {e.code}") from None
        except (OSError, http.client.HTTPException) as e:
            if attempt == 4:
                reason = getattr(e, "reason", e)
                raise UserError(
                    f"{label}: cannot reach {url}: {reason} "
                    "(is pypi.org reachable, and its CA trusted?)"
                ) from None
        except json.JSONDecodeError:
            if attempt == 4:
                raise UserError(f"{label}: {url} did not return JSON") from None
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def files_from_release_json(data: Any, base_url: str) -> list[ReleaseFile]:
    """Files of a /pypi/<name>/<version>/json answer."""
    entries = data.get("urls") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(f"{base_url}: unexpected answer (no `urls` list)")
    return [
        {
            "filename": str(entry.get("filename", "")),
            "url": urllib.parse.urljoin(base_url, str(entry.get("url", ""))),
            "sha256": str((entry.get("digests") or {}).get("sha256", "")).lower(),
            "size": entry.get("size"),
        }
        for entry in entries
        if isinstance(entry, dict)
    ]


def _normalize_version(version: str) -> str:
    return version.strip().lower().replace("_", "-")


def _file_version(filename: str, name: str) -> str | None:
    """The version in a wheel or sdist filename of project `name`, if it is one."""
    if filename.endswith(".whl"):
        try:
            return str(target.wheel_name(filename)[1])
        except ValueError:
            return None
    for suffix in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            # The project part may itself contain `-`: match it by normalized name.
            for i, char in enumerate(stem):
                if char == "-" and normalize_name(stem[:i]) == name:
                    return stem[i + 1 :]
    return None


def files_from_simple_json(
    data: Any, name: str, version: str, base_url: str
) -> list[ReleaseFile]:
    """Files of `version` in a PEP 691 simple-index answer for project `name`."""
    entries = data.get("files") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(f"{base_url}: unexpected answer (no `files` list)")
    wanted = _normalize_version(version)
    files = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        filename = str(entry.get("filename", ""))
        found = _file_version(filename, name)
        if found is None or _normalize_version(found) != wanted:
            continue
        files.append(
            {
                "filename": filename,
                "url": urllib.parse.urljoin(base_url, str(entry.get("url", ""))),
                "sha256": str((entry.get("hashes") or {}).get("sha256", "")).lower(),
                "size": entry.get("size"),
            }
        )
    return files


def fetch_release(name: str, version: str) -> list[ReleaseFile]:
    """The files of one release on PyPI.

    Asks the per-release JSON API first; where that is not served (some PyPI
    mirrors serve only the project-level APIs), the PEP 691 simple index.
    """
    label = f"{name}=={version}"
    url = PYPI_JSON_URL.format(name=name, version=version)
    data = _get_json(url, "application/json", label)
    if data is not None:
        return files_from_release_json(data, url)
    simple_url = PYPI_SIMPLE_URL.format(name=name)
    data = _get_json(simple_url, _SIMPLE_JSON, label)
    files = (
        [] if data is None else files_from_simple_json(data, name, version, simple_url)
    )
    if not files:
        raise UserError(
            f"{label}: PyPI has no such release (neither {url} nor {simple_url} lists "
            "it); fix the pin in requirements.in and regenerate the lock"
        )
    return files
