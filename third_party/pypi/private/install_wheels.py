#!/usr/bin/env python3
"""Install many wheels into one site-packages tree, as pip would, offline.

No resolver, no network, no bytecode. Every wheel is unpacked (purelib and
platlib into site-packages, scripts/data/headers into the prefix), console
scripts get small launchers, each dist-info gets INSTALLER and a rewritten
RECORD, and every file and directory gets the same mtime (1980-01-01) and a
normalized mode (0644, or 0755 when the wheel marks it executable).

The tree is built in a temporary directory beside the prefix and renamed into
place at the end; the manifest (``--manifest``) is written last. An
interrupted run leaves no prefix and no manifest.

Standard library only: this runs in a Bazel repository rule.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import configparser
import csv
import email.parser
import hashlib
import io
import json
import multiprocessing
import os
import posixpath
import re
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

FIXED_MTIME = 315532800  # 1980-01-01T00:00:00Z, the zip epoch
INSTALLER = b"bazel-pypi\n"
PYTHON_DIR = "python3.11"
SHEBANG = b"#!/usr/bin/env python3"
BUFFER_SIZE = 4 * 1024 * 1024

_IDENTIFIER_PATH_RE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_SCRIPT_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")


class UserError(Exception):
    """An error the user can fix; reported as one message, no traceback."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def normalize_name(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def record_hash(digest: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# Layout


@dataclass(frozen=True)
class Layout:
    """Where things go, as POSIX paths relative to the prefix."""

    purelib: str  # site-packages, e.g. lib/python3.11/site-packages
    scripts: str  # e.g. bin
    headers: str = f"include/{PYTHON_DIR}"
    data: str = ""

    def record_path(self, path: str) -> str:
        """A prefix-relative path as RECORD writes it (relative to site-packages)."""
        return posixpath.relpath(path, self.purelib)


def _relative_inside(path: str, prefix: str, what: str) -> str:
    relative = os.path.relpath(path, prefix)
    if relative == os.curdir:
        return ""
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        raise UserError(
            f"{what} {path} is not inside the prefix {prefix}; pass --prefix"
        )
    return relative.replace(os.sep, "/")


# --------------------------------------------------------------------------
# Reading wheels


@dataclass
class WheelInfo:
    path: str
    name: str  # as in METADATA
    version: str
    dist_info: str  # directory name
    size: int

    @property
    def key(self) -> str:
        return normalize_name(self.name)


def _open_wheel(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"wheel {path} does not exist") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise UserError(
            f"{path} is not a valid wheel (not a zip file: {e}); "
            "delete it and fetch it again"
        ) from None


def _read_text(archive: zipfile.ZipFile, member: str, wheel: str) -> str:
    try:
        return archive.read(member).decode("utf-8")
    except KeyError:
        raise UserError(f"wheel {wheel} has no {member}") from None
    except UnicodeDecodeError:
        raise UserError(f"wheel {wheel}: {member} is not UTF-8") from None
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise UserError(f"wheel {wheel} is corrupt ({member}: {e})") from None


def read_wheel_info(path: str) -> WheelInfo:
    with _open_wheel(path) as archive:
        names = archive.namelist()
        dist_infos = sorted(
            {
                n.split("/", 1)[0]
                for n in names
                if n.count("/") == 1 and n.split("/", 1)[0].endswith(".dist-info")
            }
        )
        dist_infos = [d for d in dist_infos if f"{d}/WHEEL" in names]
        if len(dist_infos) != 1:
            found = ", ".join(dist_infos) or "none"
            raise UserError(
                f"wheel {path} must have exactly one top-level *.dist-info with "
                f"a WHEEL file (found: {found})"
            )
        dist_info = dist_infos[0]
        parser = email.parser.HeaderParser()
        wheel_meta = parser.parsestr(_read_text(archive, f"{dist_info}/WHEEL", path))
        wheel_version = (wheel_meta.get("Wheel-Version") or "").strip()
        if not re.fullmatch(r"1(\.\d+)*", wheel_version):
            raise UserError(
                f"wheel {path}: unsupported Wheel-Version `{wheel_version}` (need 1.x)"
            )
        root_is_purelib = (wheel_meta.get("Root-Is-Purelib") or "").strip().lower()
        if root_is_purelib not in ("true", "false"):
            raise UserError(f"wheel {path}: {dist_info}/WHEEL lacks Root-Is-Purelib")
        metadata = parser.parsestr(_read_text(archive, f"{dist_info}/METADATA", path))
        name, version = metadata.get("Name"), metadata.get("Version")
        if not name or not version:
            raise UserError(f"wheel {path}: {dist_info}/METADATA lacks Name or Version")
    return WheelInfo(
        path, name.strip(), version.strip(), dist_info, os.path.getsize(path)
    )


