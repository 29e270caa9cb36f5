"""Install ONE wheel as an image layer: one build action per wheel.

    wheel_install --wheel W.whl --python-info python.json --out LAYER.tar
        --descriptor-out LAYER.tar.json --manifest-out M.json
        --tool-wheel installer.whl --tool-wheel packaging.whl

Every check of install_wheels.read_wheel_info runs first (names, versions,
RECORD, paths leaving the root). Then PyPA's `installer` plans the install
(wheel_plan: schemes, `.data`, launchers, shebangs, INSTALLER, RECORD) and
the planned files are streamed from the wheel into LAYER.tar, each member's
bytes read once and checked against RECORD as they pass (a mismatch leaves
no layer behind). The tar is a layer as image_layer writes one
(layer_tar.write_layer: sorted, mtime 0, root-owned, modes 0644 or 0755 for
executables, parents implied), its files at `usr/local/<path>`: the
interpreter's site-packages (from its python.json) and `bin/`. No tree is
written: a tree, where tests need one, is unpacked from this tar
(wheel_tree), so what the tests import is what ships.

The outputs:

- LAYER.tar and LAYER.tar.json (`{"diff_id", "size"}`), the wheel's layer;
- M.json: `{"<name>": {"version", "dist_info", "files": {path: sha256},
  "executables": [...]}}`, paths relative to the prefix, what
  compose_site_packages checks for conflicts between wheels and turns into a
  stack's distributions.json.

Bazel runs it as a persistent worker (rules_common/worker.py) where it can:
one interpreter, its imports done once, for all the wheels of a build.

The layer depends on the wheel's bytes and the interpreter's site-packages
path only, so every stack that locks the same wheel for the same Python
shares the action and the layer. `installer` and `packaging` come from their
wheels (`--tool-wheel`): this runs before any site-packages exists.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import BinaryIO

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import atomic_file, cli, worker  # noqa: E402
from rules_common.progress import human  # noqa: E402

PROG = "wheel_install"
PREFIX = "usr/local"  # where python.json's site_packages starts: the image prefix


def purelib_of(python_info: str) -> str:
    """The site-packages below the prefix, e.g. lib/python3.11/dist-packages."""
    try:
        with open(python_info, encoding="utf-8") as f:
            facts = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise cli.UserError(f"cannot read {python_info}: {e}") from None
    site = facts.get("site_packages") if isinstance(facts, dict) else None
    if not isinstance(site, str) or not site.startswith(PREFIX + "/"):
        raise cli.UserError(
            f"{python_info}: site_packages {site!r} is not below {PREFIX}/"
        )
    return site[len(PREFIX) + 1 :]


def install(
    wheel: str, purelib: str, out: str, descriptor_out: str, manifest_out: str
) -> None:
    from oci import layers
    from pypi.private import install_wheels, wheel_plan

    info = install_wheels.read_wheel_info(wheel)
    layout = install_wheels.Layout(purelib=purelib)
    with wheel_plan.plan_wheel(info, layout) as (plan, archive):
        # Bytecode never ships (layer_spec's rule): a .pyc the wheel carries
        # is left out of the layer, so out of the tree the tests import too.
        pyc = [path for path in plan.files if path.endswith(".pyc")]
        for path in pyc:
            del plan.files[path]
        if pyc:
            cli.note(PROG, f"{wheel}: left out {len(pyc)} .pyc file(s) it carries")
        origin = f"wheel {os.path.basename(wheel)}"
        members = [
            layers.Member(
                f"{PREFIX}/{path}",
                layers.FILE,
                0o755 if planned.executable else 0o644,
                layers.ROOT_OWNER,
                origin,
                src=wheel,
                size=planned.size,
            )
            for path, planned in plan.files.items()
        ]
        by_path = {f"{PREFIX}/{path}": planned for path, planned in plan.files.items()}

        def opener(member: layers.Member) -> AbstractContextManager[BinaryIO]:
            return wheel_plan.open_planned(archive, by_path[member.path], wheel)

        diff_id, size = layers.write_layer(layers.plan_of(members), out, opener)
    atomic_file.write_bytes(
        descriptor_out,
        layers.canonical_json({"diff_id": diff_id, "size": size}) + b"\n",
    )
    manifest = {
        info.key: {
            "version": info.version,
            "dist_info": info.dist_info,
            "files": {path: f.sha256 for path, f in plan.files.items()},
            "executables": plan.executables,
        }
    }
    atomic_file.write_text(
        manifest_out,
        json.dumps(manifest, indent=1, sort_keys=True) + "\n",
        durable=False,
    )
    cli.note(
        PROG,
        f"{info.name} {info.version}: {human(info.size)} wheel -> "
        f"{human(plan.installed_bytes)} in {len(plan.files)} files, "
        f"layer {diff_id[:19]}...",
    )


_tool_wheels: list[str] = []
# What is imported from the tool wheels, directly or not.
_TOOL_MODULES = (
    "installer",
    "packaging",
    "pypi.private.install_wheels",
    "pypi.private.wheel_plan",
)


def use_tool_wheels(wheels: list[str]) -> None:
    """Import `installer` and `packaging` from these wheels (zips Python
    imports from). A persistent worker serves many requests: when one names
    other wheels than those imported so far (the build tools' lock changed),
    what was imported from them is forgotten and imported again."""
    global _tool_wheels
    if wheels == _tool_wheels:
        return
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in _TOOL_MODULES):
            del sys.modules[name]
    sys.path[:] = wheels + [p for p in sys.path if p not in _tool_wheels]
    _tool_wheels = wheels


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", required=True, help="the .whl to install")
    parser.add_argument("--python-info", required=True, help="the interpreter's facts")
    parser.add_argument("--out", required=True, help="the layer tar to write")
    parser.add_argument("--descriptor-out", required=True, help="its diff_id and size")
    parser.add_argument("--manifest-out", required=True, help="what it installs")
    parser.add_argument(
        "--tool-wheel",
        action="append",
        default=[],
        help="a wheel to import the installer from (installer, packaging)",
    )
    args = parser.parse_args(argv)
    use_tool_wheels([os.path.abspath(w) for w in args.tool_wheel])
    install(
        args.wheel,
        purelib_of(args.python_info),
        args.out,
        args.descriptor_out,
        args.manifest_out,
    )
    return 0


if __name__ == "__main__":
    worker.run(PROG, main)
