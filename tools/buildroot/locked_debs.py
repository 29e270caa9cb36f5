"""The build root's .debs, exactly as its lock names them.

    locked_debs.py fetch --lock LOCK --group G --cache DIR
        Download every package of group G into DIR (named by sha256), each
        checked against the lock's size and sha256, trying each URL the lock
        lists (the pool of every suite that lists the file: sid, then forky),
        after --mirror's pool when one is given.
        A file already in DIR is reused once it checks out. Prints the .deb
        paths in install order (base-files first: it makes the merged-/usr
        links the others unpack through), one per line.

    locked_debs.py check --lock LOCK --group G < dpkg-query output
        Compare what dpkg says is installed (`dpkg-query -W -f
        '${Package} ${Version} ${Architecture} ${db:Status-Abbrev}\\n'`)
        with the lock: the same packages, at the same versions, all installed.

Runs on the host before the build root exists, so it needs nothing but a
Python 3.9 standard library; nothing it prints depends on that Python.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

# What a lock entry may say: a Debian pool path and name, a sha256, an https URL.
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_POOL_PATH_RE = re.compile(r"pool/[A-Za-z0-9][A-Za-z0-9+.~_/-]*\.deb")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.-]+")
MAX_DEB_BYTES = 1 << 30  # no build-root .deb is near 1 GiB
CHUNK = 1 << 20
HTTP_TIMEOUT_S = 120
FIRST = "base-files"
RELOCK = (
    "relock the build root on a machine that has one "
    "(tools/bazel run //third_party/debian/buildroot:lock -- --allow-expired) "
    "and commit third_party/debian/buildroot/lock.json"
)

Opener = Callable[[str], BinaryIO]


class LockError(Exception):
    """A problem to report in one message, naming the file or package."""


@dataclass(frozen=True)
class Deb:
    name: str
    version: str
    arch: str
    filename: str
    sha256: str
    size: int
    suites: tuple[str, ...]
    urls: tuple[str, ...]


def _entry(lock_path: str, name: str, raw: object) -> Deb:
    where = f"{lock_path}: package {name!r}"
    if not isinstance(raw, dict):
        raise LockError(f"{where} is not an object")
    try:
        deb = Deb(
            name=name,
            version=str(raw["version"]),
            arch=str(raw["arch"]),
            filename=str(raw["filename"]),
            sha256=str(raw["sha256"]),
            size=raw["size"],
            suites=(str(raw["suite"]), *map(str, raw.get("also_in", []))),
            urls=tuple(map(str, raw["urls"])),
        )
    except (KeyError, TypeError) as e:
        raise LockError(f"{where} lacks {e}") from None
    if not _NAME_RE.fullmatch(name):
        raise LockError(f"{where}: not a Debian package name")
    if not _SHA256_RE.fullmatch(deb.sha256):
        raise LockError(f"{where}: sha256 {deb.sha256!r} is not 64 hex digits")
    if type(deb.size) is not int or not 0 < deb.size <= MAX_DEB_BYTES:
        raise LockError(f"{where}: size {deb.size!r} is not 1..{MAX_DEB_BYTES}")
    if not _POOL_PATH_RE.fullmatch(deb.filename) or ".." in deb.filename.split("/"):
        raise LockError(f"{where}: {deb.filename!r} is not a pool path")
    if not deb.urls:
        raise LockError(f"{where} lists no URL")
    for url in deb.urls:
        if not url.startswith("https://") or not url.endswith("/" + deb.filename):
            raise LockError(f"{where}: {url!r} is not an https URL of {deb.filename}")
    return deb


def load_group(lock_path: str, group: str) -> list[Deb]:
    """The group's packages, in install order (base-files first, then by name)."""
    try:
        with open(lock_path, encoding="utf-8") as f:
            lock = json.load(f)
    except OSError as e:
        raise LockError(f"cannot read {lock_path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise LockError(f"{lock_path} is not valid JSON: {e}") from None
    try:
        names = lock["groups"][group]
        packages = lock["packages"]
    except (KeyError, TypeError):
        raise LockError(f"{lock_path} has no group {group!r}") from None
    if not names:
        raise LockError(f"{lock_path}: group {group!r} is empty")
    missing = [name for name in names if name not in packages]
    if missing:
        raise LockError(f"{lock_path}: group {group!r} names unlocked {missing}")
    debs = [_entry(lock_path, name, packages[name]) for name in names]
    return sorted(debs, key=lambda deb: (deb.name != FIRST, deb.name))


# --------------------------------------------------------------------------
# fetch


def open_url(url: str) -> BinaryIO:
    """The only function that touches the network."""
    request = urllib.request.Request(url, headers={"User-Agent": "locked_debs/1"})
    response: BinaryIO = urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S)
    return response


def _sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, deb: Deb, directory: str, opener: Opener) -> tuple[str, str]:
    """Download to a temporary file in `directory`: (its path, its sha256).

    Reads at most one byte more than the lock's size, so a wrong server
    cannot fill the disk."""
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, opener(url) as response:
            got = 0
            while got <= deb.size:
                chunk = response.read(min(CHUNK, deb.size + 1 - got))
                if not chunk:
                    break
                got += len(chunk)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp, digest.hexdigest() if got == deb.size else f"{got} bytes"


