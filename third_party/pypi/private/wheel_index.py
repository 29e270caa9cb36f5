#!/usr/bin/env python3
"""Map a pip-compile lock to one concrete PyPI wheel per pin.

Reads ``requirements_lock.txt`` (``pip-compile --generate-hashes`` format),
asks PyPI's JSON API for the files of every pinned release, picks the wheel
that best fits CPython 3.11 on manylinux x86_64 with glibc <= 2.36, checks
that its sha256 is one of the lock's ``--hash`` values for that pin, and
writes ``wheels.lock.json``.

``--check`` verifies, without network, that an existing ``wheels.lock.json``
still matches the lock.

Standard library only: this runs in a Bazel repository rule before any
third-party package is available.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

PYTHON_TAG = "cp311"
PLATFORM = "manylinux_2_36_x86_64"
UPDATE_COMMAND = "tools/bazel run //:requirements.update"
STALE_MESSAGE = f"wheels.lock.json is stale: run `{UPDATE_COMMAND}`"
PYPI_JSON_URL = "https://pypi.org/pypi/{name}/{version}/json"
PYPI_SIMPLE_URL = "https://pypi.org/simple/{name}/"

_PY_MAJOR, _PY_MINOR = 3, 11
_GLIBC_MAX_MINOR = 36
_ARCH = "x86_64"
_LEGACY_MANYLINUX = {
    f"manylinux1_{_ARCH}": 5,
    f"manylinux2010_{_ARCH}": 12,
    f"manylinux2014_{_ARCH}": 17,
}

# The environment markers of the target interpreter (PEP 508).
TARGET_ENVIRONMENT: dict[str, str] = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": _ARCH,
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "implementation_version": "3.11.2",
    "python_version": "3.11",
    "python_full_version": "3.11.2",
    "platform_release": "",
    "platform_version": "",
    "extra": "",
}


class UserError(Exception):
    """An error the user can fix; reported as one message, no traceback."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def normalize_name(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------------
# Lock parsing


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


