#!/usr/bin/env python3
"""Check and install wheels with PyPA's `installer`, offline: the library of
wheel_install (one wheel, one tree, one build action).

No resolver, no network, no bytecode. `installer` (the PyPA reference
installer) unpacks each wheel: schemes, `.data` directories, console-script
launchers, shebangs and the rewritten RECORD. What is ours:

- each wheel is checked before anything is written (`read_wheel_info`): its
  metadata `Name` is a valid project name that agrees with the filename and
  the dist-info directory, its `Version` agrees too, its RECORD lists exactly
  its files with matching hashes, and no member path leaves the
  site-packages root;
- every written file is checked against RECORD (`extract_wheel`);
- every file and directory gets one mtime (1980-01-01) and a normalised mode
  (0644, or 0755 for executables); INSTALLER says `bazel-pypi`
  (`finish_tree`);
- two distributions writing one path (or a file where another has a
  directory) are refused (install_conflicts, run by compose_site_packages).

`install` puts several wheels into one tree with those same steps, in
parallel: the tests drive every check through it.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import posixpath
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

import installer  # noqa: E402
import installer.utils  # noqa: E402
from installer.destinations import SchemeDictionaryDestination  # noqa: E402
from installer.exceptions import InstallerError  # noqa: E402
from installer.records import RecordEntry  # noqa: E402
from installer.sources import WheelFile  # noqa: E402
from packaging.utils import (  # noqa: E402
    InvalidName,
    InvalidWheelFilename,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version  # noqa: E402

from pypi.private.install_conflicts import conflict_error, find_conflicts  # noqa: E402
from pypi.private.wheel_tree import FIXED_MTIME  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402
from rules_common.cli import UserError  # noqa: E402
from rules_common.progress import human  # noqa: E402

PROG = "install_wheels"
INSTALLER = b"bazel-pypi\n"
# The shebang of console-script launchers and `#!python` scripts: the image's
# interpreter (an image has no /bin/sh for installer's `env` form).
INTERPRETER = "/usr/bin/python3"


# --------------------------------------------------------------------------
# Checking a wheel before anything is written


@dataclass
class WheelInfo:
    path: str
    name: str  # as in METADATA
    version: str
    dist_info: str  # directory name
    size: int
    # (scheme, path as installer writes it) -> RECORD's urlsafe-b64 sha256: the
    # written content is checked against it (one read of each member, not two).
    expected: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


def open_wheel(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"wheel {path} does not exist") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise UserError(
            f"{path} is not a valid wheel (not a zip file: {e}); "
            "delete it and fetch it again"
        ) from None


def check_member_path(name: str, wheel: str) -> None:
    """Refuse a member that would land outside the site-packages root."""
    parts = name.removesuffix("/").split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or "\0" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise UserError(
            f"wheel {wheel} has an unsafe path `{name}` (absolute, or with `..`): "
            "it would land outside the site-packages root; it cannot be installed"
        )


def _record_paths(source: WheelFile, wheel: str) -> set[str]:
    try:
        text = source.read_dist_info("RECORD")
    except KeyError:
        raise UserError(f"wheel {wheel} has no RECORD") from None
    return {row[0] for row in installer.records.parse_record_file(text.splitlines())}


def read_wheel_info(path: str) -> WheelInfo:
    """Check one wheel (names, versions, RECORD, paths); its identity."""
    filename = os.path.basename(path)
    try:
        file_name, file_version, _, _ = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion) as e:
        raise UserError(f"{path}: not a valid wheel filename ({e})") from None
    with open_wheel(path) as archive:
        source = WheelFile(archive)
        try:
            dist_info = source.dist_info_dir
        except (ValueError, InstallerError) as e:
            raise UserError(f"wheel {path}: {e}") from None
        if f"{dist_info}/WHEEL" not in archive.namelist():
            raise UserError(f"wheel {path}: {dist_info} has no WHEEL file")
        try:
            metadata = installer.utils.parse_metadata_file(
                source.read_dist_info("METADATA")
            )
        except KeyError:
            raise UserError(f"wheel {path}: {dist_info} has no METADATA") from None
        except UnicodeDecodeError:
            raise UserError(
                f"wheel {path}: {dist_info}/METADATA is not UTF-8"
            ) from None
        name = (metadata.get("Name") or "").strip()
        version = (metadata.get("Version") or "").strip()
        if not name or not version:
            raise UserError(f"wheel {path}: {dist_info}/METADATA lacks Name or Version")
        try:
            key = canonicalize_name(name, validate=True)
        except InvalidName:
            raise UserError(
                f"wheel {path}: METADATA Name `{name}` is not a valid project name"
            ) from None
        if key != file_name:
            raise UserError(
                f"wheel {path}: METADATA Name `{name}` disagrees with the filename "
                f"(`{file_name}`)"
            )
        dist_name, _, dist_version = dist_info[: -len(".dist-info")].rpartition("-")
        if canonicalize_name(dist_name) != key:
            raise UserError(
                f"wheel {path}: the dist-info directory {dist_info} names another "
                f"project than METADATA (`{name}`)"
            )
        try:
            same = Version(version) == file_version == Version(dist_version)
        except InvalidVersion:
            same = False
        if not same:
            raise UserError(
                f"wheel {path}: METADATA Version {version}, the filename "
                f"({file_version}) and {dist_info} disagree"
            )
        if "entry_points.txt" in source.dist_info_filenames:
            try:
                list(
                    installer.utils.parse_entrypoints(
                        source.read_dist_info("entry_points.txt")
                    )
                )
            except (AssertionError, ValueError, KeyError) as e:
                raise UserError(
                    f"wheel {path}: invalid entry point in {dist_info}/entry_points.txt"
                    f" ({e or 'a console_scripts or gui_scripts line is malformed'})"
                ) from None
        files = set()
        for member in archive.namelist():
            check_member_path(member, path)
            if not member.endswith("/"):
                files.add(member)
        recorded = _record_paths(source, path)
        extra = sorted(recorded - files)
        if extra:
            raise UserError(
                f"wheel {path}: its RECORD lists files the wheel does not hold: "
                + ", ".join(extra[:5])
                + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
            )
        try:
            # Every file listed, with a hash and a size; the contents are
            # checked as they are written (extract_wheel), except scripts,
            # whose shebang the install rewrites: those are checked here.
            source.validate_record(validate_contents=False)
        except ValueError as e:
            raise _record_mismatch(path, e) from None
        root_scheme = _root_scheme(source)
        data_dir = source.data_dir + "/"
        expected: dict[tuple[str, str], str] = {}
        records = installer.records.parse_record_file(
            source.read_dist_info("RECORD").splitlines()
        )
        for member, hash_text, _size in records:
            if not hash_text or member not in files:
                continue
            value = hash_text.partition("=")[2]
            if member.startswith(data_dir):
                scheme, _, rest = member[len(data_dir) :].partition("/")
                if scheme == "scripts":
                    _check_member_hash(archive, member, hash_text, path)
                    continue
                expected[(scheme, rest)] = value
            else:
                expected[(root_scheme, member)] = value
    return WheelInfo(path, name, version, dist_info, os.path.getsize(path), expected)


def _root_scheme(source: WheelFile) -> str:
    metadata = installer.utils.parse_metadata_file(source.read_dist_info("WHEEL"))
    return "purelib" if metadata["Root-Is-Purelib"] == "true" else "platlib"


def _record_mismatch(path: str, error: Exception) -> UserError:
    issues = getattr(error, "issues", None) or [str(error)]
    return UserError(
        f"wheel {path} does not match its RECORD:\n    " + "\n    ".join(issues[:5])
    )


def _check_member_hash(
    archive: zipfile.ZipFile, member: str, hash_text: str, wheel: str
) -> None:
    algorithm, _, value = hash_text.partition("=")
    if algorithm != "sha256":
        raise UserError(f"wheel {wheel}: RECORD hashes {member} with {algorithm}")
    digest = hashlib.sha256(archive.read(member)).digest()
    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != value:
        raise UserError(
            f"wheel {wheel} does not match its RECORD:\n    "
            f"In {wheel}, hash / size of {member} didn't match RECORD"
        )


# --------------------------------------------------------------------------
# Installing one wheel (runs in a worker process)


@dataclass
class WheelResult:
    key: str
    version: str
    dist_info: str
    # prefix-relative path -> (sha256 hex, size)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)
    executables: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def installed_bytes(self) -> int:
        return sum(size for _, size in self.files.values())


@dataclass
class Layout:
    """Where the schemes go, as POSIX paths relative to the prefix."""

    purelib: str  # e.g. lib/python3.11/dist-packages
    scripts: str = "bin"
    data: str = ""

    @property
    def headers(self) -> str:
        """include/pythonX.Y beside lib/pythonX.Y, as sysconfig's `include`."""
        parts = self.purelib.split("/")
        version = next((p for p in parts if p.startswith("python")), "python3")
        return posixpath.join("include", version)

    def schemes(self, root: str, name: str) -> dict[str, str]:
        def at(relative: str) -> str:
            return os.path.join(root, relative) if relative else root

        return {
            "purelib": at(self.purelib),
            "platlib": at(self.purelib),
            "scripts": at(self.scripts),
            "data": at(self.data),
            "headers": at(posixpath.join(self.headers, name)),
        }


