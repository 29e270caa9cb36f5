"""Resolve Debian package closures and write a lock file.

A distribution is a directory of data (as distroless keeps it):
`distribution.json` (its name, arch and suites: where each suite's index
lives and which mirrors serve its pool), `packages/` (the roots) and
`lock.json` (written here).

Every `<packages-dir>/<group>.txt` except `exclude.txt` is the roots file of
one group named after the file (one package name per line, `#` comments
allowed); `<packages-dir>/exclude.txt` names packages that are never pulled
in. The tool fetches the `Packages.xz` indexes of the distribution's suites,
keeps the highest version of every package across them, follows `Pre-Depends`
and `Depends`, and writes a deterministic JSON lock with each .deb's pool path,
size, SHA256 and download URLs.

Distributions in this repository: third_party/debian/bookworm (bookworm +
bookworm-updates + bookworm-security: the image's base and the interpreter)
and third_party/debian/sid (tools packaged nowhere else: crane). Sid drops
superseded versions within days, so a pinned sid .deb can vanish from the
mirror: Bazel's repository cache keeps the copy it fetched, and otherwise the
fix is to relock sid and commit the lock.

This file is the command line: it reads the roots files, and builds and writes
the lock. The work is in its sibling modules: relations.py (versions and
Depends/Provides fields, on python-debian),
packages_index.py (suites, fetching and parsing the indexes) and closure.py
(resolution, whose docstring has the rules for alternatives, Provides and
exclusions).

Usage (from the repository root):
    tools/bazel run //third_party/debian/bookworm:lock
    python3 deb/private/debian_lock.py --distribution third_party/debian/sid

Under `bazel run`, relative paths are resolved against
$BUILD_WORKSPACE_DIRECTORY so the lock lands in the source tree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/debian_lock.py`):
    # put the repo root, two levels up, on sys.path as Bazel does, so the
    # sibling modules import as deb.private.X.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import release
from deb.private.closure import EXCLUDE_FILE, resolve_closure
from deb.private.packages_index import (
    Fetcher,
    Index,
    Package,
    Suite,
    fetch_url,
    load_index,
)
from rules_common import atomic_file
from rules_common.cli import UserError, log

ROOTS_SUFFIX = ".txt"
# A group name is the stem of its roots file; it is a key in the lock and in
# Bazel attributes, so keep it to a plain identifier-like name.
_GROUP_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


# --------------------------------------------------------------------------
# Distributions


DISTRIBUTION_FILE = "distribution.json"
PACKAGES_DIR = "packages"
LOCK_FILE = "lock.json"


@dataclass(frozen=True)
class Distribution:
    """A set of suites plus where its roots live and where its lock goes."""

    name: str
    arch: str
    suites: tuple[Suite, ...]
    packages_dir: str
    out: str


def _url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.startswith("https://"):
        raise UserError(f"{where}: {value!r} is not an https:// URL")
    return value if value.endswith("/") else value + "/"


def load_distribution(directory: str) -> Distribution:
    """Read `<directory>/distribution.json`; the roots and the lock are beside it."""
    path = os.path.join(directory, DISTRIBUTION_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{path} is not valid JSON: {e}") from None
    try:
        name, arch, entries = data["name"], data["arch"], data["suites"]
        suites = tuple(
            Suite(
                str(entry["name"]),
                _url(entry["dists"], path),
                tuple(_url(pool, path) for pool in entry["pools"]),
            )
            for entry in entries
        )
    except (KeyError, TypeError) as e:
        raise UserError(
            f"{path}: expected name, arch and suites (each with name, dists and "
            f"pools); {e!r} is missing or wrong"
        ) from None
    if not suites or not all(suite.pool_bases for suite in suites):
        raise UserError(f"{path}: needs at least one suite, each with a pool")
    return Distribution(
        str(name),
        str(arch),
        suites,
        os.path.join(directory, PACKAGES_DIR),
        os.path.join(directory, LOCK_FILE),
    )


# --------------------------------------------------------------------------
# Input files and output


def read_list(path: str) -> list[str]:
    """Read one name per line; `#` starts a comment; order kept, duplicates dropped."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}") from None
    names: list[str] = []
    for line in lines:
        name = line.split("#", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def discover_groups(packages_dir: str) -> dict[str, str]:
    """Map each group to its roots file: every `*.txt` but exclude.txt, sorted.

    The group is the file's stem (`certs.txt` -> `certs`). Hidden files and
    anything that is not a regular file are skipped; a stem that is not a plain
    name is an error rather than a surprising group.
    """
    try:
        entries = sorted(os.listdir(packages_dir))
    except FileNotFoundError:
        raise UserError(
            f"packages dir {packages_dir} does not exist (run from the repository "
            "root or pass --packages-dir)"
        ) from None
    except OSError as e:
        raise UserError(f"cannot list {packages_dir}: {e.strerror}") from None
    groups: dict[str, str] = {}
    for entry in entries:
        if (
            entry.startswith(".")
            or not entry.endswith(ROOTS_SUFFIX)
            or entry == EXCLUDE_FILE
        ):
            continue
        path = os.path.join(packages_dir, entry)
        if not os.path.isfile(path):
            continue
        group = entry[: -len(ROOTS_SUFFIX)]
        if not _GROUP_NAME_RE.fullmatch(group):
            raise UserError(
                f"roots file {path}: {group!r} is not a valid group name "
                "(letters, digits and . _ + -, starting with a letter or digit)"
            )
        groups[group] = path
    if not groups:
        raise UserError(
            f"{packages_dir} has no roots files (*{ROOTS_SUFFIX} other than "
            f"{EXCLUDE_FILE})"
        )
    return groups


def package_entry(pkg: Package, listed_in: Sequence[Suite] = ()) -> dict[str, object]:
    """A package's lock entry. `listed_in` are the suites whose index lists
    this very file (pool path and sha256), in the distribution's order; those
    beyond the package's own suite go in `also_in`, and their pools' URLs
    follow its own, so a download tries every suite that still has it."""
    others = [suite for suite in listed_in if suite != pkg.suite]
    urls: list[str] = []
    for suite in [pkg.suite, *others]:
        urls.extend(url for url in suite.urls(pkg.filename) if url not in urls)
    entry: dict[str, object] = {
        "version": pkg.version,
        "arch": pkg.arch,
        "sha256": pkg.sha256,
        "size": pkg.size,
        "filename": pkg.filename,
        "suite": pkg.suite.name,
        "urls": urls,
    }
    if others:
        entry["also_in"] = [suite.name for suite in others]
    return entry


def build_lock(
    groups: Mapping[str, Sequence[str]],
    index: Index,
    arch: str,
    suites: Sequence[Suite],
    distribution: str,
) -> dict[str, object]:
    names = sorted({name for members in groups.values() for name in members})
    return {
        "arch": arch,
        "distribution": distribution,
        "suites": [suite.name for suite in suites],
        "groups": {group: sorted(members) for group, members in sorted(groups.items())},
        "packages": {
            name: package_entry(index.packages[name], index.listed_in[name])
            for name in names
        },
    }


def render_lock(lock: Mapping[str, object]) -> str:
    return json.dumps(lock, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------
# Main


def workspace_path(path: str) -> str:
    """Resolve a relative path against the source tree under `bazel run`."""
    base = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if base and not os.path.isabs(path):
        return os.path.join(base, path)
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--distribution",
        required=True,
        help="the distribution's directory: distribution.json, packages/, lock.json",
    )
    parser.add_argument("--out", help="lock file to write (default: DIR/lock.json)")
    parser.add_argument(
        "--packages-dir",
        help="dir with one <group>.txt roots file per group and exclude.txt "
        "(default: DIR/packages)",
    )
    parser.add_argument(
        "--allow-expired",
        action="store_true",
        help="accept an InRelease past its Valid-Until, with a warning (a mirror "
        "known to be a frozen snapshot); its signature is still checked",
    )
    parser.add_argument(
        "--gpgv",
        required=True,
        help="gpgv, which checks each suite's InRelease (the macro passes @gpgv)",
    )
    parser.add_argument(
        "--keyring",
        required=True,
        help="the Debian archive keyring (the macro passes @debian_keyring's)",
    )
    return parser.parse_args(argv)


def run(
    out: str,
    packages_dir: str,
    arch: str,
    fetch: Fetcher,
    suites: Sequence[Suite],
    distribution: str,
    verify: release.Verifier,
    allow_expired: bool = False,
) -> dict[str, object]:
    group_files = discover_groups(packages_dir)
    excluded = frozenset(read_list(os.path.join(packages_dir, EXCLUDE_FILE)))
    roots: dict[str, tuple[str, list[str]]] = {}
    for group, path in group_files.items():
        names = read_list(path)
        if not names:
            raise UserError(f"roots file {path} names no package")
        roots[group] = (path, names)
    index = load_index(suites, arch, fetch, verify, allow_expired=allow_expired)
    groups: dict[str, list[str]] = {}
    for group, (path, names) in roots.items():
        groups[group] = resolve_closure(names, index, excluded, path)
        log(f"group {group}: {len(names)} roots -> {len(groups[group])} packages")
    lock = build_lock(groups, index, arch, suites, distribution)
    atomic_file.write_text(out, render_lock(lock))
    packages = lock["packages"]
    assert isinstance(packages, dict)
    total = sum(index.packages[name].size for name in packages)
    log(f"wrote {out}: {len(packages)} packages, {total:,} bytes of .debs")
    return lock


def main(
    argv: Sequence[str] | None = None,
    fetch: Fetcher = fetch_url,
    suites: Sequence[Suite] | None = None,
    verify: release.Verifier | None = None,
) -> int:
    """Entry point; `suites` and `verify` override the distribution's and
    gpgv's (tests only)."""
    args = parse_args(argv)
    try:
        verify = verify or release.gpgv_verifier(
            os.path.abspath(args.gpgv), os.path.abspath(args.keyring)
        )
        dist = load_distribution(workspace_path(args.distribution))
        out = workspace_path(args.out) if args.out else dist.out
        packages_dir = (
            workspace_path(args.packages_dir)
            if args.packages_dir
            else dist.packages_dir
        )
        run(
            out,
            packages_dir,
            dist.arch,
            fetch,
            dist.suites if suites is None else suites,
            dist.name,
            verify,
            args.allow_expired,
        )
    except UserError as e:
        log(f"debian_lock: error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
