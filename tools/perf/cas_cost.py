"""What a CAS stores for installed site-packages trees: per tree and together.

    python3 tools/perf/cas_cost.py NAME DIR [NAME DIR ...]

A CAS keeps each distinct file content once, so the bytes it needs for a set
of trees are the sizes of their distinct sha256 digests. Prints, per tree,
its files and distinct bytes, then the union and what the trees share.
Standard library only (it reads trees in an output base from the host).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator, Sequence


def regular_files(root: str) -> Iterator[str]:
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                yield path


def digests(root: str) -> tuple[dict[str, int], int]:
    """sha256 -> size for the distinct contents under `root`, and the file count."""
    sizes: dict[str, int] = {}
    count = 0
    for path in regular_files(root):
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        sizes[digest.hexdigest()] = os.path.getsize(path)
        count += 1
    return sizes, count


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    union: dict[str, int] = {}
    total = 0
    for name, root in zip(argv[0::2], argv[1::2], strict=True):
        sizes, count = digests(root)
        union.update(sizes)
        total += sum(sizes.values())
        distinct = sum(sizes.values()) / 1e9
        print(f"{name}: {count} files, {distinct:.3f} GB distinct ({len(sizes)} blobs)")
    together = sum(union.values())
    print(
        f"together: {together / 1e9:.3f} GB in {len(union)} blobs;"
        f" shared {(total - together) / 1e9:.3f} GB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