def fetch(deb: Deb, cache: str, opener: Opener = open_url) -> str:
    """The verified .deb at `cache/<sha256>.deb`, downloaded when not there."""
    path = os.path.join(cache, f"{deb.sha256}.deb")
    if os.path.isfile(path) and _sha256_of(path) == deb.sha256:
        return path
    tried: list[str] = []
    tampered = False
    for url in deb.urls:
        try:
            tmp, got = _download(url, deb, cache, opener)
        except urllib.error.HTTPError as e:
            tried.append(f"{url}: HTTP {e.code} {e.reason}")
            continue
        except (urllib.error.URLError, OSError) as e:
            tried.append(f"{url}: {getattr(e, 'reason', e)}")
            continue
        if got == deb.sha256:
            os.replace(tmp, path)
            return path
        os.unlink(tmp)
        tampered = True
        want = f"{deb.size} bytes with sha256 {deb.sha256}"
        tried.append(f"{url}: checksum mismatch (got {got}, the lock says {want})")
    what = (
        f"{deb.filename} ({deb.name} {deb.version}, listed in {', '.join(deb.suites)})"
    )
    details = "".join(f"\n  {line}" for line in tried)
    if tampered:
        raise LockError(
            f"{what}: the file changed under the same name, possible tampering; "
            f"do NOT relock blindly: find out why first.{details}"
        )
    raise LockError(
        f"{what}: unreachable or gone from every suite that listed it. If the "
        f"mirror is reachable (MLIMAGE_DEBIAN_MIRROR), the file is gone: {RELOCK}."
        f"{details}"
    )


def fetch_all(
    debs: Sequence[Deb],
    cache: str,
    opener: Opener = open_url,
    jobs: int = 4,
    progress: Callable[[str], None] = lambda line: None,
) -> list[str]:
    """Fetch every .deb (`jobs` at a time); paths in the order of `debs`.

    Every failure is reported, not only the first."""
    os.makedirs(cache, exist_ok=True)
    total = sum(deb.size for deb in debs)
    done = [0, 0]
    lock = threading.Lock()

    def one(deb: Deb) -> str:
        path = fetch(deb, cache, opener)
        with lock:
            done[0] += 1
            done[1] += deb.size
            if done[0] % 25 == 0 or done[0] == len(debs):
                progress(
                    f"{done[0]}/{len(debs)} .debs, "
                    f"{done[1] // 1_000_000}/{total // 1_000_000} MB checked"
                )
        return path

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, deb) for deb in debs]
        errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise LockError("\n".join(str(e) for e in errors))
    return [f.result() for f in futures]


def with_mirror(debs: Sequence[Deb], mirror: str) -> list[Deb]:
    """`mirror`'s pool first (any http(s) mirror: the sha256 is what is trusted)."""
    if not re.fullmatch(
        r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?", mirror
    ):
        raise LockError(f"mirror {mirror!r} is not an http(s) URL of a Debian mirror")
    base = mirror.rstrip("/") + "/"
    return [replace(deb, urls=(base + deb.filename, *deb.urls)) for deb in debs]


# --------------------------------------------------------------------------
# check


def check_installed(debs: Iterable[Deb], dpkg_query: str) -> list[str]:
    """What differs between the lock and dpkg's list (empty: they match)."""
    want = {deb.name: (deb.version, deb.arch) for deb in debs}
    have: dict[str, tuple[str, str]] = {}
    problems: list[str] = []
    for line in dpkg_query.splitlines():
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 4:
            problems.append(f"unexpected dpkg-query line {line!r}")
            continue
        name, version, arch, status = fields
        name = name.split(":", 1)[0]
        if status != "ii":
            problems.append(f"{name} {version}: dpkg status {status!r}, not installed")
        have[name] = (version, arch)
    for name in sorted(want.keys() - have.keys()):
        problems.append(f"{name} {want[name][0]}: locked but not installed")
    for name in sorted(have.keys() - want.keys()):
        problems.append(f"{name} {have[name][0]}: installed but not in the lock")
    for name in sorted(want.keys() & have.keys()):
        if want[name] != have[name]:
            installed, locked = " ".join(have[name]), " ".join(want[name])
            problems.append(f"{name}: installed {installed}, locked {locked}")
    return problems


# --------------------------------------------------------------------------
# Main


def main(argv: Sequence[str] | None = None, opener: Opener = open_url) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "check"])
    parser.add_argument("--lock", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--cache", help="fetch: where verified .debs are kept")
    parser.add_argument("--mirror", help="fetch: a Debian mirror to try first")
    parser.add_argument("--jobs", type=int, default=4, choices=range(1, 17))
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(f"locked_debs: {line}", file=sys.stderr, flush=True)

    try:
        debs = load_group(args.lock, args.group)
        if args.command == "fetch":
            if not args.cache:
                parser.error("fetch needs --cache")
            if args.mirror:
                debs = with_mirror(debs, args.mirror)
            paths = fetch_all(debs, args.cache, opener, args.jobs, log)
            print("\n".join(paths))
            return 0
        problems = check_installed(debs, sys.stdin.read())
    except LockError as e:
        log(f"error: {e}")
        return 1
    if problems:
        log(f"the installed packages differ from {args.lock} (group {args.group}):")
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    log(f"{len(debs)} packages installed, exactly as {args.lock} locks them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
