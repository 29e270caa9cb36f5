"""Parse a pip-compile lock (``requirements_lock.txt``) into exact pins.

Every entry must be a ``name==version`` pin from PyPI, optionally with a PEP 508
marker and ``--hash=sha256:`` values (``pip-compile --generate-hashes``).

Standard library only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rules_common.cli import UserError

# How users regenerate the lock (and wheels.lock.json); error messages name it.
UPDATE_COMMAND = "tools/bazel run //:requirements.update"


def normalize_name(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    name: str  # PEP 503 normalized
    version: str
    hashes: list[str]  # sha256 hex digests, lowercase
    marker: str | None
    line: int  # 1-based line where the pin starts
    raw_name: str = ""


@dataclass
class Lock:
    path: str
    sha256: str
    pins: list[Pin] = field(default_factory=list)


# Options pip-compile writes into a lock that do not change what is pinned.
INDEX_OPTIONS = (
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--trusted-host",
    "--no-index",
    "--pre",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
)

_PIN_RE = re.compile(
    r"""^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)
        \s*(?:\[[^\]]*\])?
        \s*(?P<op>===|==)\s*(?P<version>[^\s;,\\]+)
        \s*(?:;\s*(?P<marker>.*?))?\s*$""",
    re.VERBOSE,
)
_HASH_RE = re.compile(r"--hash[=\s]\s*(?P<algo>[A-Za-z0-9]+):(?P<digest>[0-9A-Fa-f]+)")
_COMMENT_RE = re.compile(r"(^|\s+)#.*$")


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text): continuations joined, comments removed."""
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT_RE.sub("", raw)
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        if joined:
            yield start, joined
    if buffer:
        joined = " ".join(part.strip() for part in buffer).strip()
        if joined:
            yield start, joined


def parse_lock_text(text: str, path: str = "requirements_lock.txt") -> list[Pin]:
    pins: list[Pin] = []
    for number, line in logical_lines(text):
        where = f"{path}:{number}"
        if line.startswith("-"):
            option = re.split(r"[=\s]", line, maxsplit=1)[0]
            if option in INDEX_OPTIONS:
                continue
            raise UserError(
                f"{where}: unsupported option `{option}` in the lock; every entry "
                "must be a `name==version` pin from PyPI "
                f"(regenerate with `{UPDATE_COMMAND}`)"
            )
        hashes = [
            m.group("digest").lower()
            for m in _HASH_RE.finditer(line)
            if m.group("algo").lower() == "sha256"
        ]
        requirement = _HASH_RE.sub("", line).strip()
        match = _PIN_RE.match(requirement)
        if not match:
            raise UserError(
                f"{where}: `{requirement}` is not an exact `name==version` pin; "
                f"regenerate the lock with `{UPDATE_COMMAND}`"
            )
        pins.append(
            Pin(
                name=normalize_name(match.group("name")),
                version=match.group("version"),
                hashes=hashes,
                marker=(match.group("marker") or None),
                line=number,
                raw_name=match.group("name"),
            )
        )
    return pins


def read_lock(path: str) -> Lock:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UserError(f"cannot read lock file {path}: {e.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text") from None
    return Lock(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        pins=parse_lock_text(text, path),
    )
