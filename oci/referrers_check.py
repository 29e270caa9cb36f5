"""Check, with oras, that an image's attachments are where they should be.

    python3 -m oci.referrers_check --oras ORAS --referrers RECORD \
        (--layout DIR | --repository REPO [--plain-http]) [--file PATH ...]

RECORD is what `oci_attach` wrote: the image's digest and each attachment's
digest and artifact type. `oras discover` (an independent OCI 1.1 client)
lists the image's referrers in the attached layout DIR (`--oci-layout`) or
at REPO in a registry (the referrers API, or the referrers tag); they must be
exactly the recorded ones, each with its artifact type. In a layout, each
`--file` must also be the bytes of the attachment titled with its file
name (oci_attach titles each so). Every
difference is named; exit 1 if there is one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layout_reader  # noqa: E402
from rules_common import cli  # noqa: E402

PROG = "referrers_check"
TIMEOUT_S = 300


def discover(oras: str, reference: str, flags: Sequence[str]) -> dict[str, str]:
    """digest -> artifact type of each referrer oras lists for `reference`."""
    done = subprocess.run(
        [oras, "discover", *flags, "--format", "json", reference],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise cli.UserError(f"oras discover {reference}: {done.stderr.strip()}")
    listed = json.loads(done.stdout)
    return {
        str(r["digest"]): str(r.get("artifactType", ""))
        for r in listed.get("referrers") or []
    }


def differences(record: dict[str, Any], found: dict[str, str]) -> list[str]:
    """What oras listed that the record does not say, and the reverse."""
    expected = {str(r["digest"]): str(r["artifactType"]) for r in record["referrers"]}
    problems = []
    for digest, artifact_type in sorted(expected.items()):
        if digest not in found:
            problems.append(f"{artifact_type} {digest}: not listed by oras discover")
        elif found[digest] != artifact_type:
            problems.append(
                f"{digest}: oras lists it as {found[digest]!r}, not {artifact_type!r}"
            )
    for digest in sorted(set(found) - set(expected)):
        problems.append(f"{found[digest]} {digest}: listed, but not an attachment")
    return problems


def file_problems(
    layout: str, record: dict[str, Any], files: dict[str, str]
) -> list[str]:
    """Each `--file` against the attachment of its title in the layout."""
    titles = {str(r["title"]): str(r["digest"]) for r in record["referrers"]}
    with open(os.path.join(layout, "index.json")) as f:
        listed = {str(m["digest"]): m for m in json.load(f)["manifests"]}
    problems = []
    for title, path in sorted(files.items()):
        if title not in titles:
            problems.append(f"{path}: no attachment is titled {title!r}")
            continue
        if titles[title] not in listed:
            problems.append(f"{title}: {titles[title]} is not in index.json")
            continue
        manifest = json.loads(
            layout_reader.read_blob(
                layout, listed[titles[title]], f"attachment {title}"
            )
        )
        (layer,) = manifest["layers"]
        with open(path, "rb") as f:
            if layout_reader.read_blob(layout, layer, title) != f.read():
                problems.append(f"{path}: attachment {title!r} holds other bytes")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--oras", required=True)
    parser.add_argument("--referrers", required=True, help="oci_attach's record")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--layout", help="the attached layout")
    where.add_argument("--repository", help="REGISTRY/REPO the image was pushed to")
    parser.add_argument("--plain-http", action="store_true")
    parser.add_argument(
        "--file",
        action="append",
        default=[],
        help="an attached file (its name is its title)",
    )
    args = parser.parse_args(argv)
    with open(args.referrers) as f:
        record = json.load(f)
    image = str(record["image"])
    if args.layout:
        found = discover(args.oras, f"{args.layout}@{image}", ["--oci-layout"])
    else:
        flags = ["--plain-http"] if args.plain_http else []
        found = discover(args.oras, f"{args.repository}@{image}", flags)
    problems = differences(record, found)
    if args.layout:
        files = {os.path.basename(path): path for path in args.file}
        problems += file_problems(args.layout, record, files)
    where_text = args.layout or args.repository
    for problem in problems:
        print(f"{PROG}: {where_text}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{where_text}@{image}: {len(found)} attachments, as recorded")
    return 1 if problems else 0


if __name__ == "__main__":
    cli.run(PROG, main)