_IGNORED_OPTIONS = (
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
            if option in _IGNORED_OPTIONS:
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


def applicable_pins(lock: Lock) -> dict[str, Pin]:
    """Pins whose marker holds on the target, by normalized name; duplicates fail."""
    result: dict[str, Pin] = {}
    for pin in lock.pins:
        if pin.marker is not None:
            try:
                applies = evaluate_marker(pin.marker, TARGET_ENVIRONMENT)
            except ValueError as e:
                raise UserError(
                    f"{lock.path}:{pin.line}: cannot evaluate the marker of "
                    f"{pin.name}: {e}"
                ) from None
            if not applies:
                continue
        if pin.name in result:
            raise UserError(
                f"{lock.path}: {pin.name} is pinned twice (lines "
                f"{result[pin.name].line} and {pin.line}); regenerate the lock "
                f"with `{UPDATE_COMMAND}`"
            )
        result[pin.name] = pin
    return result


# --------------------------------------------------------------------------
# PEP 508 environment markers (the subset of the grammar, fully)

_MARKER_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<string>'[^']*'|"[^"]*")
      | (?P<op>===|==|!=|<=|>=|~=|<|>|\bnot\s+in\b|\bin\b)
      | (?P<bool>\band\b|\bor\b)
      | (?P<paren>[()])
      | (?P<var>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_VERSION_VARIABLES = {"python_version", "python_full_version", "implementation_version"}
_LEGACY_VARIABLES = {
    "os.name": "os_name",
    "sys.platform": "sys_platform",
    "platform.version": "platform_version",
    "platform.machine": "platform_machine",
    "platform.python_implementation": "platform_python_implementation",
    "python_implementation": "platform_python_implementation",
}


def _tokenize_marker(marker: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    marker = marker.rstrip()
    while position < len(marker):
        match = _MARKER_TOKEN_RE.match(marker, position)
        if not match or match.end() == position:
            raise ValueError(f"unexpected text at `{marker[position:].strip()}`")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "op":
            value = re.sub(r"\s+", " ", value)
        tokens.append((kind, value))
        position = match.end()
    return tokens


def _release(version: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"v?(\d+(?:\.\d+)*)", version.strip())
    if not match:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _compare_versions(lhs: str, op: str, rhs: str) -> bool | None:
    """Compare release-only versions; None when either side is not one."""
    wildcard = rhs.endswith(".*")
    left = _release(lhs)
    right = _release(rhs[:-2] if wildcard else rhs)
    if left is None or right is None:
        return None
    if wildcard:
        if op not in ("==", "!="):
            return None
        equal = left[: len(right)] == right
        return equal if op == "==" else not equal
    width = max(len(left), len(right))
    a = left + (0,) * (width - len(left))
    b = right + (0,) * (width - len(right))
    if op == "~=":
        if len(right) < 2:
            return None
        prefix = right[:-1]
        return a >= b and left[: len(prefix)] == prefix
    return {
        "==": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }.get(op)


def evaluate_marker(marker: str, environment: dict[str, str]) -> bool:
    """Evaluate a PEP 508 marker; raises ValueError on a malformed one."""
    tokens = _tokenize_marker(marker)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("unexpected end of marker")
        token = tokens[position]
        position += 1
        return token

    def value(token: tuple[str, str]) -> tuple[str, str | None]:
        kind, text = token
        if kind == "string":
            return text[1:-1], None
        if kind == "var":
            name = _LEGACY_VARIABLES.get(text, text)
            if name not in environment:
                raise ValueError(f"unknown marker variable `{text}`")
            return environment[name], name
        raise ValueError(f"expected a variable or a string, got `{text}`")

    def comparison() -> bool:
        token = take()
        if token == ("paren", "("):
            result = disjunction()
            if take() != ("paren", ")"):
                raise ValueError("missing `)`")
            return result
        lhs, lhs_var = value(token)
        kind, op = take()
        if kind != "op":
            raise ValueError(f"expected an operator, got `{op}`")
        rhs, rhs_var = value(take())
        if op == "in":
            return lhs in rhs
        if op == "not in":
            return lhs not in rhs
        if op == "===":
            return lhs == rhs
        if lhs_var == "extra" or rhs_var == "extra":
            lhs, rhs = normalize_name(lhs), normalize_name(rhs)
        versioned = lhs_var in _VERSION_VARIABLES or rhs_var in _VERSION_VARIABLES
        if versioned or op not in ("==", "!="):
            compared = _compare_versions(lhs, op, rhs)
            if compared is not None:
                return compared
        if op == "==":
            return lhs == rhs
        if op == "!=":
            return lhs != rhs
        raise ValueError(f"cannot compare `{lhs}` {op} `{rhs}`")

    def conjunction() -> bool:
        nonlocal position
        result = comparison()
        while peek() == ("bool", "and"):
            position += 1
            right = comparison()
            result = result and right
        return result

    def disjunction() -> bool:
        nonlocal position
        result = conjunction()
        while peek() == ("bool", "or"):
            position += 1
            right = conjunction()
            result = result or right
        return result

    outcome = disjunction()
    if position != len(tokens):
        raise ValueError(f"unexpected `{tokens[position][1]}`")
    return outcome


# --------------------------------------------------------------------------
# Wheel tags


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


# --------------------------------------------------------------------------
# PyPI

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
            return parse_wheel_filename(filename).version
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


def resolve_pin(pin: Pin, files: list[ReleaseFile]) -> dict[str, Any]:
    chosen = select_wheel(files)
    if chosen is None:
        kinds = sorted({str(f.get("filename", "?")) for f in files}) or ["no files"]
        raise UserError(
            f"{pin.name}=={pin.version}: no wheel fits cp311 manylinux x86_64 "
            f"(glibc <= 2.36); PyPI has: {', '.join(kinds)}"
        )
    sha256 = str(chosen.get("sha256", "")).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256) or not chosen.get("url"):
        raise UserError(
            f"{pin.name}=={pin.version}: PyPI's entry for {chosen['filename']} "
            "lacks a url or a sha256"
        )
    if not isinstance(chosen.get("size"), int):
        raise UserError(
            f"{pin.name}=={pin.version}: PyPI's entry for {chosen['filename']} "
            "lacks its size (the index must serve PEP 700 metadata)"
        )
    if not pin.hashes:
        raise UserError(
            f"{pin.name}=={pin.version}: the lock has no --hash=sha256 for this pin; "
            f"regenerate it with `{UPDATE_COMMAND}` (pip-compile --generate-hashes)"
        )
    if sha256 not in pin.hashes:
        raise UserError(
            f"{pin.name}=={pin.version}: the sha256 of {chosen['filename']} "
            f"({sha256}) is not among the lock's --hash values for this pin; the "
            f"lock was made from other files: regenerate it with `{UPDATE_COMMAND}`"
        )
    return {
        "version": pin.version,
        "filename": chosen["filename"],
        "url": chosen["url"],
        "sha256": sha256,
        "size": chosen["size"],
    }


def build_index(
    lock: Lock, fetch: Fetch = fetch_release, jobs: int = 8
) -> dict[str, Any]:
    pins = applicable_pins(lock)
    wheels: dict[str, Any] = {}
    problems: list[str] = []

    def work(pin: Pin) -> dict[str, Any]:
        return resolve_pin(pin, fetch(pin.name, pin.version))

    log(f"wheel_index: resolving {len(pins)} pins against PyPI")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(work, pin): name for name, pin in pins.items()}
        done = 0
        for future in concurrent.futures.as_completed(futures):
            name = futures[future]
            done += 1
            try:
                wheels[name] = future.result()
            except UserError as e:
                problems.append(str(e))
                continue
            entry = wheels[name]
            log(f"  [{done}/{len(pins)}] {entry['filename']} ({_size(entry['size'])})")
    if problems:
        raise UserError("\n".join(sorted(problems)))
    return {
        "lock_sha256": lock.sha256,
        "python_tag": PYTHON_TAG,
        "platform": PLATFORM,
        "wheels": {name: wheels[name] for name in sorted(wheels)},
    }


