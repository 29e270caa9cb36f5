"""One self-contained HTML page that says what an image holds, and what changed.

    python3 -m image.private.report --inventory INVENTORY.json --out REPORT.html \
        [--baseline BASELINE_INVENTORY.json | --baseline-layout DIR [--baseline-name N]]

From the image's inventory (inventory.py: layers, Debian packages, Python
distributions, sizes): the layers with their sizes and the heaviest
distributions as charts, the heaviest files, every package of the SBOM.
Given a baseline (another image's inventory, or the OCI layout of any image,
such as the last release pulled by digest: layout_packages.py), also
what changed: packages bumped, added and removed, layers changed, and the
layer bytes a push of this image would send to a registry that holds the
baseline. The data is computed here and embedded as JSON; the page's script
only draws it, and marks `<body data-rendered>` when it has. No network, no
clock: the same inventories give the same bytes.
"""

from __future__ import annotations

import argparse
import html
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

from image.private import layout_packages  # noqa: E402
from rules_common import cli  # noqa: E402
from rules_common.atomic_file import write_text  # noqa: E402

PROG = "report"
HEAVIEST_DISTRIBUTIONS = 15
_ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "report_assets")


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise cli.UserError(f"cannot read {path}: {e}") from None
    for key in ("image", "layers", "debian", "python"):
        if key not in doc:
            raise cli.UserError(f"{path}: not an inventory (no {key!r})")
    return doc


def _key(name: str) -> str:
    """A name as PEP 503 compares it (a lock's `PyYAML` is METADATA's `pyyaml`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _versions(entries: Sequence[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Compared name -> (name as written, version)."""
    return {_key(str(e["name"])): (str(e["name"]), str(e["version"])) for e in entries}


def package_changes(
    old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
) -> list[dict[str, str]]:
    """Each package bumped, added or removed between two lists, by name."""
    before, after = _versions(old), _versions(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None and was[1] == now[1]:
            continue
        kind = "added" if was is None else "removed" if now is None else "bumped"
        name = (now or was or (key, ""))[0]
        changes.append(
            {
                "name": name,
                "change": kind,
                "from": was[1] if was else "",
                "to": now[1] if now else "",
            }
        )
    return changes


def layer_changes(
    old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Layers changed by name, and the layer bytes a push over `old` sends."""
    held = {str(layer["digest"]) for layer in old}
    before = {str(layer["name"]): layer for layer in old}
    after = {str(layer["name"]): layer for layer in new}
    changes = []
    for name in [str(layer["name"]) for layer in new] + sorted(
        before.keys() - after.keys()
    ):
        was, now = before.get(name), after.get(name)
        if was is not None and now is not None and was["digest"] == now["digest"]:
            continue
        changes.append(
            {
                "name": name,
                "change": "added"
                if was is None
                else "removed"
                if now is None
                else "changed",
                "from": int(was["size"]) if was else 0,
                "to": int(now["size"]) if now else 0,
            }
        )
    sent = sum(int(layer["size"]) for layer in new if str(layer["digest"]) not in held)
    return changes, sent


def report_data(inv: dict[str, Any], baseline: dict[str, Any] | None) -> dict[str, Any]:
    """What the page draws."""
    sizes = inv.get("sizes") or {}
    distributions = sorted(
        (sizes.get("distributions") or {}).items(), key=lambda item: (-item[1], item[0])
    )
    data: dict[str, Any] = {
        "image": inv["image"],
        "interpreter": inv.get("interpreter") or {},
        "layers": [
            {
                "name": str(layer["name"]),
                "digest": layer["digest"],
                "size": int(layer["size"]),
            }
            for layer in inv["layers"]
        ],
        "distributions": [
            {"name": name, "size": size}
            for name, size in distributions[:HEAVIEST_DISTRIBUTIONS]
        ],
        "files": sizes.get("files") or [],
        "debian": [
            {
                k: e.get(k, "")
                for k in ("name", "version", "architecture", "source", "sha256")
            }
            for e in sorted(inv["debian"], key=lambda e: e["name"])
        ],
        "python": [
            {k: e.get(k, "") for k in ("name", "version", "license", "sha256")}
            for e in sorted(inv["python"], key=lambda e: e["name"].lower())
        ],
    }
    if baseline is not None:
        layers, sent = layer_changes(baseline["layers"], inv["layers"])
        data["baseline"] = {
            "image": baseline["image"],
            "debian": package_changes(baseline["debian"], inv["debian"]),
            "python": package_changes(baseline["python"], inv["python"]),
            "layers": layers,
            "push_bytes": sent,
        }
    return data


def _asset(name: str) -> str:
    with open(os.path.join(_ASSETS, name), encoding="utf-8") as f:
        return f.read()


def render(data: dict[str, Any]) -> str:
    """The page: the template with its style, script and data inlined."""
    # Inside <script>, "</" would end the element: JSON allows "<\\/".
    embedded = json.dumps(data, sort_keys=True, separators=(",", ":")).replace(
        "</", "<\\/"
    )
    page = _asset("report.html")
    for key, value in (
        (
            "{{TITLE}}",
            html.escape(f"{data['image']['name']} {data['image']['digest'][:19]}"),
        ),
        ("{{STYLE}}", _asset("report.css")),
        ("{{SCRIPT}}", _asset("report.js")),
        ("{{DATA}}", embedded),
    ):
        page = page.replace(key, value)
    return page


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", required=True, help="the image's inventory")
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--baseline", help="the inventory of the image to compare with")
    base.add_argument("--baseline-layout", help="or the OCI layout of that image")
    parser.add_argument(
        "--baseline-name", default="baseline", help="what to call the layout's image"
    )
    parser.add_argument("--out", required=True, help="the HTML page to write")
    args = parser.parse_args(argv)
    baseline = _load(args.baseline) if args.baseline else None
    if args.baseline_layout:
        baseline = layout_packages.layout_inventory(
            args.baseline_layout, args.baseline_name
        )
    write_text(
        args.out, render(report_data(_load(args.inventory), baseline)), durable=False
    )
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
