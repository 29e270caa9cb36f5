"""Write one deterministic, uncompressed layer tar from a JSON spec.

    python3 -m oci.private.layer_tar --spec spec.json --out layer.tar \
        --descriptor-out layer.json

The spec format and its rules are in layer_spec.py. The tar is POSIX pax
(`tarfile.PAX_FORMAT`): paths and link targets longer than the 100 bytes of
a ustar header get a pax `path`/`linkpath` record and nothing else (no atime,
ctime or mtime records). Every member has mtime 0; owner root (0/0, empty
names) unless the spec says otherwise. The descriptor is
`{"diff_id": "sha256:<hex>", "size": N}`, hashed while the tar is written.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tarfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, BinaryIO

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import canonical_json, layer_spec  # noqa: E402
from oci.private.digests import CHUNK, HashingWriter  # noqa: E402
from rules_common import atomic_file, cli, worker  # noqa: E402
from rules_common.progress import Progress, human  # noqa: E402

PROG = "layer_tar"


def tar_info(member: layer_spec.Member) -> tarfile.TarInfo:
    info = tarfile.TarInfo(member.path)
    info.mtime = 0
    info.mode = member.mode
    info.uid = member.owner.uid
    info.gid = member.owner.gid
    info.uname = member.owner.uname
    info.gname = member.owner.gname
    if member.kind == layer_spec.DIR:
        info.type = tarfile.DIRTYPE
    elif member.kind == layer_spec.SYMLINK:
        info.type = tarfile.SYMTYPE
        assert member.target is not None
        info.linkname = member.target
    else:
        info.type = tarfile.REGTYPE
    return info


# Opens a FILE member's bytes (exactly member.size of them), for members whose
# bytes are not a file on disk (e.g. a wheel's zip members); the context may
# check what was read when it exits, and raise to refuse the layer.
Opener = Callable[[layer_spec.Member], AbstractContextManager[BinaryIO]]


def write_layer(
    plan: layer_spec.Plan, out: str, opener: Opener | None = None
) -> tuple[str, int]:
    """Write the members to `out` atomically; return (diff_id, size).

    A FILE member's bytes come from `member.src` (from `member.offset` on, if
    set), or from `opener` when one is given."""
    progress = Progress(PROG, os.path.basename(out), total=plan.total_file_bytes)
    with atomic_file.atomic_output(out) as f:
        writer = HashingWriter(f, progress)
        with tarfile.TarFile(
            fileobj=writer,  # type: ignore[arg-type]
            mode="w",
            format=tarfile.PAX_FORMAT,
            encoding="utf-8",
            copybufsize=CHUNK,
        ) as tar:
            for member in plan.members:
                info = tar_info(member)
                if member.kind != layer_spec.FILE:
                    tar.addfile(info)
                    continue
                if opener is not None:
                    info.size = member.size
                    with opener(member) as stream:
                        tar.addfile(info, stream)
                    continue
                assert member.src is not None
                with open(member.src, "rb") as src:
                    st = os.fstat(src.fileno())
                    if not stat.S_ISREG(st.st_mode):
                        raise cli.UserError(
                            f"{member.origin}: {member.src!r} "
                            "is no longer a regular file"
                        )
                    if member.offset is None:
                        info.size = st.st_size
                    else:  # a member of a tar: its bytes, from where they start
                        info.size = member.size
                        src.seek(member.offset)
                    try:
                        tar.addfile(info, src)
                    except OSError as e:  # tarfile's "unexpected end of data"
                        raise cli.UserError(
                            f"{member.origin}: {member.src!r} changed while read: {e}"
                        ) from None
    progress.finish(
        f"wrote {len(plan.members)} entries, {human(writer.size)}, {writer.digest}"
    )
    return writer.digest, writer.size


def build(spec: str, out: str, descriptor_out: str | None) -> dict[str, Any]:
    plan = layer_spec.expand(spec)
    if plan.skipped_pyc:
        cli.note(
            PROG,
            f"{spec}: left out {plan.skipped_pyc} .pyc file(s) found in the sources",
        )
    diff_id, size = write_layer(plan, out)
    descriptor: dict[str, Any] = {"diff_id": diff_id, "size": size}
    if descriptor_out:
        atomic_file.write_bytes(
            descriptor_out, canonical_json.dumps(descriptor) + b"\n"
        )
    return descriptor


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True, help="layer spec JSON")
    parser.add_argument("--out", required=True, help="layer tar to write")
    parser.add_argument(
        "--descriptor-out", help='writes {"diff_id": "sha256:...", "size": N}'
    )
    args = parser.parse_args(argv)
    build(args.spec, args.out, args.descriptor_out)
    return 0


if __name__ == "__main__":
    worker.run(PROG, main)
