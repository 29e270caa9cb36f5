"""Make an OCI layout directory from a layout's files, its blobs linked.

    python3 -m oci.private.link_layout --out DIR FILE...

FILE... are a layout's files, each under a `layout/` directory
(`.../layout/index.json`, `.../layout/oci-layout`,
`.../layout/blobs/sha256/<hex>`): what an oci_pull repository holds. The
small JSON files are copied; each blob becomes a relative symbolic link to
its file (layout_blobs.link_blob), never a copy. The result is read back
(layout_reader) before it is kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layout_reader  # noqa: E402
from oci.private.layout_blobs import link_blob  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "link_layout"
_MARKER = "/layout/"


def build(out: str, files: Sequence[str]) -> None:
    """Writes the layout at `out` (atomically)."""
    found: dict[str, str] = {}
    for path in files:
        if _MARKER not in path:
            raise cli.UserError(f"{path}: not under a layout/ directory")
        found[path.rsplit(_MARKER, 1)[1]] = path
    for needed in ("index.json", "oci-layout"):
        if needed not in found:
            raise cli.UserError(f"no layout/{needed} among the files given")
    with atomic_file.atomic_directory(out, marker="oci-layout") as tmp:
        blobs = os.path.join(tmp, "blobs", "sha256")
        os.makedirs(blobs)
        final_blobs = os.path.join(os.path.abspath(out), "blobs", "sha256")
        for relative, path in sorted(found.items()):
            if relative in ("index.json", "oci-layout"):
                shutil.copyfile(path, os.path.join(tmp, relative))
            elif relative.startswith("blobs/sha256/") and relative.count("/") == 2:
                link_blob(
                    path, os.path.join(blobs, relative.rsplit("/", 1)[1]), final_blobs
                )
            else:
                raise cli.UserError(f"{path}: not a file of an OCI layout")
        layout_reader.read_image(tmp)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="layout directory to write")
    parser.add_argument("files", nargs="+", help="the layout's files")
    args = parser.parse_args(argv)
    build(args.out, args.files)
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
