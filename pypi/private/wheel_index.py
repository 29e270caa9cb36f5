#!/usr/bin/env python3
"""Map a pip-compile lock to one concrete wheel per pin, from its index.

Reads ``requirements_lock.txt`` (``pip-compile --generate-hashes`` format),
asks the one index each package may come from (``--indexes``: the stack's
indexes.json; PyPI alone without it) for the files of every pinned release,
picks the wheel
that best fits the target interpreter (`--python-info`: its python.json, e.g.
CPython 3.11 on manylinux x86_64 with glibc <= 2.36), checks
that its sha256 is one of the lock's ``--hash`` values for that pin, and
writes ``wheels.lock.json``, each wheel with the index it came from.

``--check`` verifies, without network, that an existing ``wheels.lock.json``
still matches the lock, and that each wheel came from the index its package
is assigned.

Markers and tags are packaging's (pypi/private/target.py).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import sys
from typing import Any

if not __package__:
    # Run as a file (`python3 pypi/private/wheel_index.py`): make the
    # repository root importable, as it is in Bazel's runfiles.
    sys.path.insert(
        0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
    )

from pypi.private import index_config
from pypi.private import target as targets
from pypi.private.index_config import IndexConfig
from pypi.private.pip_lock_file import UPDATE_COMMAND, Lock, Pin, read_lock
from pypi.private.pypi_files import Fetch, ReleaseFile, SizeOf, head_size, index_fetch
from pypi.private.target import Target
from rules_common import atomic_file
from rules_common.cli import UserError, log

STALE_MESSAGE = f"wheels.lock.json is stale: run `{UPDATE_COMMAND}`"


# --------------------------------------------------------------------------
# Pins that apply on the target


def applicable_pins(lock: Lock, target: Target) -> dict[str, Pin]:
    """Pins whose marker holds on the target, by normalized name; duplicates fail."""
    result: dict[str, Pin] = {}
    for pin in lock.pins:
        if pin.marker is not None:
            try:
                applies = target.marker_applies(pin.marker)
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
# Index building


def resolve_pin(
    pin: Pin,
    files: list[ReleaseFile],
    target: Target,
    size_of: SizeOf | None = None,
) -> dict[str, Any]:
    chosen = target.select_wheel([f for f in files if not f.get("yanked")])
    where = (
        f"index {files[0]['index']}" if files and files[0].get("index") else "the index"
    )
    if chosen is None:
        kinds = sorted(
            {
                str(f.get("filename", "?")) + (" (yanked)" if f.get("yanked") else "")
                for f in files
            }
        ) or ["no files"]
        raise UserError(
            f"{pin.name}=={pin.version}: no wheel fits {target.describe()}; "
            f"{where} has: {', '.join(kinds)}"
        )
    sha256 = str(chosen.get("sha256", "")).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256) or not chosen.get("url"):
        raise UserError(
            f"{pin.name}=={pin.version}: {where}'s entry for {chosen['filename']} "
            "lacks a url or a sha256"
        )
    size = chosen.get("size")
    if not isinstance(size, int) and size_of is not None:
        size = size_of(chosen)
    if not isinstance(size, int):
        raise UserError(
            f"{pin.name}=={pin.version}: {where}'s entry for {chosen['filename']} "
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
    entry = {
        "version": pin.version,
        "filename": chosen["filename"],
        "url": chosen["url"],
        "sha256": sha256,
        "size": size,
    }
    if chosen.get("index"):
        entry["index"] = chosen["index"]
    return entry


def build_index(
    lock: Lock,
    target: Target,
    fetch: Fetch | None = None,
    jobs: int = 8,
    config: IndexConfig | None = None,
    size_of: SizeOf | None = None,
) -> dict[str, Any]:
    config = config or index_config.pypi_only()
    fetch = fetch or index_fetch(config)
    pins = applicable_pins(lock, target)
    wheels: dict[str, Any] = {}
    problems: list[str] = []

    def work(pin: Pin) -> dict[str, Any]:
        return resolve_pin(pin, fetch(pin.name, pin.version), target, size_of)

    names = ", ".join(sorted(config.indexes))
    log(f"wheel_index: resolving {len(pins)} pins against {names} ({config.source})")
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
        "python_tag": target.python_tag,
        "platform": target.platform,
        "wheels": {name: wheels[name] for name in sorted(wheels)},
    }


def render_index(index: dict[str, Any]) -> str:
    return json.dumps(index, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------
# Offline check


def check_index(
    lock: Lock, index: Any, target: Target, config: IndexConfig | None = None
) -> list[str]:
    """Why `index` (parsed wheels.lock.json) disagrees with `lock` or with the
    index each package is assigned in `config`; [] if it agrees."""
    config = config or index_config.pypi_only()
    if not isinstance(index, dict) or not isinstance(index.get("wheels"), dict):
        return ["it is not a wheels.lock.json (no `wheels` object)"]
    problems: list[str] = []
    if index.get("lock_sha256") != lock.sha256:
        problems.append(f"lock_sha256 does not match the sha256 of {lock.path}")
    want = (target.python_tag, target.platform)
    if (index.get("python_tag"), index.get("platform")) != want:
        problems.append(f"it was made for another target (want {' '.join(want)})")
    try:
        pins = applicable_pins(lock, target)
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
        assigned = config.index_for(name).name
        if entry.get("index") != assigned:
            problems.append(
                f"{name}: its wheel came from index {entry.get('index')!r}, but "
                f"{config.source} assigns it {assigned!r}"
            )
        filename = str(entry.get("filename", ""))
        try:
            wheel_project, _ = targets.wheel_name(filename)
        except ValueError as e:
            problems.append(f"{name}: {e}")
            continue
        if wheel_project != name or target.wheel_rank(filename) is None:
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


def main(argv: list[str] | None = None, fetch: Fetch | None = None) -> int:
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
    parser.add_argument(
        "--python-info",
        required=True,
        help="the target interpreter's python.json (@<interpreter>//:python.json)",
    )
    parser.add_argument(
        "--indexes",
        help="the stack's indexes.json (which index each package comes from); "
        "without it, PyPI alone",
    )
    parser.add_argument("--jobs", type=int, default=8, help="concurrent index requests")
    args = parser.parse_args(argv)
    lock_path, out_path = _resolve(args.lock), _resolve(args.out)
    try:
        target = Target.from_facts(os.path.abspath(args.python_info))
        config = index_config.load(_resolve(args.indexes) if args.indexes else None)
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
                problems = check_index(lock, index, target, config)
            if problems:
                details = "".join(f"\n  - {p}" for p in problems)
                print(f"{STALE_MESSAGE}{details}", file=sys.stderr)
                return 1
            print(f"{out_path} matches {lock_path} ({len(index['wheels'])} wheels)")
            return 0
        index = build_index(
            lock,
            target,
            fetch=fetch,
            jobs=args.jobs,
            config=config,
            size_of=head_size(config),
        )
        atomic_file.write_text(out_path, render_index(index))
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
