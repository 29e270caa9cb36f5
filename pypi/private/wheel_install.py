"""Install ONE wheel into a tree of its own: one build action per wheel.

    wheel_install --wheel W.whl --python-info python.json --out TREE
        --manifest-out M.json --paths-out P --executables-out E
        --tool-wheel installer.whl --tool-wheel packaging.whl

TREE stands for the install prefix (the image's /usr/local): the wheel's
files land at `lib/pythonX.Y/dist-packages/...` (the interpreter's
site-packages, from its python.json) and `bin/...`. Every check of
install_wheels.read_wheel_info runs first (names, versions, RECORD, paths
leaving the root) and every written file is checked against RECORD; modes
are normalised and every mtime is 1980-01-01. The outputs:

- M.json: `{"<name>": {"version", "dist_info", "files": {path: sha256},
  "executables": [...]}}`, what compose_site_packages checks for conflicts
  between wheels and turns into a stack's distributions.json;
- P and E: the tree's files and its executables, one path a line, for the
  image layer made from it (modes never come from the disk).

The tree depends on the wheel's bytes and the interpreter's site-packages
path only, so every stack that locks the same wheel for the same Python
shares the action, its outputs and the layer made from them. `installer`
and `packaging` come from their wheels (`--tool-wheel`): this runs before
any site-packages exists.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from tools.pylib import atomic_file, cli  # noqa: E402
from tools.pylib.progress import human  # noqa: E402

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
    wheel: str,
    purelib: str,
    out: str,
    manifest_out: str,
    paths_out: str,
    executables_out: str,
) -> None:
    from pypi.private import install_wheels

    if os.path.lexists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise cli.UserError(f"{out} exists and is not an empty directory")
    os.makedirs(out, exist_ok=True)
    info = install_wheels.read_wheel_info(wheel)
    result = install_wheels.extract_wheel(
        info, out, install_wheels.Layout(purelib=purelib)
    )
    install_wheels.finish_tree(out)
    manifest = {
        info.key: {
            "version": info.version,
            "dist_info": info.dist_info,
            "files": {path: sha for path, (sha, _) in sorted(result.files.items())},
            "executables": sorted(result.executables),
        }
    }
    atomic_file.write_text(
        manifest_out,
        json.dumps(manifest, indent=1, sort_keys=True) + "\n",
        durable=False,
    )
    atomic_file.write_text(
        paths_out, "".join(f"{p}\n" for p in sorted(result.files)), durable=False
    )
    atomic_file.write_text(
        executables_out,
        "".join(f"{p}\n" for p in sorted(result.executables)),
        durable=False,
    )
    cli.note(
        PROG,
        f"{info.name} {info.version}: {human(info.size)} wheel -> "
        f"{human(result.installed_bytes)} in {len(result.files)} files "
        f"({result.seconds:.1f} s)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", required=True, help="the .whl to install")
    parser.add_argument("--python-info", required=True, help="the interpreter's facts")
    parser.add_argument("--out", required=True, help="the tree (the install prefix)")
    parser.add_argument("--manifest-out", required=True)
    parser.add_argument("--paths-out", required=True)
    parser.add_argument("--executables-out", required=True)
    parser.add_argument(
        "--tool-wheel",
        action="append",
        default=[],
        help="a wheel to import the installer from (installer, packaging)",
    )
    args = parser.parse_args(argv)
    # A wheel is a zip Python imports from.
    sys.path[:0] = [os.path.abspath(w) for w in args.tool_wheel]
    install(
        args.wheel,
        purelib_of(args.python_info),
        args.out,
        args.manifest_out,
        args.paths_out,
        args.executables_out,
    )
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
