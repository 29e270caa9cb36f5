"""Push many OCI layouts to one registry at once, each by digest: a monorepo's deploy.

    python3 -m oci.private.push_all --crane CRANE --registry REGISTRY/PREFIX \
        [--jobs 4] [--tag TAG ...] [--insecure] [--report FILE] NAME=LAYOUT ...

Every NAME=LAYOUT (an image layout, its manifest digest read from its
index.json) goes to ``REGISTRY/PREFIX/NAME@DIGEST``, ``--jobs`` at a time:

- if the registry already answers for that digest (``crane digest``), the
  image is ``unchanged`` and nothing is sent;
- else ``crane push``; the blobs crane reports as ``pushed blob`` (those the
  registry lacked: an app-only change sends the app layer, the config and
  the manifest) are counted, with the manifest, as the bytes sent.

An image that shares a blob with one listed before it (two services on the
same torch) waits for that push, so a shared layer is uploaded once, not
by two pushes at the same time; the rest run side by side. Then each
``--tag`` is pointed at the digest. A table says, per image, its
digest, ``pushed`` / ``unchanged`` / ``failed`` and the bytes sent;
``--report`` writes the same as JSON. Exit 1 when any push failed (the
others still run), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass

if __package__ in (None, ""):
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layout_reader  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "push_all"
NAME = re.compile(r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*$")
PUSHED_BLOB = re.compile(r"pushed blob:? (sha256:[0-9a-f]{64})")
TIMEOUT_S = 3600


@dataclass
class Result:
    name: str
    reference: str
    digest: str
    status: str  # pushed | unchanged | failed
    bytes_sent: int
    blobs_sent: int
    message: str = ""


def parse_image(arg: str) -> tuple[str, str]:
    name, sep, layout = arg.partition("=")
    if not sep or not NAME.match(name) or not layout:
        raise cli.UserError(
            f"{arg!r}: expected NAME=LAYOUT with NAME a repository path "
            "(lowercase letters, digits, '.', '_', '-', '/')"
        )
    return name, layout


def _crane(crane: str, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [crane, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def push_one(
    crane: str,
    registry: str,
    name: str,
    layout: str,
    tags: Sequence[str],
    insecure: bool,
) -> Result:
    """One image: pushed, unchanged or failed (with the reason), never raised."""
    try:
        return _push_one(crane, registry, name, layout, tags, insecure)
    except (cli.UserError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
        reference = f"{registry.rstrip('/')}/{name}"
        return Result(name, reference, "", "failed", 0, 0, f"{layout}: {exc}")


def _push_one(
    crane: str,
    registry: str,
    name: str,
    layout: str,
    tags: Sequence[str],
    insecure: bool,
) -> Result:
    image = layout_reader.read_image(layout)
    digest = str(image.manifest_descriptor["digest"])
    repository = f"{registry.rstrip('/')}/{name}"
    reference = f"{repository}@{digest}"
    flags = ["--insecure"] if insecure else []
    held = _crane(crane, ["digest", *flags, reference])
    if held.returncode == 0 and held.stdout.strip() == digest:
        status, sent, blobs = "unchanged", 0, 0
    else:
        push = _crane(crane, ["push", *flags, layout, reference])
        if push.returncode != 0:
            message = (push.stderr or push.stdout).strip().splitlines()
            return Result(
                name, reference, digest, "failed", 0, 0, message[-1] if message else ""
            )
        pushed = set(PUSHED_BLOB.findall(push.stderr + push.stdout))
        sent = int(image.manifest_descriptor["size"])
        for blob in pushed:
            path = os.path.join(layout, "blobs", "sha256", blob.split(":", 1)[1])
            sent += os.path.getsize(path)
        status, blobs = "pushed", len(pushed)
    for tag in tags:
        tagged = _crane(crane, ["tag", *flags, reference, tag])
        if tagged.returncode != 0:
            return Result(
                name,
                reference,
                digest,
                "failed",
                sent,
                blobs,
                f"tag {tag}: {tagged.stderr.strip()}",
            )
    return Result(name, reference, digest, status, sent, blobs)


def blobs_of(layout: str) -> set[str]:
    """The digests of an image's config and layers (empty if it does not read)."""
    try:
        image = layout_reader.read_image(layout)
    except (cli.UserError, OSError, ValueError):
        return set()
    return {str(image.config_descriptor["digest"])} | {
        layer.digest for layer in image.layers
    }


def after(layouts: Sequence[str]) -> list[list[int]]:
    """For each image, the earlier ones it shares a blob with (it waits for them)."""
    blobs = [blobs_of(layout) for layout in layouts]
    return [[j for j in range(i) if blobs[i] & blobs[j]] for i in range(len(blobs))]


def table(results: Sequence[Result]) -> str:
    rows = [("image", "digest", "status", "bytes sent")]
    rows += [(r.name, r.digest[:19], r.status, f"{r.bytes_sent:,}") for r in results]
    total = sum(r.bytes_sent for r in results)
    rows.append(
        (
            "total",
            "",
            f"{sum(r.status == 'pushed' for r in results)} pushed",
            f"{total:,}",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i < 3 else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        )
        for row in rows
    ]
    failed = [f"{r.name}: {r.message}" for r in results if r.status == "failed"]
    return "\n".join(lines + failed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--crane", required=True, help="the crane program")
    parser.add_argument(
        "--registry", required=True, help="REGISTRY[/PREFIX] the images go under"
    )
    parser.add_argument("--jobs", type=int, default=4, help="pushes at a time")
    parser.add_argument("--tag", action="append", default=[], help="tag each image")
    parser.add_argument("--insecure", action="store_true", help="plain HTTP")
    parser.add_argument("--report", help="write the results as JSON here")
    parser.add_argument("images", nargs="+", metavar="NAME=LAYOUT")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        raise cli.UserError(f"--jobs {args.jobs}: must be at least 1")
    images = [parse_image(a) for a in args.images]
    names = [name for name, _ in images]
    if len(set(names)) != len(names):
        raise cli.UserError(f"an image name is given twice: {sorted(names)}")
    waits = after([layout for _, layout in images])
    futures: list[Future[Result]] = []

    def task(index: int) -> Result:
        # Earlier images only, submitted first: the earliest unfinished one
        # never waits, so the pool always makes progress.
        for earlier in waits[index]:
            futures[earlier].result()
        name, layout = images[index]
        return push_one(
            args.crane, args.registry, name, layout, args.tag, args.insecure
        )

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for index in range(len(images)):
            futures.append(pool.submit(task, index))
        results = [f.result() for f in futures]
    print(table(results))
    if args.report:
        atomic_file.write_bytes(
            args.report,
            json.dumps([asdict(r) for r in results], indent=2).encode() + b"\n",
        )
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    cli.run(PROG, main)