def render_index(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=2, sort_keys=True) + "\n"


def write_atomically(path: str, content: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


# --------------------------------------------------------------------------
# Offline check


def check_index(lock: Lock, index: Any) -> list[str]:
    """Why `index` (parsed wheels.lock.json) disagrees with `lock`; [] if it agrees."""
    if not isinstance(index, dict) or not isinstance(index.get("wheels"), dict):
        return ["it is not a wheels.lock.json (no `wheels` object)"]
    problems: list[str] = []
    if index.get("lock_sha256") != lock.sha256:
        problems.append(f"lock_sha256 does not match the sha256 of {lock.path}")
    if index.get("python_tag") != PYTHON_TAG or index.get("platform") != PLATFORM:
        problems.append(
            f"it was made for another target (want {PYTHON_TAG} {PLATFORM})"
        )
    try:
        pins = applicable_pins(lock)
    except UserError as e:
        return problems + [str(e)]
    wheels: dict[str, Any] = index["wheels"]
    for name in sorted(set(pins) - set(wheels)):
        problems.append(f"{name} is pinned in the lock but has no wheel")
    for name in sorted(set(wheels) - set(pins)):
        problems.append(f"{name} has a wheel but is not pinned in the lock")
    for name in sorted(set(pins) & set(wheels)):
        pin, entry = pins[name], wheels[name]
        if not isinstance(entry, dict):
            problems.append(f"{name}: malformed entry")
            continue
        if entry.get("version") != pin.version:
            problems.append(
                f"{name}: wheel is {entry.get('version')}, lock pins {pin.version}"
            )
        if str(entry.get("sha256", "")).lower() not in pin.hashes:
            problems.append(f"{name}: wheel sha256 is not among the lock's hashes")
        try:
            parsed = parse_wheel_filename(str(entry.get("filename", "")))
        except ValueError as e:
            problems.append(f"{name}: {e}")
            continue
        if parsed.name != name or wheel_rank(parsed) is None:
            problems.append(
                f"{name}: {entry.get('filename')} does not fit {name} on the target"
            )
    return problems


# --------------------------------------------------------------------------
# CLI


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def _resolve(path: str) -> str:
    base = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if base and not os.path.isabs(path):
        return os.path.join(base, path)
    return path


def main(argv: list[str] | None = None, fetch: Fetch = fetch_release) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--lock", required=True, help="requirements_lock.txt (pip-compile)"
    )
    parser.add_argument(
        "--out", required=True, help="wheels.lock.json to write (or --check)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify --out against --lock without network; exit 1 if stale",
    )
    parser.add_argument("--jobs", type=int, default=8, help="concurrent PyPI requests")
    args = parser.parse_args(argv)
    lock_path, out_path = _resolve(args.lock), _resolve(args.out)
    try:
        lock = read_lock(lock_path)
        if args.check:
            try:
                with open(out_path, encoding="utf-8") as f:
                    index = json.load(f)
            except FileNotFoundError:
                problems = [f"{out_path} does not exist"]
            except (OSError, json.JSONDecodeError) as e:
                problems = [f"cannot read {out_path}: {e}"]
            else:
                problems = check_index(lock, index)
            if problems:
                details = "".join(f"\n  - {p}" for p in problems)
                print(f"{STALE_MESSAGE}{details}", file=sys.stderr)
                return 1
            print(f"{out_path} matches {lock_path} ({len(index['wheels'])} wheels)")
            return 0
        index = build_index(lock, fetch=fetch, jobs=args.jobs)
        write_atomically(out_path, render_index(index))
    except UserError as e:
        print(f"wheel_index: error: {e}", file=sys.stderr)
        return 1
    total = sum(entry["size"] for entry in index["wheels"].values())
    count = len(index["wheels"])
    log(
        f"wheel_index: wrote {out_path}: {count} wheels, {total} bytes ({_size(total)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
