"""A layer spec (JSON) expanded into the exact, sorted set of tar members.

Spec: `{"entries": [ENTRY, ...]}`, each ENTRY one of

    {"kind": "tree", "src": DIR, "dest": "/"}
    {"kind": "tree", "src": DIR, "dest": "/usr/local", "paths_from": LIST,
     "executables_from": LIST}
    {"kind": "tar", "src": TAR, "dest": "/"}
    {"kind": "file", "src": FILE, "dest": "/etc/passwd", "mode": "0644"}
    {"kind": "dir", "dest": "/tmp", "mode": "1777"}
    {"kind": "symlink", "dest": "/usr/bin/python3", "target": "python3.11"}

and any entry may add "uid", "gid" (integers) and "uname", "gname" (strings),
applied to the members it creates (not to implicit parent directories).
Source paths are relative to the working directory (Bazel's execroot).

Rules:
- `tree` adds everything under `src` (a directory, or a symlink to one: only
  that top link is followed). Symlinks inside are kept as symlinks; hard links
  become regular files; sockets, fifos and devices are refused.
- Exception: an absolute symlink into Bazel's output tree (its target has an
  `/execroot/` component, or lies under the output base that contains the
  working directory) is how Bazel's sandbox stages inputs, never an image
  link; it is looked through to what it stages (a file, a directory, or the
  original relative link). Without this, sandboxed actions would put host
  paths into the image.
- `tar` adds the members of an uncompressed tar (a Debian root as its
  repository rule writes it), under `dest`, by the same rules as `tree`:
  symlinks kept, a hard link becomes a regular file with its target's bytes,
  sockets, fifos and devices refused. A root travels as one file so that
  nothing resolves its absolute links on the way: Bazel 7 follows links in
  a source directory when it hashes an action for a remote cache or stages
  it on a worker (bazelbuild/bazel#23620).
- `paths_from` (a file of paths relative to `src`, one per line) takes only
  those paths from the tree (their parent directories are implied; a listed
  path that does not exist is an error). Whoever selects the paths (for
  example the Python rule set, by distribution) knows why; this rule does not.
- Modes are normalised and never read from the disk: directories 0755,
  symlinks 0777; a `file` is 0644 unless the entry gives `mode`; a file of a
  `tree` is 0755 if `executables_from` (a file of paths relative to `src`,
  one per line; each must be a regular file the entry adds) lists it, else
  0644; a file of a `tar` is 0755 if its header has an execute bit, else 0644.
  The disk's execute bits are not the file's: Bazel makes every input
  executable on a remote worker (bazelbuild/bazel#12818) and every output
  0555 here, so a mode read from the disk would give a remote build another
  digest. Whoever installed the tree (the Python rule set) knows its
  executables and says so.
- `.pyc` files and `__pycache__` directories are never written.
- A whiteout file (`.wh.<name>`) may be written, but not next to `<name>`
  in the same layer (podman's storage fails to load such a layer).
- Missing parent directories are created (0755, root). The image root itself
  is never a member.
- Two entries writing the same path: identical (same kind, mode, owner and
  content or target) is kept once; anything else is an error naming both.
  Directories merge: an explicit `dir` entry overrides directories derived
  from a tree, which override implicit parents.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oci.private import layer_entries
from oci.private.digests import file_digest, slice_digest
from rules_common.cli import UserError

FILE = "file"
DIR = "dir"
SYMLINK = "symlink"

# Precedence of directory members that meet at one path.
IMPLICIT = 0
DERIVED = 1
EXPLICIT = 2

_OWNER_KEYS = {"uid", "gid", "uname", "gname"}
_ALLOWED_KEYS: dict[str, set[str]] = {
    "tree": {"kind", "src", "dest", "paths_from", "executables_from"} | _OWNER_KEYS,
    "tar": {"kind", "src", "dest"} | _OWNER_KEYS,
    "file": {"kind", "src", "dest", "mode"} | _OWNER_KEYS,
    "dir": {"kind", "dest", "mode"} | _OWNER_KEYS,
    "symlink": {"kind", "dest", "target"} | _OWNER_KEYS,
}


@dataclass(frozen=True)
class Owner:
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""


ROOT_OWNER = Owner()


@dataclass
class Member:
    """One tar member. `path` is relative to the image root, '/'-separated."""

    path: str
    kind: str
    mode: int
    owner: Owner
    origin: str
    src: str | None = None  # FILE: where the bytes come from
    offset: int | None = None  # FILE: where they start in src (a tar), else all of src
    target: str | None = None  # SYMLINK: the link text
    size: int = 0  # FILE: size seen when the spec was expanded
    priority: int = DERIVED


@dataclass
class Plan:
    members: list[Member]
    skipped_pyc: int = 0
    total_file_bytes: int = 0


def sort_key(path: str) -> list[str]:
    """Members sort by path components, so a directory precedes its contents
    and a directory's contents stay together."""
    return path.split("/")


