"""A suite's signed InRelease: verified with gpgv against a pinned keyring,
then trusted for the sha256 and size of each index it lists.

Debian signs `dists/<suite>/InRelease` (a clearsigned Release file); the
`Packages.xz` the lock tool reads is trusted only if its sha256 and size are
the ones that signed file lists, and a Release whose Valid-Until has passed
is refused (a mirror replaying old, once-valid metadata). gpgv and the
keyring come from pinned sid .debs (@gpgv, @debian_keyring), never the host.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from debian import deb822

from rules_common.cli import UserError

Verifier = Callable[[str, bytes], str]
"""(url, InRelease bytes) -> the signed text; UserError when it does not verify."""

MAX_INRELEASE_BYTES = 8 * 1024 * 1024


def gpgv_verifier(gpgv: str, keyring: str) -> Verifier:
    """A Verifier running `gpgv --keyring KEYRING` on each InRelease."""
    for what, path in (("gpgv", gpgv), ("keyring", keyring)):
        if not os.path.isfile(path):
            raise UserError(f"the {what} {path} does not exist")

    def verify(url: str, data: bytes) -> str:
        if len(data) > MAX_INRELEASE_BYTES:
            raise UserError(f"{url}: {len(data):,} bytes is no InRelease file")
        with tempfile.NamedTemporaryFile(suffix=".InRelease") as f:
            f.write(data)
            f.flush()
            done = subprocess.run(
                [gpgv, "--keyring", keyring, "--output", "-", f.name],
                capture_output=True,
                timeout=120,
                check=False,
            )
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().split("\n")
            why = " | ".join(lines[-3:])
            raise UserError(
                f"{url}: the signature does not verify against {keyring} ({why}): "
                "the file was altered or is not signed by Debian; do not use this "
                "mirror's indexes"
            )
        return done.stdout.decode("utf-8")

    return verify


@dataclass(frozen=True)
class Release:
    url: str
    date: datetime.datetime | None
    valid_until: datetime.datetime | None
    sha256: dict[str, tuple[str, int]]
    """Index path below dists/<suite>/ -> (sha256, size)."""


def _when(value: str | None, url: str, field: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise UserError(f"{url}: {field}: {value!r} is not a date") from None


def parse_release(text: str, url: str) -> Release:
    release = deb822.Release(text)
    files: dict[str, tuple[str, int]] = {}
    for entry in release.get("SHA256", []):
        files[entry["name"]] = (entry["sha256"], int(entry["size"]))
    if not files:
        raise UserError(f"{url}: the signed Release lists no SHA256 checksums")
    return Release(
        url,
        _when(release.get("Date"), url, "Date"),
        _when(release.get("Valid-Until"), url, "Valid-Until"),
        files,
    )


def check_valid(release: Release, now: datetime.datetime) -> None:
    """UserError when the Release is past its Valid-Until."""
    if release.valid_until is not None and now > release.valid_until:
        raise UserError(
            f"{release.url} expired at {release.valid_until.isoformat()} (its "
            f"Valid-Until; now is {now.isoformat()}): the mirror serves stale or "
            "replayed metadata; use another mirror"
        )


def check_index(release: Release, path: str, url: str, data: bytes) -> None:
    """UserError unless `data` is the index `path` the signed Release lists."""
    if path not in release.sha256:
        raise UserError(f"{release.url} lists no {path}: no signed checksum for {url}")
    sha256, size = release.sha256[path]
    got = hashlib.sha256(data).hexdigest()
    if got != sha256 or len(data) != size:
        raise UserError(
            f"checksum mismatch: {url} is {len(data):,} bytes with sha256 {got}, "
            f"the signed {release.url} lists {size:,} bytes with sha256 {sha256}: "
            "the file changed under the same name, possible tampering; do not "
            "regenerate the lock blindly"
        )
