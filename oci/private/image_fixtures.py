"""Test helpers: tiny layers and OCI layouts built with the real tools.

For tests only. `write_layer` goes through layer_tar (the spec path), and
`raw_layer` writes a tar by hand for cases layer_tar refuses to produce
(`..` paths, members under a symlink, hard links).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oci.private import layer_tar, oci_layout
from oci.private.digests import file_digest


@dataclass(frozen=True)
class File:
    content: bytes | str = b""
    mode: str | None = None


@dataclass(frozen=True)
class Dir:
    mode: str | None = None
    uid: int = 0
    gid: int = 0


@dataclass(frozen=True)
class Link:
    target: str


Entry = File | Dir | Link | str


def write_layer(
    workdir: str, name: str, entries: Mapping[str, Entry]
) -> oci_layout.LayerInput:
    """A layer from {"/abs/path": File|Dir|Link|"text"} through layer_tar."""
    src_dir = os.path.join(workdir, f"{name}.src")
    os.makedirs(src_dir, exist_ok=True)
    spec: list[dict[str, Any]] = []
    for i, (dest, entry) in enumerate(sorted(entries.items())):
        if isinstance(entry, str):
            entry = File(entry)
        if isinstance(entry, File):
            src = os.path.join(src_dir, str(i))
            data = (
                entry.content.encode()
                if isinstance(entry.content, str)
                else entry.content
            )
            with open(src, "wb") as f:
                f.write(data)
            item: dict[str, Any] = {"kind": "file", "src": src, "dest": dest}
            if entry.mode:
                item["mode"] = entry.mode
        elif isinstance(entry, Dir):
            item = {"kind": "dir", "dest": dest, "uid": entry.uid, "gid": entry.gid}
            if entry.mode:
                item["mode"] = entry.mode
        else:
            item = {"kind": "symlink", "dest": dest, "target": entry.target}
        spec.append(item)
    spec_path = os.path.join(workdir, f"{name}.spec.json")
    with open(spec_path, "w") as f:
        json.dump({"entries": spec}, f)
    tar = os.path.join(workdir, f"{name}.tar")
    descriptor = os.path.join(workdir, f"{name}.json")
    layer_tar.build(spec_path, tar, descriptor)
    return oci_layout.parse_layer(f"{tar}:{descriptor}:{name}")


def raw_layer(
    workdir: str, name: str, members: Sequence[tuple[tarfile.TarInfo, bytes]]
) -> oci_layout.LayerInput:
    """A layer tar written member by member, exactly as given."""
    tar_path = os.path.join(workdir, f"{name}.tar")
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if info.isreg():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    digest, size = file_digest(tar_path)
    descriptor = os.path.join(workdir, f"{name}.json")
    with open(descriptor, "w") as f:
        json.dump({"diff_id": digest, "size": size}, f)
    return oci_layout.parse_layer(f"{tar_path}:{descriptor}:{name}")


def member(
    name: str, kind: str = "file", target: str = "", mode: int | None = None
) -> tarfile.TarInfo:
    """A TarInfo for raw_layer: kind is file, dir, symlink or hardlink."""
    info = tarfile.TarInfo(name)
    info.type = {
        "file": tarfile.REGTYPE,
        "dir": tarfile.DIRTYPE,
        "symlink": tarfile.SYMTYPE,
        "hardlink": tarfile.LNKTYPE,
        "fifo": tarfile.FIFOTYPE,
    }[kind]
    info.linkname = target
    info.mode = mode if mode is not None else (0o755 if kind == "dir" else 0o644)
    return info


def write_layout(
    workdir: str,
    layers: Sequence[oci_layout.LayerInput],
    config: Mapping[str, Any] | None = None,
    out: str = "layout",
    **kwargs: Any,
) -> str:
    """An OCI layout under workdir/out from the layers; returns its path."""
    path = os.path.join(workdir, out)
    oci_layout.build(path, dict(config or {}), layers, **kwargs)
    return path


def zstd_binary() -> str:
    """The zstd the tests use: $ZSTD (under Bazel, the pinned Debian zstd), else
    zstd on PATH. The zstd paths are tested, never skipped: without a zstd
    binary the tests that need one fail."""
    found = os.environ.get("ZSTD") or shutil.which("zstd") or "zstd-not-found"
    return os.path.abspath(found)


@contextlib.contextmanager
def loopback_registry(crane: str, timeout: float = 30.0) -> Iterator[str]:
    """`crane registry serve` on a free 127.0.0.1 port, up: yields HOST:PORT.

    The registry keeps its blobs in memory and is stopped on exit.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    server = subprocess.Popen(
        [crane, "registry", "serve", "--address", address],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://{address}/v2/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"crane registry serve did not come up on {address}"
                    ) from None
                time.sleep(0.2)
        yield address
    finally:
        server.terminate()
        server.wait(10)