def expand(spec_path: str) -> Plan:
    """Read and validate the spec and return the sorted members."""
    try:
        with open(spec_path, encoding="utf-8") as f:
            spec = json.load(f)
    except json.JSONDecodeError as e:
        raise UserError(f"{spec_path}: not valid JSON: {e}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("entries"), list):
        raise UserError(f'{spec_path}: expected an object with an "entries" list')
    unknown = set(spec) - {"entries"}
    if unknown:
        raise UserError(f"{spec_path}: unknown top-level keys {sorted(unknown)}")
    collector = _Collector()
    for index, entry in enumerate(spec["entries"]):
        where = f"{spec_path}: entries[{index}]"
        if not isinstance(entry, dict):
            raise UserError(f"{where}: expected an object")
        kind = entry.get("kind")
        if kind not in _ALLOWED_KEYS:
            raise UserError(
                f"{where}: kind must be one of {sorted(_ALLOWED_KEYS)}, got {kind!r}"
            )
        unknown = set(entry) - _ALLOWED_KEYS[kind]
        if unknown:
            raise UserError(f"{where} ({kind}): unknown keys {sorted(unknown)}")
        _Entry(collector, where, entry).add()
    return collector.plan()


class _Entry:
    """Validation and expansion of one spec entry."""

    def __init__(
        self, collector: _Collector, where: str, entry: Mapping[str, Any]
    ) -> None:
        self.c = collector
        self.entry = entry
        self.kind: str = entry["kind"]
        self.where = where
        dest = entry.get("dest")
        self.origin = f"{where} ({self.kind} {dest!r})"
        self.owner = self._owner()
        # A tree's executables (paths relative to its src) and those added.
        self.tree_dest = ""
        self.executables: set[str] = set()
        self.executables_added: set[str] = set()

    def fail(self, message: str) -> UserError:
        return UserError(f"{self.origin}: {message}")

    def add(self) -> None:
        getattr(self, "_add_" + self.kind)()

    # ---- fields

    def _str(self, key: str) -> str:
        value = self.entry.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{key!r} must be a non-empty string")
        return value

    def _dest(self) -> str:
        dest = self._str("dest")
        if not dest.startswith("/"):
            raise self.fail("'dest' must be an absolute path in the image")
        parts = [p for p in dest.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self.fail("'dest' must not contain '..'")
        return "/".join(parts)

    def _mode(self, default: int | None) -> int | None:
        value = self.entry.get("mode")
        if value is None:
            return default
        if not isinstance(value, str) or not re.fullmatch(r"[0-7]{1,4}", value):
            raise self.fail(
                f'mode must be an octal string such as "0644", got {value!r}'
            )
        return int(value, 8)

    def _owner(self) -> Owner:
        values: dict[str, Any] = {}
        for key in ("uid", "gid"):
            v = self.entry.get(key, 0)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise self.fail(f"{key!r} must be a non-negative integer")
            values[key] = v
        for key in ("uname", "gname"):
            v = self.entry.get(key, "")
            if not isinstance(v, str):
                raise self.fail(f"{key!r} must be a string")
            values[key] = v
        return Owner(**values)

    # ---- kinds

    def _add_dir(self) -> None:
        path = self._dest()
        mode = self._mode(0o755)
        assert mode is not None
        if path:  # the image root is never a member
            self.c.add(
                Member(path, DIR, mode, self.owner, self.origin, priority=EXPLICIT)
            )

    def _add_symlink(self) -> None:
        path = self._dest()
        if not path:
            raise self.fail("'dest' cannot be the image root")
        target = self._str("target")
        self.c.add(
            Member(
                path,
                SYMLINK,
                0o777,
                self.owner,
                self.origin,
                target=target,
                priority=EXPLICIT,
            )
        )

    def _add_file(self) -> None:
        path = self._dest()
        if not path:
            raise self.fail("'dest' cannot be the image root")
        if path.endswith(".pyc"):
            raise self.fail("refusing to write a .pyc file")
        src = self._str("src")
        try:
            st = os.stat(src)  # a file source may be a symlink (Bazel inputs are)
        except FileNotFoundError:
            raise self.fail(f"src {src!r} does not exist") from None
        if not stat.S_ISREG(st.st_mode):
            raise self.fail(f"src {src!r} is not a regular file")
        mode = self._mode(0o644)
        assert mode is not None
        self.c.add(
            Member(
                path,
                FILE,
                mode,
                self.owner,
                self.origin,
                src=src,
                size=st.st_size,
                priority=EXPLICIT,
            )
        )

    def _add_tree(self) -> None:
        dest = self._dest()
        src = self._str("src")
        if not os.path.isdir(src):  # follows a top-level symlink, on purpose
            raise self.fail(f"src {src!r} is not a directory")
        if dest:
            self.c.add(Member(dest, DIR, 0o755, self.owner, self.origin))
        self.tree_dest = dest
        if "executables_from" in self.entry:
            self.executables = set(self._read_relative_paths("executables_from"))
        if "paths_from" in self.entry:
            self._add_listed(src, dest)
        else:
            self._walk(src, dest)
        missing = sorted(self.executables - self.executables_added)
        if missing:
            raise self.fail(
                f"executables_from lists {len(missing)} path(s) this entry does "
                f"not add as regular files, e.g. {missing[0]!r}"
            )

    def _read_relative_paths(self, key: str) -> list[str]:
        """The paths the file `key` names lists, one per line, relative to `src`."""
        listing = self._str(key)
        try:
            with open(listing, encoding="utf-8") as f:
                lines = [line for line in f.read().splitlines() if line]
        except OSError as e:
            raise self.fail(f"cannot read {key} {listing!r}: {e.strerror}") from None
        paths = []
        for rel in lines:
            parts = [p for p in rel.split("/") if p not in ("", ".")]
            if rel.startswith("/") or ".." in parts or not parts:
                raise self.fail(
                    f"{listing!r} lists {rel!r}: not a relative path under src"
                )
            paths.append("/".join(parts))
        return paths

    def _tree_file_mode(self, path: str) -> int:
        """0755 for a file the tree's executables list names, else 0644."""
        rel = path[len(self.tree_dest) + 1 :] if self.tree_dest else path
        if rel in self.executables:
            self.executables_added.add(rel)
            return 0o755
        return 0o644

    def _add_tar(self) -> None:
        dest = self._dest()
        src = self._str("src")
        if not os.path.isfile(src):
            raise self.fail(f"src {src!r} is not a file")
        if dest:
            self.c.add(Member(dest, DIR, 0o755, self.owner, self.origin))
        files: dict[str, tuple[int, int, int]] = {}  # path -> offset, size, mode
        with open(src, "rb") as stream:
            for entry, _ in layer_entries.iter_entries(stream, True, src):
                self._add_tar_entry(src, dest, entry, files)

    def _add_tar_entry(
        self,
        src: str,
        dest: str,
        entry: layer_entries.Entry,
        files: dict[str, tuple[int, int, int]],
    ) -> None:
        origin = f"{self.origin} from {src!r} member {entry.info.name!r}"
        path = f"{dest}/{entry.path}" if dest else entry.path
        if "__pycache__" in entry.path.split("/"):
            self.c.skipped_pyc += int(entry.path.endswith(".pyc"))
            return
        if entry.kind == layer_entries.DIR:
            self.c.add(Member(path, DIR, 0o755, self.owner, origin))
            return
        if entry.kind == layer_entries.SYMLINK:
            target = entry.target
            assert target is not None
            self.c.add(Member(path, SYMLINK, 0o777, self.owner, origin, target=target))
            return
        if entry.kind == layer_entries.FILE:
            data = (entry.info.offset_data, entry.info.size, entry.info.mode)
            files[entry.path] = data
        elif entry.kind == layer_entries.HARDLINK:
            assert entry.target is not None
            if entry.target not in files:
                raise UserError(
                    f"{origin}: hard link to {entry.target!r}, "
                    "which is not an earlier regular file of the tar"
                )
            data = files[entry.path] = files[entry.target]
        else:
            raise UserError(
                f"{origin}: not a regular file, directory or symlink "
                "(whiteouts, devices and fifos have no place in a root)"
            )
        if path.endswith(".pyc"):
            self.c.skipped_pyc += 1
            return
        offset, size, mode = data
        self.c.add(
            Member(
                path,
                FILE,
                _file_mode(mode),
                self.owner,
                origin,
                src=src,
                offset=offset,
                size=size,
            )
        )

    def _walk(self, directory: str, dest: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError as e:
            raise self.fail(f"cannot list {directory!r}: {e.strerror}") from None
        for item in entries:
            path = f"{dest}/{item.name}" if dest else item.name
            st = item.stat(follow_symlinks=False)
            self._add_fs_path(item.path, path, st, recurse=True)

    def _add_fs_path(
        self, src: str, path: str, st: os.stat_result, recurse: bool, hops: int = 0
    ) -> None:
        origin = f"{self.origin} from {src!r}"
        m = st.st_mode
        if stat.S_ISLNK(m):
            target = os.readlink(src)
            if _is_staging_link(target):
                # Bazel's sandbox stages each input as a link into the execroot:
                # look through it to the staged file (or link) itself.
                if hops >= MAX_STAGING_HOPS:
                    raise UserError(f"{origin}: too many Bazel staging links")
                self._add_fs_path(target, path, os.lstat(target), recurse, hops + 1)
                return
            self.c.add(Member(path, SYMLINK, 0o777, self.owner, origin, target=target))
        elif stat.S_ISDIR(m):
            if os.path.basename(path) == "__pycache__":
                self.c.skipped_pyc += _count_pyc(src)
                return
            self.c.add(Member(path, DIR, 0o755, self.owner, origin))
            if recurse:
                self._walk(src, path)
        elif stat.S_ISREG(m):
            if path.endswith(".pyc"):
                self.c.skipped_pyc += 1
                return
            self.c.add(
                Member(
                    path,
                    FILE,
                    self._tree_file_mode(path),
                    self.owner,
                    origin,
                    src=src,
                    size=st.st_size,
                )
            )
        else:
            raise UserError(f"{origin}: not a regular file, directory or symlink")

    def _add_listed(self, src: str, dest: str) -> None:
        """The paths `paths_from` lists (one per line, relative to `src`)."""
        paths_from = self._str("paths_from")
        for rel in self._read_relative_paths("paths_from"):
            path_src = os.path.join(src, *rel.split("/"))
            try:
                st = os.lstat(path_src)
            except FileNotFoundError:
                raise self.fail(
                    f"{paths_from!r} lists {rel!r} but {path_src!r} does not exist"
                ) from None
            path = f"{dest}/{rel}" if dest else rel
            self._add_fs_path(path_src, path, st, recurse=False)


MAX_STAGING_HOPS = 8


def _output_base() -> str | None:
    """Bazel's output base, when running inside its execroot (or a sandbox)."""
    cwd = os.getcwd()
    if "/execroot/" not in cwd:
        return None
    return cwd.split("/execroot/", 1)[0]


def _is_staging_link(target: str) -> bool:
    """An absolute link into Bazel's output tree: never part of an image."""
    if not target.startswith("/"):
        return False
    if "/execroot/" in target:
        return True
    base = _output_base()
    return base is not None and target.startswith(base + "/")


def _file_mode(st_mode: int) -> int:
    return 0o755 if st_mode & 0o111 else 0o644


def _count_pyc(directory: str) -> int:
    n = 0
    for _, _, files in os.walk(directory):
        n += sum(1 for f in files if f.endswith(".pyc"))
    return n


def plan_of(members: list[Member]) -> Plan:
    """The sorted plan of `members` (paths unique), their parents implied."""
    collector = _Collector()
    for member in members:
        if member.path in collector.members:
            raise UserError(
                f"conflict at /{member.path}: {member.origin} adds it twice"
            )
        collector.add(member)
    return collector.plan()


class _Collector:
    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.skipped_pyc = 0
        self._digests: dict[tuple[str, int | None], str] = {}

    def add(self, new: Member) -> None:
        old = self.members.get(new.path)
        if old is None:
            self.members[new.path] = new
            return
        if old.kind == DIR and new.kind == DIR:
            if new.priority > old.priority:
                self.members[new.path] = new
            elif new.priority == old.priority and (new.mode, new.owner) != (
                old.mode,
                old.owner,
            ):
                raise self._conflict(
                    old,
                    new,
                    f"directory modes/owners differ ({_attrs(old)} vs {_attrs(new)})",
                )
            return
        if old.kind != new.kind:
            raise self._conflict(
                old, new, f"a {old.kind} in the first, a {new.kind} in the second"
            )
        if (old.mode, old.owner) != (new.mode, new.owner):
            raise self._conflict(
                old, new, f"modes/owners differ ({_attrs(old)} vs {_attrs(new)})"
            )
        if old.kind == SYMLINK and old.target != new.target:
            raise self._conflict(
                old, new, f"symlink targets differ ({old.target!r} vs {new.target!r})"
            )
        if old.kind == FILE and not self._same_content(old, new):
            raise self._conflict(old, new, "different content")
        # Identical: keep the first.

    def _same_content(self, a: Member, b: Member) -> bool:
        assert a.src is not None and b.src is not None
        if self._key(a) == self._key(b):
            return True
        if a.size != b.size:
            return False
        return self._digest(a) == self._digest(b)

    @staticmethod
    def _key(m: Member) -> tuple[str, int | None]:
        assert m.src is not None
        return os.path.realpath(m.src), m.offset

    def _digest(self, m: Member) -> str:
        key = self._key(m)
        if key not in self._digests:
            path, offset = key
            self._digests[key] = (
                file_digest(path)[0]
                if offset is None
                else slice_digest(path, offset, m.size)
            )
        return self._digests[key]

    @staticmethod
    def _conflict(old: Member, new: Member, why: str) -> UserError:
        return UserError(
            f"conflict at /{new.path}: {old.origin} and {new.origin}: {why}"
        )

    def plan(self) -> Plan:
        for m in list(self.members.values()):
            parts = m.path.split("/")
            for i in range(1, len(parts)):
                parent = "/".join(parts[:i])
                existing = self.members.get(parent)
                if existing is None:
                    self.members[parent] = Member(
                        parent,
                        DIR,
                        0o755,
                        ROOT_OWNER,
                        "implicit parent directory",
                        priority=IMPLICIT,
                    )
                elif existing.kind != DIR:
                    raise UserError(
                        f"conflict at /{parent}: {m.origin} puts /{m.path} under it, "
                        f"but {existing.origin} makes it a {existing.kind}"
                    )
        for m in self.members.values():
            parent, _, base = m.path.rpartition("/")
            hidden = base[len(".wh.") :]
            if base.startswith(".wh.") and not hidden.startswith(".wh."):
                other = self.members.get(f"{parent}/{hidden}" if parent else hidden)
                if other is not None:
                    raise UserError(
                        f"conflict at /{other.path}: {other.origin} adds it and "
                        f"{m.origin} whites it out in the same layer "
                        "(podman refuses such a layer)"
                    )
        members = sorted(self.members.values(), key=lambda m: sort_key(m.path))
        total = sum(m.size for m in members if m.kind == FILE)
        return Plan(
            members=members, skipped_pyc=self.skipped_pyc, total_file_bytes=total
        )


def _attrs(m: Member) -> str:
    o = m.owner
    return f"mode {m.mode:04o} uid {o.uid} gid {o.gid}"
