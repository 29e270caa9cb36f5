"""What an image holds, from its layers, checked against the locks it was built from.

    python3 -m image.private.inventory --layout DIR --target LABEL \
        --debian-lock LOCK.json --wheels-lock WHEELS.json \
        --python-info PYTHON.json --out INVENTORY.json

Read from the image (its layers merged as the runtime sees them): each
Debian package of /var/lib/dpkg/status.d (name, version, architecture,
source), each Python distribution installed in the interpreter's
site-packages (its dist-info's METADATA: name, version, the licence it
declares), each layer, the manifest digest. Each is then found in a lock:
the .deb's sha256 and URL in the Debian lock, the wheel's in the wheel map.
Anything in the image that its locks do not pin, at that version, stops it,
named; so does a locked wheel the image lacks. The result is the inventory
sbom.py turns into SPDX and CycloneDX; its `sizes` (each distribution's
installed bytes, the heaviest files: image_sizes.py) are the image report's.
"""

from __future__ import annotations

import argparse
import email.parser
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from gates.private import dpkg_status  # noqa: E402
from image.private import image_sizes  # noqa: E402
from oci import layouts  # noqa: E402
from rules_common import cli  # noqa: E402
from rules_common.atomic_file import write_text  # noqa: E402

PROG = "inventory"
MAX_METADATA_BYTES = 4 << 20
_CLASSIFIER = "License :: "


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _load(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise cli.UserError(f"cannot read {path}: {e}") from None


def declared_license(metadata: str) -> str | None:
    """The licence a METADATA file declares: License-Expression, else License,
    else its licence classifiers; None if none."""
    message = email.parser.Parser().parsestr(metadata, headersonly=True)
    expression = (message.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (message.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 200:
        return text
    classifiers = [
        c.rsplit(" :: ", 1)[-1]
        for c in message.get_all("Classifier") or []
        if c.startswith(_CLASSIFIER)
    ]
    return " AND ".join(sorted(set(classifiers))) or None


def debian_packages(
    entries: Mapping[str, str], lock: Mapping[str, Any], lock_path: str
) -> list[dict[str, Any]]:
    """status.d's packages, each with the lock's sha256 and URL."""
    found, problems = dpkg_status.stanza_problems(entries)
    packages = lock.get("packages") or {}
    out = []
    for name, version in sorted(found.items()):
        pinned = packages.get(name)
        if pinned is None:
            problems.append(
                f"Debian package {name} {version} is in no entry of {lock_path}"
            )
            continue
        if pinned.get("version") != version:
            problems.append(
                f"Debian package {name} is {version} in the image, "
                f"{pinned.get('version')} in {lock_path}"
            )
            continue
        fields = dpkg_status.parse_stanza(entries[name]) or {}
        source, _, source_version = (fields.get("Source") or name).partition(" ")
        out.append(
            {
                "name": name,
                "version": version,
                "architecture": fields.get("Architecture") or pinned.get("arch"),
                "source": source,
                "source_version": source_version.strip("()") or version,
                "sha256": pinned["sha256"],
                "url": (pinned.get("urls") or [""])[0],
            }
        )
    if problems:
        raise cli.UserError("; ".join(problems))
    return out


def python_distributions(
    tree: layouts.MergedTree,
    site_packages: str,
    wheels: Mapping[str, Any],
    wheels_path: str,
) -> list[dict[str, Any]]:
    """The dist-infos of site-packages, each with its wheel's sha256 and URL."""
    metadata_paths = sorted(
        path
        for path in tree.under(site_packages)
        if path.endswith(".dist-info/METADATA")
        and path.count("/") == site_packages.count("/") + 2
    )
    texts = tree.read_files(metadata_paths, limit=MAX_METADATA_BYTES)
    by_name = {_normalise(name): (name, w) for name, w in wheels.items()}
    problems = []
    out = []
    seen = set()
    for path in metadata_paths:
        message = email.parser.Parser().parsestr(
            texts[path].decode("utf-8", errors="replace"), headersonly=True
        )
        name, version = message.get("Name") or "", message.get("Version") or ""
        key = _normalise(name)
        seen.add(key)
        if key not in by_name:
            problems.append(
                f"{name} {version} (/{path}) is in no entry of {wheels_path}"
            )
            continue
        locked_name, wheel = by_name[key]
        if wheel.get("version") != version:
            problems.append(
                f"{name} is {version} in the image, "
                f"{wheel.get('version')} in {wheels_path}"
            )
            continue
        entry = {
            "name": locked_name,
            "version": version,
            "sha256": wheel["sha256"],
            "url": wheel.get("url") or "",
        }
        license_text = declared_license(texts[path].decode("utf-8", errors="replace"))
        if license_text:
            entry["license"] = license_text
        out.append(entry)
    for key in sorted(by_name.keys() - seen):
        problems.append(
            f"{by_name[key][0]} is in {wheels_path} but not installed in the image"
        )
    if problems:
        raise cli.UserError("; ".join(problems))
    return out


def inventory(
    layout: str,
    target: str,
    debian_lock: str,
    wheels_lock: str,
    python_info: str,
) -> dict[str, Any]:
    image = layouts.read_image(layout)
    tree = layouts.MergedTree.from_image(image)
    python = _load(python_info)
    return {
        "image": {"name": target, "digest": image.manifest_descriptor["digest"]},
        "layers": [
            {
                "name": layer.name or str(layer.index),
                "digest": layer.digest,
                "size": layer.size,
            }
            for layer in image.layers
        ],
        "interpreter": {"name": "python", "version": python["full_version"]},
        "debian": debian_packages(
            dpkg_status.read_status_entries(layout), _load(debian_lock), debian_lock
        ),
        "python": python_distributions(
            tree, python["site_packages"], _load(wheels_lock)["wheels"], wheels_lock
        ),
        # Where the bytes are, for the image report (not part of the SBOMs).
        "sizes": {
            "distributions": image_sizes.distribution_sizes(
                tree, python["site_packages"]
            ),
            "files": image_sizes.heaviest_files(tree),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True)
    parser.add_argument("--target", required=True, help="the image's label")
    parser.add_argument("--debian-lock", required=True)
    parser.add_argument("--wheels-lock", required=True)
    parser.add_argument("--python-info", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    doc = inventory(
        args.layout, args.target, args.debian_lock, args.wheels_lock, args.python_info
    )
    write_text(
        args.out, json.dumps(doc, indent=2, sort_keys=True) + "\n", durable=False
    )
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
