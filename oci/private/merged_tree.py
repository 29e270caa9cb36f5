"""The image's file system as the runtime sees it, from layer headers only.

Layers are applied in order with overlay semantics, the way an overlay
snapshotter (podman, containerd, Docker's overlay2) presents them:

- a path in a later layer replaces the same path from earlier layers; a
  directory over a directory merges, anything else hides what was below
  (a non-directory over a directory hides the directory's whole subtree);
- an intermediate directory of a later layer's path replaces a lower
  non-directory (a lower symlink is not followed);
- `.wh.<name>` removes `<name>` (and its subtree) from lower layers;
  `.wh..wh..opq` hides everything lower under its directory; neither touches
  what the same layer adds.

Each node remembers which layers supplied it (`layers`, oldest first, reset
by a whiteout), so a file shipped by two layers is visible as such even
though only the top copy is seen at run time.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from oci.private import layer_entries as le
from oci.private import layout_reader
from rules_common.cli import UserError

FILE = le.FILE
DIR = le.DIR
SYMLINK = le.SYMLINK
HARDLINK = le.HARDLINK
OTHER = le.OTHER

MAX_SYMLINKS = 40


@dataclass
class Node:
    kind: str
    mode: int
    size: int = 0
    target: str | None = None  # SYMLINK: link text; HARDLINK: linked path
    layers: list[int] = field(default_factory=list)
    uid: int = 0
    gid: int = 0

    @property
    def layer(self) -> int:
        """The layer whose copy is visible."""
        return self.layers[-1]


class Unresolvable(Exception):
    """A path that does not lead to an existing node inside the image."""


def _parents(path: str) -> Iterable[str]:
    parts = path.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


class MergedTree:
    def __init__(
        self, image: layout_reader.Image | None = None, zstd: str | None = None
    ) -> None:
        self.image = image
        self.zstd = zstd
        self.nodes: dict[str, Node] = {}

    @classmethod
    def from_image(
        cls, image: layout_reader.Image, zstd: str | None = None
    ) -> MergedTree:
        tree = cls(image, zstd)
        for layer in image.layers:
            with layout_reader.open_layer(layer, zstd) as (stream, seekable):
                tree.apply(
                    layer.index,
                    (e for e, _ in le.iter_entries(stream, seekable, layer.label)),
                )
        return tree

    # ---- building

    def _remove_lower(self, path: str, added: set[str], include_self: bool) -> None:
        """Drop `path`'s subtree (and `path` if asked) except what this layer added."""
        prefix = path + "/" if path else ""
        doomed = [p for p in self.nodes if p.startswith(prefix) and p not in added]
        if include_self and path in self.nodes and path not in added:
            doomed.append(path)
        for p in doomed:
            del self.nodes[p]

    def _ensure_parents(self, path: str, index: int, added: set[str]) -> None:
        for parent in _parents(path):
            node = self.nodes.get(parent)
            if node is None or node.kind != DIR:
                self.nodes[parent] = Node(DIR, 0o755, layers=[index])
            added.add(parent)

    def apply(self, index: int, entries: Iterable[le.Entry]) -> None:
        added: set[str] = set()
        for e in entries:
            if e.kind == le.OPAQUE:
                assert e.target is not None
                if e.target:
                    self._ensure_parents(e.target + "/x", index, added)
                self._remove_lower(e.target, added, include_self=False)
                continue
            if e.kind == le.WHITEOUT:
                assert e.target is not None
                self._ensure_parents(e.target, index, added)
                if e.target not in added:
                    self._remove_lower(e.target, added, include_self=True)
                continue
            self._ensure_parents(e.path, index, added)
            info: tarfile.TarInfo = e.info
            old = self.nodes.get(e.path)
            if old is not None and old.kind == DIR and e.kind != DIR:
                self._remove_lower(e.path, added, include_self=False)
            history = old.layers if old is not None and old.kind == e.kind else []
            if index not in history:
                history = [*history, index]
            self.nodes[e.path] = Node(
                kind=e.kind,
                mode=info.mode & 0o7777,
                size=info.size if e.kind == FILE else 0,
                target=e.target,
                layers=history,
                uid=info.uid,
                gid=info.gid,
            )
            added.add(e.path)

    # ---- queries

    def resolve(self, path: str, follow_last: bool = True) -> str:
        """The node path that `path` leads to, following symlinks inside the
        image (absolute targets start again at the image root, `..` stops at
        the root). Raises Unresolvable with the reason."""
        pending = [p for p in path.split("/") if p not in ("", ".")]
        pending.reverse()  # a stack: next component last
        done: list[str] = []
        links = 0
        while pending:
            part = pending.pop()
            if part == "..":
                if done:
                    done.pop()
                continue
            candidate = "/".join([*done, part])
            node = self.nodes.get(candidate)
            if node is None:
                raise Unresolvable(f"/{candidate} does not exist")
            if node.kind == SYMLINK and (pending or follow_last):
                links += 1
                if links > MAX_SYMLINKS:
                    raise Unresolvable(
                        f"too many levels of symbolic links at /{candidate}"
                    )
                target = node.target or ""
                if target.startswith("/"):
                    done = []
                pending.extend(
                    reversed([p for p in target.split("/") if p not in ("", ".")])
                )
                continue
            if pending and node.kind != DIR:
                raise Unresolvable(f"/{candidate} is not a directory")
            done.append(part)
        return "/".join(done)

    def regular_file(self, path: str) -> tuple[str, Node]:
        """(path, node) of the regular file that `path` leads to (through
        symlinks and hard links)."""
        resolved = self.resolve(path)
        node = self.nodes.get(resolved)
        if node is None:
            raise Unresolvable(f"{path} is the image root")
        if node.kind == HARDLINK:
            assert node.target is not None
            resolved = node.target
            linked = self.nodes.get(resolved)
            if linked is None or linked.kind != FILE:
                raise Unresolvable(f"{path} is a hard link to missing /{resolved}")
            return resolved, linked
        if node.kind != FILE:
            raise Unresolvable(f"{path} is a {node.kind}, not a regular file")
        return resolved, node

    def read_file(self, path: str, limit: int = 16 << 20) -> bytes:
        """The bytes of a (small) file, read from the layer that supplies it."""
        if self.image is None:
            raise UserError("no image to read files from")
        resolved, node = self.regular_file(path)
        if node.size > limit:
            raise UserError(
                f"/{resolved} is {node.size} bytes; refusing to read more than {limit}"
            )
        layer = self.image.layers[node.layer]
        with layout_reader.open_layer(layer, self.zstd) as (stream, seekable):
            for entry, tar in le.iter_entries(stream, seekable, layer.label):
                if entry.path == resolved and entry.kind == FILE:
                    f = tar.extractfile(entry.info)
                    assert f is not None
                    return f.read()
        raise UserError(f"{layer.label}: /{resolved} not found on second read")

    def read_files(
        self, paths: Iterable[str], limit: int = 1 << 20
    ) -> dict[str, bytes]:
        """The bytes of many small files, each layer read once (not once per file)."""
        if self.image is None:
            raise UserError("no image to read files from")
        wanted: dict[int, dict[str, str]] = {}  # layer -> resolved path -> asked path
        for path in paths:
            resolved, node = self.regular_file(path)
            if node.size > limit:
                raise UserError(
                    f"/{resolved} is {node.size} bytes; "
                    f"refusing to read more than {limit}"
                )
            wanted.setdefault(node.layer, {})[resolved] = path
        found: dict[str, bytes] = {}
        for index, files in sorted(wanted.items()):
            layer = self.image.layers[index]
            with layout_reader.open_layer(layer, self.zstd) as (stream, seekable):
                for entry, tar in le.iter_entries(stream, seekable, layer.label):
                    if entry.kind == FILE and entry.path in files:
                        f = tar.extractfile(entry.info)
                        assert f is not None
                        found[files[entry.path]] = f.read()
            missing = [p for p in files.values() if p not in found]
            if missing:
                raise UserError(
                    f"{layer.label}: /{missing[0]} not found on second read"
                )
        return found

    def under(self, path: str) -> Iterable[str]:
        """Every node path strictly below directory `path` ("" = root)."""
        prefix = path + "/" if path else ""
        return (p for p in self.nodes if p.startswith(prefix))