@dataclass
class _Destination(SchemeDictionaryDestination):
    """installer's destination, recording each file and normalising modes."""

    root: str = ""
    wheel: str = ""
    expected: dict[tuple[str, str], str] = field(default_factory=dict)
    written: dict[str, tuple[str, int]] = field(default_factory=dict)
    executables: set[str] = field(default_factory=set)

    def write_to_fs(
        self, scheme: str, path: str, stream: BinaryIO, is_executable: bool
    ) -> RecordEntry:
        target = str(self._path_with_destdir(scheme, path))  # type: ignore[arg-type]
        relative = os.path.relpath(target, self.root).replace(os.sep, "/")
        if relative.startswith("../") or relative == "..":
            raise UserError(f"{path} would be written outside the install prefix")
        # Scripts are executable whatever their zip mode says, as pip makes them.
        is_executable = is_executable or scheme == "scripts"
        entry = super().write_to_fs(scheme, path, stream, is_executable)  # type: ignore[arg-type]
        os.chmod(target, 0o755 if is_executable else 0o644)
        digest = entry.hash_.value if entry.hash_ else ""
        wanted = self.expected.get((scheme, path))
        if wanted is not None and wanted != digest:
            raise UserError(
                f"wheel {self.wheel} does not match its RECORD:\n    "
                f"In {self.wheel}, hash / size of {path} didn't match RECORD"
            )
        self.written[relative] = (record_hex(digest), entry.size or 0)
        if is_executable:
            self.executables.add(relative)
        return entry


