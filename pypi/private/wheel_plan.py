"""What `installer` would write for one wheel, planned without writing it.

`plan_wheel` runs PyPA's `installer` (schemes, `.data` directories,
console-script launchers, shebangs, INSTALLER and the rewritten RECORD) into a
destination that records each file instead of writing it: a file copied from
the wheel unchanged is planned as that zip member (its bytes are read later,
once, by whoever writes them, and checked against RECORD's hash then); a file
installer generates (a launcher, a script with its shebang rewritten,
INSTALLER, RECORD) is planned as its bytes. So one wheel becomes one image
layer without a tree on disk in between (wheel_install), and the same plan
can still be written as a tree.

Paths are relative to the install prefix (the image's /usr/local), as
install_wheels writes them; modes are 0755 for executables, else 0644.
"""

from __future__ import annotations

import base64
import hashlib
import io
import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from installer.destinations import SchemeDictionaryDestination
from installer.records import Hash, RecordEntry
from installer.scripts import Script
from installer.sources import WheelFile

from pypi.private.install_wheels import (
    INTERPRETER,
    Layout,
    WheelInfo,
    open_wheel,
    record_hex,
    run_installer,
)
from rules_common.cli import UserError

# Where the schemes are rooted while planning: never touched, only a base for
# the relative paths installer's destination computes.
_ROOT = "/prefix"


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the prefix, '/'-separated
    size: int
    sha256: str  # hex
    executable: bool
    member: str | None = None  # the wheel member whose bytes it is, unchanged
    data: bytes | None = None  # or the bytes installer generated


@dataclass
class WheelPlan:
    info: WheelInfo
    files: dict[str, PlannedFile] = field(default_factory=dict)

    @property
    def installed_bytes(self) -> int:
        return sum(f.size for f in self.files.values())

    @property
    def executables(self) -> list[str]:
        return sorted(p for p, f in self.files.items() if f.executable)


def _b64(hex_digest: str) -> str:
    return base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).rstrip(b"=").decode()


@dataclass
class _PlanningDestination(SchemeDictionaryDestination):
    """installer's destination that records each file instead of writing it."""

    archive: zipfile.ZipFile | None = None
    wheel: str = ""
    expected: dict[tuple[str, str], str] = field(default_factory=dict)
    planned: dict[str, PlannedFile] = field(default_factory=dict)

    def write_to_fs(
        self, scheme: str, path: str, stream: BinaryIO, is_executable: bool
    ) -> RecordEntry:
        relative = self._relative(scheme, path)
        if relative in self.planned:
            raise UserError(f"wheel {self.wheel} installs a path twice ({relative})")
        # Scripts are executable whatever their zip mode says, as pip makes them.
        is_executable = is_executable or scheme == "scripts"
        wanted = self.expected.get((scheme, path))
        if (
            wanted is not None
            and self.archive is not None
            and isinstance(stream, zipfile.ZipExtFile)
        ):
            member = stream.name
            size = self.archive.getinfo(member).file_size
            planned = PlannedFile(
                relative, size, record_hex(wanted), is_executable, member
            )
        else:
            data = stream.read()
            digest = hashlib.sha256(data).hexdigest()
            if wanted is not None and record_hex(wanted) != digest:
                raise record_mismatch(self.wheel, path)
            planned = PlannedFile(
                relative, len(data), digest, is_executable, None, data
            )
        self.planned[relative] = planned
        return RecordEntry(path, Hash("sha256", _b64(planned.sha256)), planned.size)

    def _relative(self, scheme: str, path: str) -> str:
        """The path below the prefix; refused if it leaves its scheme's directory
        (installer's own check, without a pathlib object per file: a wheel
        has thousands)."""
        base = self.scheme_dict[scheme][len(_ROOT) + 1 :]
        joined = posixpath.normpath(posixpath.join(base, path))
        if posixpath.isabs(path) or not (
            joined.startswith(base + "/") if base else not joined.startswith("..")
        ):
            raise UserError(f"{path} would be written outside the install prefix")
        return joined

    def write_script(
        self, name: str, module: str, attr: str, section: str
    ) -> RecordEntry:
        script_name, data = Script(name, module, attr, section).generate(  # type: ignore[arg-type]
            self.interpreter, self.script_kind
        )
        with io.BytesIO(data) as stream:
            return self.write_to_fs("scripts", script_name, stream, True)


def record_mismatch(wheel: str, path: str) -> UserError:
    return UserError(
        f"wheel {wheel} does not match its RECORD:\n    "
        f"In {wheel}, hash / size of {path} didn't match RECORD"
    )


@contextmanager
def plan_wheel(
    info: WheelInfo, layout: Layout
) -> Iterator[tuple[WheelPlan, zipfile.ZipFile]]:
    """Plan the install of one (checked) wheel; yields the plan and the open
    wheel, from which the planned members are read."""
    with open_wheel(info.path) as archive:
        destination = _PlanningDestination(
            scheme_dict=layout.schemes(_ROOT, info.name),
            interpreter=INTERPRETER,
            script_kind="posix",
            archive=archive,
            wheel=info.path,
            expected=info.expected,
        )
        run_installer(info, WheelFile(archive), destination)
        yield WheelPlan(info, dict(sorted(destination.planned.items()))), archive


class CheckedMember:
    """A planned member's bytes as they are read, checked against RECORD when
    the last byte has been read (`check`)."""

    def __init__(self, archive: zipfile.ZipFile, planned: PlannedFile, wheel: str):
        assert planned.member is not None
        self._planned = planned
        self._wheel = wheel
        self._stream = archive.open(planned.member)
        self._hash = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._stream.read(n)
        except (zipfile.BadZipFile, EOFError) as e:
            raise UserError(f"wheel {self._wheel} is corrupt: {e}") from None
        self._hash.update(data)
        return data

    def check(self) -> None:
        if self._hash.hexdigest() != self._planned.sha256:
            raise record_mismatch(self._wheel, self._planned.member or "")

    def close(self) -> None:
        self._stream.close()


@contextmanager
def open_planned(
    archive: zipfile.ZipFile, planned: PlannedFile, wheel: str
) -> Iterator[BinaryIO]:
    """The bytes of one planned file; a wheel member is checked against its
    RECORD hash once read (an exception refuses what was written from it)."""
    if planned.data is not None:
        yield io.BytesIO(planned.data)
        return
    member = CheckedMember(archive, planned, wheel)
    try:
        yield member  # type: ignore[misc]
        member.check()
    finally:
        member.close()
