"""The Debian packages an image says it holds, against those it was built from.

    python3 -m gates.private.dpkg_status --layout DIR --packages A.txt [B.txt ...]
        [--dpkg-query PATH] [--zstd PATH]

An image's Debian roots write each package's control stanza to
/var/lib/dpkg/status.d/<package> (distroless's layout, which Trivy, Grype
and Syft read). `check` compares those stanzas, read from the layers as the
runtime merges them, with the packages the image's roots were made of (each
root's packages.txt: `<package> <version>` lines, from the lock): every
package once, at its version, its file named after it, and nothing else.
`dpkg_query_listing` asks an independent reader: dpkg-query, over a status
file made of the same stanzas; `check` then also compares what it lists.
Every problem is reported, one line each; exit 1 if any.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci import layouts  # noqa: E402
from rules_common import cli  # noqa: E402

PROG = "dpkg_status"
STATUS_DIR = "var/lib/dpkg/status.d"
MAX_STANZA_BYTES = 1 << 20
MAX_PACKAGES = 10_000


def parse_stanza(text: str) -> dict[str, str] | None:
    """A control stanza's fields (continuation lines joined), or None if not one."""
    fields: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t":
            if not key:
                return None
            fields[key] += "\n" + line
            continue
        key, colon, value = line.partition(":")
        if not colon or not key or " " in key:
            return None
        fields[key] = value.strip()
    return fields


def read_packages_files(paths: Sequence[str]) -> dict[str, str]:
    """`<package> <version>` lines of each root's packages.txt, merged."""
    packages: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                parts = line.split()
                if len(parts) != 2:
                    raise cli.UserError(
                        f"{path}:{number}: expected '<package> <version>'"
                    )
                name, version = parts
                if packages.get(name, version) != version:
                    raise cli.UserError(
                        f"{path}:{number}: {name} {version}, "
                        f"another root has {packages[name]}"
                    )
                packages[name] = version
    return packages


def read_status_entries(layout: str, zstd: str | None = None) -> dict[str, str]:
    """File name -> text of each entry of status.d, as the merged layers have it."""
    tree = layouts.MergedTree.from_image(layouts.read_image(layout), zstd)
    paths = [
        path
        for path in sorted(tree.under(STATUS_DIR))
        if "/" not in path[len(STATUS_DIR) + 1 :]  # entries of status.d itself
    ]
    if len(paths) > MAX_PACKAGES:
        raise cli.UserError(f"{layout}: over {MAX_PACKAGES} entries in /{STATUS_DIR}")
    files = tree.read_files(paths, limit=MAX_STANZA_BYTES)
    return {
        path[len(STATUS_DIR) + 1 :]: data.decode("utf-8", errors="replace")
        for path, data in files.items()
    }


def stanza_problems(entries: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Package -> version of the entries, and what is wrong with any of them."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for name, text in sorted(entries.items()):
        fields = parse_stanza(text)
        if fields is None:
            problems.append(f"status.d/{name}: not a control stanza")
            continue
        package, version = fields.get("Package"), fields.get("Version")
        if not package or not version:
            problems.append(f"status.d/{name}: no Package or Version field")
            continue
        if package != name:
            problems.append(f"status.d/{name}: its stanza is for package {package}")
            continue
        found[package] = version
    return found, problems


def compare(
    found: Mapping[str, str], expected: Mapping[str, str], who: str
) -> list[str]:
    """Each package missing, extra or at another version, as `who` sees it."""
    problems = []
    for name in sorted(expected.keys() - found.keys()):
        problems.append(
            f"{who}: {name} {expected[name]} is in the image's roots but not listed"
        )
    for name in sorted(found.keys() - expected.keys()):
        problems.append(
            f"{who}: {name} {found[name]} is listed but in none of the image's roots"
        )
    for name in sorted(found.keys() & expected.keys()):
        if found[name] != expected[name]:
            problems.append(
                f"{who}: {name} is listed at {found[name]}, "
                f"its root has {expected[name]}"
            )
    return problems


def status_file(entries: Mapping[str, str]) -> str:
    """The stanzas as one dpkg status file (each marked installed), for dpkg-query."""
    stanzas = []
    for _, text in sorted(entries.items()):
        lines = [line for line in text.splitlines() if not line.startswith("Status:")]
        lines.insert(1, "Status: install ok installed")
        stanzas.append("\n".join(lines) + "\n")
    return "\n".join(stanzas)


def dpkg_query_listing(dpkg_query: str, entries: Mapping[str, str]) -> dict[str, str]:
    """Package -> version as dpkg-query lists them from a status file of `entries`."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as admin:
        with open(os.path.join(admin, "status"), "w", encoding="utf-8") as f:
            f.write(status_file(entries))
        os.mkdir(os.path.join(admin, "info"))
        os.mkdir(os.path.join(admin, "updates"))
        done = subprocess.run(
            [dpkg_query, f"--admindir={admin}", "-W", "-f=${Package}\t${Version}\n"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if done.returncode != 0:
        raise cli.UserError(
            f"dpkg-query failed ({done.returncode}): {done.stderr.strip()}"
        )
    listing: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, _, version = line.partition("\t")
        listing[name] = version
    return listing


def check(
    entries: Mapping[str, str],
    expected: Mapping[str, str],
    dpkg_query: str | None = None,
) -> list[str]:
    """Every problem with status.d against `expected`, and as dpkg-query sees it."""
    if not entries:
        return [f"/{STATUS_DIR}: no entries (scanners would see no Debian package)"]
    found, problems = stanza_problems(entries)
    problems += compare(found, expected, "status.d")
    if dpkg_query and found:
        # Only the stanzas that parsed: a broken one is named above, and
        # would stop dpkg-query reading the rest.
        sound = {name: entries[name] for name in found}
        problems += compare(
            dpkg_query_listing(dpkg_query, sound), expected, "dpkg-query"
        )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True, help="the image's OCI layout")
    parser.add_argument(
        "--packages", required=True, nargs="+", help="each root's packages.txt"
    )
    parser.add_argument("--dpkg-query", help="dpkg-query, the independent reader")
    parser.add_argument("--zstd", help="zstd, for zstd-compressed layers")
    args = parser.parse_args(argv)
    problems = check(
        read_status_entries(args.layout, args.zstd),
        read_packages_files(args.packages),
        args.dpkg_query,
    )
    for problem in problems:
        print(f"{args.layout}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    cli.run(PROG, main)