def record_hex(urlsafe_b64: str) -> str:
    """A RECORD hash (urlsafe base64, unpadded) as hex."""
    padded = urlsafe_b64 + "=" * (-len(urlsafe_b64) % 4)
    return base64.urlsafe_b64decode(padded).hex()


def run_installer(
    info: WheelInfo, source: WheelFile, destination: SchemeDictionaryDestination
) -> None:
    """PyPA's installer on one checked wheel, its errors as UserErrors that
    name the wheel (a tree's destination here, a layer's in wheel_plan)."""
    try:
        installer.install(source, destination, {"INSTALLER": INSTALLER})
    except FileExistsError as e:
        raise UserError(f"wheel {info.path} installs a path twice ({e})") from None
    except (InstallerError, ValueError) as e:
        raise UserError(f"wheel {info.path} cannot be installed: {e}") from None
    except (zipfile.BadZipFile, EOFError) as e:
        raise UserError(f"wheel {info.path} is corrupt: {e}") from None


def extract_wheel(info: WheelInfo, root: str, layout: Layout) -> WheelResult:
    """Install one (checked) wheel below `root`, which stands for the prefix."""
    started = time.monotonic()
    destination = _Destination(
        scheme_dict=layout.schemes(root, info.name),
        interpreter=INTERPRETER,
        script_kind="posix",
        root=root,
        wheel=info.path,
        expected=info.expected,
    )
    with WheelFile.open(info.path) as source:
        run_installer(info, source, destination)
    result = WheelResult(
        info.key,
        info.version,
        info.dist_info,
        destination.written,
        destination.executables,
    )
    result.seconds = time.monotonic() - started
    return result