# --------------------------------------------------------------------------
# Extracting one wheel (runs in a worker process)


@dataclass
class WheelResult:
    key: str
    version: str
    dist_info: str
    files: dict[str, tuple[str, int]] = field(
        default_factory=dict
    )  # path -> (sha, size)
    seconds: float = 0.0

    @property
    def installed_bytes(self) -> int:
        return sum(size for _, size in self.files.values())


def _check_member(name: str, wheel: str) -> list[str]:
    parts = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or "\0" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise UserError(
            f"wheel {wheel} has an unsafe path `{name}`; it cannot be installed"
        )
    return parts


class _Writer:
    """Writes files below one root, creating parent directories once."""

    def __init__(self, root: str, wheel: str) -> None:
        self.root = root
        self.wheel = wheel
        self.made: set[str] = {""}

    def _parent(self, path: str) -> None:
        parent = posixpath.dirname(path)
        if parent not in self.made:
            try:
                os.makedirs(os.path.join(self.root, parent), mode=0o755, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise UserError(
                    f"wheel {self.wheel}: cannot create directory {parent}: a file "
                    "of the same wheel is in the way"
                ) from None
            self.made.add(parent)

    def open(self, path: str, executable: bool) -> BinaryIO:
        self._parent(path)
        mode = 0o755 if executable else 0o644
        target = os.path.join(self.root, path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            raise UserError(f"wheel {self.wheel} installs {path} twice") from None
        except IsADirectoryError:
            raise UserError(
                f"wheel {self.wheel}: {path} is both a file and a directory"
            ) from None
        os.fchmod(fd, mode)
        return os.fdopen(fd, "wb", buffering=0)

    def write(self, path: str, content: bytes, executable: bool) -> tuple[str, int]:
        with self.open(path, executable) as f:
            f.write(content)
        return hashlib.sha256(content).hexdigest(), len(content)


def _wheel_record(archive: zipfile.ZipFile, dist_info: str) -> dict[str, str]:
    """The wheel's own RECORD: path -> urlsafe-b64 sha256, for entries that have one."""
    try:
        text = archive.read(f"{dist_info}/RECORD").decode("utf-8")
    except KeyError:
        return {}
    hashes: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[1].startswith("sha256="):
            hashes[row[0]] = row[1]
    return hashes


def _rewrite_shebang(content: bytes) -> bytes:
    """`#!python` (pip's placeholder for the installing interpreter) -> SHEBANG."""
    if re.match(rb"#!pythonw?(\s|$)", content):
        newline = content.find(b"\n")
        rest = b"" if newline < 0 else content[newline:]
        return SHEBANG + (rest or b"\n")
    return content


def _launcher(module: str, attribute: str) -> bytes:
    head, _, rest = attribute.partition(".")
    call = "_entry_point" + (f".{rest}" if rest else "")
    return (
        f"{SHEBANG.decode()}\n"
        "import sys\n"
        "\n"
        f"from {module} import {head} as _entry_point\n"
        "\n"
        'if __name__ == "__main__":\n'
        f"    sys.exit({call}())\n"
    ).encode()


def _entry_points(text: str, wheel: str) -> dict[str, tuple[str, str]]:
    """console_scripts and gui_scripts: script name -> (module, attribute)."""
    parser = configparser.ConfigParser(
        delimiters=("=",), interpolation=None, strict=True
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as e:
        raise UserError(f"wheel {wheel}: cannot parse entry_points.txt: {e}") from None
    scripts: dict[str, tuple[str, str]] = {}
    for section in ("console_scripts", "gui_scripts"):
        if not parser.has_section(section):
            continue
        for script, value in parser.items(section):
            target = re.sub(r"\[.*\]\s*$", "", value).strip()
            module, _, attribute = (part.strip() for part in target.partition(":"))
            if (
                not _SCRIPT_NAME_RE.fullmatch(script)
                or not _IDENTIFIER_PATH_RE.fullmatch(module)
                or not _IDENTIFIER_PATH_RE.fullmatch(attribute)
            ):
                raise UserError(
                    f"wheel {wheel}: invalid {section} entry point `{script} = {value}`"
                )
            if script in scripts:
                raise UserError(
                    f"wheel {wheel}: entry point `{script}` is defined twice"
                )
            scripts[script] = (module, attribute)
    return scripts


def extract_wheel(info: WheelInfo, root: str, layout: Layout) -> WheelResult:
    """Install one wheel below `root` (which stands for the prefix)."""
    started = time.monotonic()
    wheel = info.path
    writer = _Writer(root, wheel)
    result = WheelResult(info.key, info.version, info.dist_info)
    record_member = f"{info.dist_info}/RECORD"
    skipped = {record_member, f"{info.dist_info}/INSTALLER"}
    with _open_wheel(wheel) as archive:
        expected = _wheel_record(archive, info.dist_info)
        seen: set[str] = set()
        for member in archive.infolist():
            name = member.filename
            if name.endswith("/") or name in skipped:
                continue
            if name in seen:
                raise UserError(f"wheel {wheel} contains {name} twice")
            seen.add(name)
            parts = _check_member(name, wheel)
            is_script = False
            if parts[0].endswith(".data"):
                if len(parts) < 3:
                    raise UserError(f"wheel {wheel}: unexpected file {name}")
                scheme, rest = parts[1], "/".join(parts[2:])
                if scheme in ("purelib", "platlib"):
                    target = posixpath.join(layout.purelib, rest)
                elif scheme == "scripts":
                    target = posixpath.join(layout.scripts, rest)
                    is_script = True
                elif scheme == "data":
                    target = posixpath.join(layout.data, rest) if layout.data else rest
                elif scheme == "headers":
                    target = posixpath.join(layout.headers, info.name, rest)
                else:
                    raise UserError(f"wheel {wheel}: unknown .data scheme in {name}")
            else:
                target = posixpath.join(layout.purelib, name)
            mode = member.external_attr >> 16
            executable = is_script or bool(mode & 0o111)
            try:
                if is_script:
                    original = archive.read(member)
                    digest = hashlib.sha256(original).digest()
                    sha, size = writer.write(target, _rewrite_shebang(original), True)
                else:
                    hasher = hashlib.sha256()
                    size = 0
                    with (
                        archive.open(member) as source,
                        writer.open(target, executable) as out,
                    ):
                        while chunk := source.read(BUFFER_SIZE):
                            hasher.update(chunk)
                            out.write(chunk)
                            size += len(chunk)
                    digest = hasher.digest()
                    sha = digest.hex()
            except (zipfile.BadZipFile, EOFError, zlib.error) as e:
                raise UserError(f"wheel {wheel} is corrupt ({name}: {e})") from None
            if name in expected and expected[name] != record_hash(digest):
                raise UserError(
                    f"wheel {wheel} is corrupt: {name} does not match the hash "
                    "in its RECORD"
                )
            result.files[target] = (sha, size)

        entry_points = f"{info.dist_info}/entry_points.txt"
        if entry_points in seen:
            text = _read_text(archive, entry_points, wheel)
            for script, (module, attribute) in sorted(
                _entry_points(text, wheel).items()
            ):
                target = posixpath.join(layout.scripts, script)
                if target in result.files:
                    raise UserError(
                        f"wheel {wheel}: console script `{script}` collides with "
                        f"the file {target} of the same wheel"
                    )
                result.files[target] = writer.write(
                    target, _launcher(module, attribute), True
                )

    dist_info = posixpath.join(layout.purelib, info.dist_info)
    installer = posixpath.join(dist_info, "INSTALLER")
    result.files[installer] = writer.write(installer, INSTALLER, False)
    record = posixpath.join(dist_info, "RECORD")
    rows = []
    for path, (sha, size) in result.files.items():
        digest = bytes.fromhex(sha)
        rows.append((layout.record_path(path), record_hash(digest), str(size)))
    rows.append((layout.record_path(record), "", ""))
    rows.sort()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    result.files[record] = writer.write(
        record, buffer.getvalue().encode("utf-8"), False
    )
    result.seconds = time.monotonic() - started
    return result


def _extract_job(info: WheelInfo, root: str, layout: Layout) -> WheelResult:
    """Process-pool entry point."""
    return extract_wheel(info, root, layout)


# --------------------------------------------------------------------------
# Putting it together


def _find_conflicts(
    infos: list[WheelInfo], results: dict[str, WheelResult]
) -> list[str]:
    owners: dict[str, tuple[WheelInfo, str]] = {}
    directories: dict[str, WheelInfo] = {}
    problems: list[str] = []
    for info in infos:
        for path, (sha, _) in sorted(results[info.key].files.items()):
            if path in owners:
                other, other_sha = owners[path]
                if other_sha != sha:
                    problems.append(
                        f"{os.path.basename(other.path)} and "
                        f"{os.path.basename(info.path)} both install {path} "
                        "with different content"
                    )
            else:
                owners[path] = (info, sha)
            parent = posixpath.dirname(path)
            while parent and parent not in directories:
                directories[parent] = info
                parent = posixpath.dirname(parent)
    for path, (info, _) in sorted(owners.items()):
        if path in directories:
            problems.append(
                f"{os.path.basename(info.path)} installs the file {path}, but "
                f"{os.path.basename(directories[path].path)} installs a directory there"
            )
    return problems


def _merge(source: str, target: str) -> None:
    """Move the tree `source` into `target`; files in both are equal (checked)."""
    for entry in sorted(os.listdir(source)):
        src, dst = os.path.join(source, entry), os.path.join(target, entry)
        if not os.path.lexists(dst):
            os.rename(src, dst)
        elif os.path.isdir(dst) and not os.path.islink(dst):
            _merge(src, dst)
        else:
            os.unlink(src)


def _finish_tree(root: str) -> None:
    """Normalize directory modes and set every mtime, bottom-up."""
    for directory, _, files in os.walk(root, topdown=False):
        for name in files:
            os.utime(os.path.join(directory, name), (FIXED_MTIME, FIXED_MTIME))
        os.chmod(directory, 0o755)
        os.utime(directory, (FIXED_MTIME, FIXED_MTIME))


def write_atomically(path: str, content: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(temp, 0o644)
        os.utime(temp, (FIXED_MTIME, FIXED_MTIME))
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def install(
    wheels: list[str],
    dest: str,
    prefix: str | None = None,
    scripts_dir: str | None = None,
    manifest: str | None = None,
    jobs: int = 4,
) -> dict[str, dict[str, object]]:
    """Install `wheels`; returns the manifest."""
    dest = os.path.abspath(dest)
    prefix = os.path.abspath(
        prefix or os.path.join(dest, os.pardir, os.pardir, os.pardir)
    )
    scripts_dir = os.path.abspath(scripts_dir or os.path.join(prefix, "bin"))
    layout = Layout(
        purelib=_relative_inside(dest, prefix, "--dest"),
        scripts=_relative_inside(scripts_dir, prefix, "--scripts-dir"),
    )
    if not layout.purelib:
        raise UserError(
            "--dest must be below the prefix (e.g. PREFIX/lib/python3.11/site-packages)"
        )
    if os.path.lexists(prefix) and (not os.path.isdir(prefix) or os.listdir(prefix)):
        raise UserError(f"{prefix} already exists and is not empty; remove it first")
    if not wheels:
        raise UserError("no wheels given")

    infos = [read_wheel_info(path) for path in sorted(wheels, key=os.path.basename)]
    by_key: dict[str, WheelInfo] = {}
    for info in infos:
        if info.key in by_key:
            raise UserError(
                f"distribution {info.key} appears twice: in {by_key[info.key].path} "
                f"({by_key[info.key].version}) and in {info.path} ({info.version})"
            )
        by_key[info.key] = info
    infos.sort(key=lambda i: i.key)
    total = sum(info.size for info in infos)
    log(f"install_wheels: {len(infos)} wheels, {human(total)}, into {prefix}")

    parent = os.path.dirname(prefix)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(
        prefix=f".{os.path.basename(prefix)}.partial-", dir=parent
    )
    try:
        parts = os.path.join(staging, ".parts")
        os.mkdir(parts)
        roots = {info.key: os.path.join(parts, info.key) for info in infos}
        results = _extract_all(infos, roots, layout, jobs)
        log("install_wheels: checking for conflicts, merging, setting mtimes")
        problems = _find_conflicts(infos, results)
        if problems:
            raise UserError(
                "wheels conflict; remove one of each pair from the lock:\n  - "
                + "\n  - ".join(problems)
            )
        tree = os.path.join(staging, "tree")
        os.mkdir(tree)
        for info in infos:
            _merge(roots[info.key], tree)
        shutil.rmtree(parts)
        _finish_tree(tree)
        if os.path.isdir(prefix):
            os.rmdir(prefix)  # empty, checked above
        os.rename(tree, prefix)
        os.utime(prefix, (FIXED_MTIME, FIXED_MTIME))
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    result: dict[str, dict[str, object]] = {}
    for info in infos:
        entry = results[info.key]
        result[info.key] = {
            "version": info.version,
            "dist_info": info.dist_info,
            "files": sorted(entry.files),
        }
    if manifest:
        text = json.dumps(result, indent=2, sort_keys=True) + "\n"
        write_atomically(manifest, text.encode("utf-8"))
    installed = sum(r.installed_bytes for r in results.values())
    count = sum(len(r.files) for r in results.values())
    log(f"install_wheels: installed {count} files, {human(installed)}")
    return result


def _extract_all(
    infos: list[WheelInfo], roots: dict[str, str], layout: Layout, jobs: int
) -> dict[str, WheelResult]:
    results: dict[str, WheelResult] = {}

    def report(info: WheelInfo, result: WheelResult) -> None:
        results[info.key] = result
        log(
            f"  [{len(results)}/{len(infos)}] {info.name} {info.version}: "
            f"{human(info.size)} wheel -> {human(result.installed_bytes)} in "
            f"{len(result.files)} files ({result.seconds:.1f} s)"
        )

    if jobs <= 1 or len(infos) == 1:
        for info in infos:
            report(info, extract_wheel(info, roots[info.key], layout))
        return results
    # Largest first, so the big wheels do not end up last on one worker.
    ordered = sorted(infos, key=lambda i: (-i.size, i.key))
    # fork, not spawn/forkserver: those re-exec sys.executable, which for an
    # interpreter started through its own loader (a Debian root) escapes to the
    # host's libraries.
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context
    ) as pool:
        futures = {
            pool.submit(_extract_job, i, roots[i.key], layout): i for i in ordered
        }
        try:
            for future in concurrent.futures.as_completed(futures):
                report(futures[future], future.result())
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _read_list(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UserError(f"cannot read --wheels-from {path}: {e.strerror}") from None
    return [
        line.strip()
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("wheels", nargs="*", help="wheel files")
    parser.add_argument("--wheels-from", help="file listing wheel paths, one per line")
    parser.add_argument(
        "--dest",
        required=True,
        help="site-packages: PREFIX/lib/python3.11/site-packages",
    )
    parser.add_argument("--prefix", help="install prefix (default: DEST/../../..)")
    parser.add_argument("--scripts-dir", help="console scripts (default: PREFIX/bin)")
    parser.add_argument("--manifest", help="JSON manifest of files per distribution")
    parser.add_argument(
        "--jobs",
        type=int,
        default=4,
        help="worker processes (default 4: creating files waits on the disk, so "
        "even 2 cores gain from more than 2)",
    )
    args = parser.parse_args(argv)
    try:
        wheels = list(args.wheels)
        if args.wheels_from:
            wheels += _read_list(args.wheels_from)
        install(
            wheels,
            dest=args.dest,
            prefix=args.prefix,
            scripts_dir=args.scripts_dir,
            manifest=args.manifest,
            jobs=args.jobs,
        )
    except UserError as e:
        print(f"install_wheels: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("install_wheels: interrupted; nothing was installed", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
