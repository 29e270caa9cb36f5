"""An image's SLSA v1 provenance: an in-toto statement of what it was built from.

    python3 -m image.private.provenance --layout DIR --target LABEL \
        --dependency NAME=PATH [--dependency ...] [--stamp-info FILE] --out FILE

The statement's subject is the image manifest's digest (from the layout's
index.json); its resolved dependencies are the files the image was built
from (the stack's lock and wheel map, the Debian locks, the build root's
lock), each named and with its sha256, and, when stamped (the workspace
status has STABLE_GIT_COMMIT), the source commit. Nothing in it depends on
when or where it was built: no timestamps, no host paths, keys sorted, so
the same inputs give the same bytes (docs/PROVENANCE.md says what each
field means).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import cli  # noqa: E402
from rules_common.atomic_file import write_text  # noqa: E402

PROG = "provenance"
STATEMENT = "https://in-toto.io/Statement/v1"
PREDICATE = "https://slsa.dev/provenance/v1"
# What kind of build this is: documented in docs/PROVENANCE.md.
BUILD_TYPE = "https://mlimage.invalid/provenance/bazel-image/v1"
BUILDER = "https://mlimage.invalid/builder/bazel"
MAX_DEPENDENCY_BYTES = 256 << 20
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}")


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                size += len(chunk)
                if size > MAX_DEPENDENCY_BYTES:
                    raise cli.UserError(f"{path}: over {MAX_DEPENDENCY_BYTES} bytes")
                digest.update(chunk)
    except OSError as e:
        raise cli.UserError(f"cannot read {path}: {e.strerror}") from None
    return digest.hexdigest()


def manifest_digest(layout: str) -> str:
    """The one manifest's digest the layout's index.json lists."""
    path = os.path.join(layout, "index.json")
    try:
        with open(path, encoding="utf-8") as f:
            manifests = json.load(f).get("manifests") or []
    except (OSError, ValueError) as e:
        raise cli.UserError(f"cannot read {path}: {e}") from None
    if len(manifests) != 1 or not _DIGEST.fullmatch(str(manifests[0].get("digest"))):
        raise cli.UserError(f"{path}: expected one manifest with a sha256 digest")
    return str(manifests[0]["digest"])


def stamped_commit(stamp_info: str | None) -> str | None:
    """STABLE_GIT_COMMIT of the workspace status, if it holds a commit."""
    if not stamp_info:
        return None
    with open(stamp_info, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().partition(" ")
            if key == "STABLE_GIT_COMMIT" and _COMMIT.fullmatch(value):
                return value
    return None


def statement(
    target: str,
    digest: str,
    dependencies: Sequence[tuple[str, str]],
    commit: str | None = None,
) -> dict[str, Any]:
    """The in-toto statement: `dependencies` are (name, sha256 hex) pairs."""
    resolved: list[dict[str, Any]] = [
        {"name": name, "digest": {"sha256": sha}} for name, sha in sorted(dependencies)
    ]
    if commit:
        resolved.insert(0, {"name": "source", "digest": {"gitCommit": commit}})
    return {
        "_type": STATEMENT,
        "subject": [{"name": target, "digest": {"sha256": digest.split(":", 1)[1]}}],
        "predicateType": PREDICATE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {"target": target},
                "resolvedDependencies": resolved,
            },
            "runDetails": {"builder": {"id": BUILDER}},
        },
    }


def problems(doc: dict[str, Any], digest: str, files: dict[str, str]) -> list[str]:
    """What is wrong with a statement for the image `digest` built from `files`
    (name -> path): its shape, its subject and each dependency's digest."""
    found: list[str] = []
    if doc.get("_type") != STATEMENT:
        found.append(f"_type is {doc.get('_type')!r}, not {STATEMENT}")
    if doc.get("predicateType") != PREDICATE:
        found.append(f"predicateType is {doc.get('predicateType')!r}, not {PREDICATE}")
    subjects = doc.get("subject") or []
    want = digest.split(":", 1)[1]
    if [s.get("digest", {}).get("sha256") for s in subjects] != [want]:
        found.append(f"subject is not the image {digest} alone")
    definition = (doc.get("predicate") or {}).get("buildDefinition") or {}
    if not definition.get("buildType"):
        found.append("predicate.buildDefinition.buildType is missing")
    listed = {
        d.get("name"): d.get("digest", {}).get("sha256")
        for d in definition.get("resolvedDependencies") or []
        if "sha256" in d.get("digest", {})
    }
    for name, path in sorted(files.items()):
        if name not in listed:
            found.append(f"resolvedDependencies lacks {name}")
        elif listed[name] != sha256_of(path):
            found.append(f"resolvedDependencies: {name} has another digest than {path}")
    for name in sorted(listed.keys() - files.keys()):
        found.append(
            f"resolvedDependencies lists {name}, which the image was not built from"
        )
    if not (
        ((doc.get("predicate") or {}).get("runDetails") or {}).get("builder") or {}
    ).get("id"):
        found.append("predicate.runDetails.builder.id is missing")
    return found


def _pairs(values: Sequence[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, eq, path = value.partition("=")
        if not eq or not name or not path:
            raise cli.UserError(f"--dependency {value!r}: expected NAME=PATH")
        if name in pairs:
            raise cli.UserError(f"--dependency {name} given twice")
        pairs[name] = path
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True, help="the image's OCI layout")
    parser.add_argument("--target", required=True, help="the image's Bazel label")
    parser.add_argument(
        "--dependency", action="append", default=[], help="NAME=PATH of an input"
    )
    parser.add_argument("--stamp-info", help="the workspace status (stable-status.txt)")
    parser.add_argument("--out", help="write the statement here")
    parser.add_argument(
        "--check", help="instead: check this statement against the layout and inputs"
    )
    args = parser.parse_args(argv)
    files = _pairs(args.dependency)
    digest = manifest_digest(args.layout)
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            found = problems(json.load(f), digest, files)
        for problem in found:
            print(f"{args.check}: {problem}", file=sys.stderr)
        return 1 if found else 0
    if not args.out:
        raise cli.UserError("give --out FILE (or --check FILE)")
    doc = statement(
        args.target,
        digest,
        [(name, sha256_of(path)) for name, path in files.items()],
        stamped_commit(args.stamp_info),
    )
    write_text(
        args.out, json.dumps(doc, indent=2, sort_keys=True) + "\n", durable=False
    )
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