def _extract_job(info: WheelInfo, root: str, layout: Layout) -> WheelResult:
    """Process-pool entry point."""
    return extract_wheel(info, root, layout)


# --------------------------------------------------------------------------
# Putting it together


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


def finish_tree(root: str) -> None:
    """Normalise directory modes and set every mtime, bottom-up.

    The tree must hold no symlink (wheels cannot carry one): image layers take
    it as a source directory, whose links Bazel 7 would resolve on the build
    machine for a remote cache key or a worker (bazelbuild/bazel#23620)."""
    for directory, dirs, files in os.walk(root, topdown=False):
        for name in dirs + files:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                raise UserError(
                    f"{path} is a symlink: an installed site-packages must hold "
                    "none (image layers and remote cache keys read it as a tree)"
                )
        for name in files:
            os.utime(os.path.join(directory, name), (FIXED_MTIME, FIXED_MTIME))
        os.chmod(directory, 0o755)
        os.utime(directory, (FIXED_MTIME, FIXED_MTIME))


def _relative_inside(path: str, prefix: str, what: str) -> str:
    relative = os.path.relpath(path, prefix)
    if relative == os.curdir:
        return ""
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        raise UserError(
            f"{what} {path} is not inside the prefix {prefix}; pass --prefix"
        )
    return relative.replace(os.sep, "/")


def install(
    wheels: Iterable[str],
    dest: str,
    prefix: str | None = None,
    scripts_dir: str | None = None,
    manifest: str | None = None,
    jobs: int = 4,
) -> dict[str, dict[str, object]]:
    """Install `wheels`; returns the manifest."""
    wheels = list(wheels)
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
            "--dest must be below the prefix (e.g. PREFIX/lib/python3.X/site-packages)"
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
    cli.note(PROG, f"{len(infos)} wheels, {human(total)}, into {prefix}")

    parent = os.path.dirname(prefix)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(
        prefix=f".{os.path.basename(prefix)}.partial-", dir=parent
    )
    try:
        parts = os.path.join(staging, ".parts")
        os.mkdir(parts)
        roots = {info.key: os.path.join(parts, info.key) for info in infos}
        for root in roots.values():
            os.mkdir(root)
        results = _extract_all(infos, roots, layout, jobs)
        cli.note(PROG, "checking for conflicts, merging, setting mtimes")
        problems = find_conflicts(
            [
                (
                    os.path.basename(info.path),
                    {p: sha for p, (sha, _) in results[info.key].files.items()},
                )
                for info in infos
            ]
        )
        if problems:
            raise conflict_error(problems)
        tree = os.path.join(staging, "tree")
        os.mkdir(tree)
        for info in infos:
            _merge(roots[info.key], tree)
        shutil.rmtree(parts)
        finish_tree(tree)
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
            "executables": sorted(entry.executables),
        }
    if manifest:
        atomic_file.write_text(manifest, _render_manifest(result), durable=False)
    installed = sum(r.installed_bytes for r in results.values())
    count = sum(len(r.files) for r in results.values())
    cli.note(PROG, f"installed {count} files, {human(installed)}")
    return result


def _render_manifest(result: dict[str, dict[str, object]]) -> str:
    return json.dumps(result, indent=2, sort_keys=True) + "\n"


def _extract_all(
    infos: list[WheelInfo], roots: dict[str, str], layout: Layout, jobs: int
) -> dict[str, WheelResult]:
    results: dict[str, WheelResult] = {}

    def report(info: WheelInfo, result: WheelResult) -> None:
        results[info.key] = result
        cli.log(
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
