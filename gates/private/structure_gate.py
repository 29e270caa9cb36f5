"""Structural gates over an OCI image layout, read from the layer tars.

    python3 -m gates.private.structure_gate --layout DIR --expect expect.json \
        [--zstd PATH] [--ref NAME]

`check(layout_dir, expectations)` returns one message per problem (empty:
all good). The image is not unpacked: layer headers are merged with overlay
semantics (oci/private/merged_tree.py), and only /etc/passwd is read.

Expectations (every key optional), all read from the stack by the caller
(image_structure_test.py: the layer list from the image's `.layers` file,
written by the layout action from the layers the image macro declared, the
site-packages path from the interpreter's python.json, each distribution's
version from the stack's wheels.lock.json), never written in this module:

    {
      "layers": [<layer names, bottom first>],
      "layer_digests": [<their digests, in the same order>],
      "site_packages": "<the interpreter's site-packages, from />",
      "distributions": {<name>: <pinned version>, ...},
      "allow_unlisted_distributions": false,
      "unique_packages": ["numpy"],
      "user": "<uid>"
    }

Checks, each message starting with its name:
- `layers`: the layer names (manifest annotation `dev.mlimage.layer.name`,
  set by oci_layout) equal `layers`, in order, and each layer's manifest
  digest is its entry of `layer_digests`.
- `distributions`: every `*.dist-info` (or `*.egg-info`) directly in
  `site_packages` is supplied by exactly one layer (a copy in a second
  layer counts even when it lands on the same path; a whiteout removes a
  layer's copy), no distribution is installed twice, each listed one is
  present at its version, and nothing unlisted is installed (unless
  `allow_unlisted_distributions`). Metadata vendored inside a package
  (`site_packages/setuptools/_vendor/x.dist-info`) is not an installation.
- `unique_packages` (default `["numpy"]`): one dist-info of that name in the
  whole image, and no top-level `<name>/` package (a directory with
  `__init__.py` whose parent is not itself a package) outside
  `site_packages/<name>`. Sub-packages such as `array_api_compat/numpy` are
  not copies and pass.
- `site-packages`: no dist-info/egg-info outside `site_packages`, and no
  other non-empty `site-packages`/`dist-packages` directory.
- `user`: the config user is set and is not root (`0`, `root`, or a name whose
  passwd uid is 0), has an /etc/passwd entry (by uid or by name), and, if
  `user` is expected, its uid (or name) matches it.
- `entrypoint`: Entrypoint[0] (else Cmd[0]), looked up on the config's PATH
  when it has no slash, resolves inside the image (symlinks followed within
  the image root) to a regular file with an execute bit.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import sys
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci import layouts  # noqa: E402
from oci.layouts import (  # noqa: E402
    DIR,
    FILE,
    SYMLINK,
    MergedTree,
    Unresolvable,
)
from pypi.locks import normalize_name as normalize_dist_name  # noqa: E402
from rules_common import cli  # noqa: E402

PROG = "structure_gate"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
META_SUFFIXES = (".dist-info", ".egg-info")
SITE_DIR_NAMES = ("site-packages", "dist-packages")
EXPECTATION_KEYS = {
    "layers",
    "layer_digests",
    "site_packages",
    "distributions",
    "allow_unlisted_distributions",
    "unique_packages",
    "user",
}
MAX_LISTED = 20
TEMP_DIRS = ("/tmp", "/var/tmp")


def _rel(path: str) -> str:
    return "/".join(p for p in posixpath.normpath("/" + path).split("/") if p)


def _parse_meta(basename: str) -> tuple[str, str]:
    """(normalised name, version) from `name-version[-pyX.Y].dist-info`."""
    stem = basename.rsplit(".", 1)[0]
    parts = stem.split("-")
    name = normalize_dist_name(parts[0])
    version = parts[1] if len(parts) > 1 else ""
    return name, version


def _shorten(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


class _Gate:
    def __init__(
        self, image: layouts.Image, tree: MergedTree, exp: dict[str, Any]
    ) -> None:
        self.image = image
        self.tree = tree
        self.exp = exp
        self.problems: list[str] = []
        self.config: dict[str, Any] = image.config.get("config") or {}

    def fail(self, check: str, message: str) -> None:
        self.problems.append(f"{check}: {message}")

    def layer_name(self, index: int) -> str:
        return self.image.layers[index].name or f"<unnamed layer {index}>"

    # ---- (a)

    def layers(self) -> None:
        expected = self.exp.get("layers")
        if expected is None:
            return
        actual = [self.layer_name(layer.index) for layer in self.image.layers]
        if actual != expected:
            self.fail("layers", f"expected {expected}, image has {actual}")
            return
        digests = self.exp.get("layer_digests")
        if digests is None:
            return
        if len(digests) != len(expected):
            self.fail(
                "layers",
                f"{len(expected)} layer names but {len(digests)} layer digests given",
            )
            return
        for name, want, layer in zip(expected, digests, self.image.layers, strict=True):
            if layer.digest != want:
                self.fail(
                    "layers",
                    f"layer {name!r} is {layer.digest} in the manifest, "
                    f"but the image's .layers file says {want}",
                )

    # ---- (b), (c), (d)

    def python(self) -> None:
        site = self.exp.get("site_packages")
        if site is None:
            return
        sp = _rel(site)
        nodes = self.tree.nodes
        sp_node = nodes.get(sp)
        if sp_node is None or sp_node.kind != DIR:
            self.fail("distributions", f"{site} is not a directory in the image")
        metas = [
            p
            for p, n in nodes.items()
            if p.endswith(META_SUFFIXES) and (n.kind in (DIR, FILE))
        ]
        installed = [p for p in metas if posixpath.dirname(p) == sp]
        vendored = [p for p in metas if p.startswith(sp + "/") and p not in installed]
        outside = [p for p in metas if not p.startswith(sp + "/")]
        self._distributions(sp, installed)
        self._unique(sp, installed + vendored + outside)
        self._outside(sp, outside)

    def _suppliers(self, paths: list[str]) -> dict[str, set[int]]:
        """Layers supplying each metadata path or anything inside it."""
        wanted = set(paths)
        found: dict[str, set[int]] = {p: set() for p in paths}
        for path, node in self.tree.nodes.items():
            parts = path.split("/")
            for i in range(len(parts), 0, -1):
                if parts[i - 1].endswith(META_SUFFIXES):
                    candidate = "/".join(parts[:i])
                    if candidate in wanted:
                        found[candidate].update(node.layers)
                    break
        return found

    def _distributions(self, sp: str, installed: list[str]) -> None:
        by_name: dict[str, list[tuple[str, str]]] = {}
        for path in sorted(installed):
            name, version = _parse_meta(posixpath.basename(path))
            by_name.setdefault(name, []).append((version, path))
        for path, layers in sorted(self._suppliers(installed).items()):
            if len(layers) > 1:
                names = [self.layer_name(i) for i in sorted(layers)]
                self.fail(
                    "distributions",
                    f"/{path} is supplied by {len(layers)} layers "
                    f"({', '.join(names)}); "
                    "each distribution must come from exactly one layer",
                )
        for name, copies in sorted(by_name.items()):
            if len(copies) > 1:
                listed = ", ".join("/" + p for _, p in copies)
                self.fail(
                    "distributions",
                    f"{name} is installed {len(copies)} times: {listed}",
                )
        expected = self.exp.get("distributions")
        if expected is None:
            return
        wanted = {normalize_dist_name(k): v for k, v in expected.items()}
        for name, version in sorted(wanted.items()):
            present = by_name.get(name)
            if not present:
                self.fail(
                    "distributions",
                    f"{name} {version} is expected but not installed in /{sp}",
                )
                continue
            versions = sorted({v for v, _ in present})
            if versions != [version]:
                self.fail(
                    "distributions",
                    f"{name} is {', '.join(versions)}, expected {version}",
                )
        if not self.exp.get("allow_unlisted_distributions", False):
            extra = [
                f"{n} {c[0][0]}" for n, c in sorted(by_name.items()) if n not in wanted
            ]
            if extra:
                self.fail(
                    "distributions", f"not in the expected list: {_shorten(extra)}"
                )

    def _unique(self, sp: str, metas: list[str]) -> None:
        nodes = self.tree.nodes
        for package in self.exp.get("unique_packages", ["numpy"]):
            name = normalize_dist_name(package)
            found = sorted(
                p for p in metas if _parse_meta(posixpath.basename(p))[0] == name
            )
            if len(found) > 1:
                self.fail(
                    package,
                    f"{len(found)} {package} distributions: "
                    + ", ".join("/" + p for p in found),
                )
            home = f"{sp}/{package}"
            copies = []
            for path, node in nodes.items():
                if (
                    node.kind != DIR
                    or posixpath.basename(path) != package
                    or path == home
                ):
                    continue
                if f"{path}/__init__.py" not in nodes:
                    continue  # not a Python package (e.g. numpy/core/include/numpy)
                if path.startswith(home + "/"):
                    continue  # inside the expected package
                if f"{posixpath.dirname(path)}/__init__.py" in nodes:
                    continue  # a sub-package of another package, not a second copy
                copies.append("/" + path)
            if copies:
                self.fail(
                    package,
                    f"{package} package outside /{home}: {_shorten(sorted(copies))}",
                )

    def _outside(self, sp: str, outside: list[str]) -> None:
        if outside:
            self.fail(
                "site-packages",
                f"Python distributions installed outside /{sp}: "
                + _shorten(["/" + p for p in sorted(outside)]),
            )
        nodes = self.tree.nodes
        for path, node in sorted(nodes.items()):
            if node.kind != DIR or posixpath.basename(path) not in SITE_DIR_NAMES:
                continue
            if path == sp or path.startswith(sp + "/"):
                continue
            count = sum(1 for _ in self.tree.under(path))
            if count:
                self.fail(
                    "site-packages",
                    f"/{path} holds {count} entries; only /{sp} may hold packages",
                )

    # ---- (e)

    def user(self) -> None:
        user = self.config.get("User") or ""
        if not user:
            self.fail("user", "no User set: the image would run as root")
            return
        who = user.split(":", 1)[0]
        if who in ("0", "root"):
            self.fail("user", f"User {user!r} is root")
            return
        try:
            passwd = self.tree.read_file("/etc/passwd").decode(
                "utf-8", errors="replace"
            )
        except Unresolvable as e:
            self.fail("user", f"cannot read /etc/passwd: {e}")
            return
        entries = []
        for line in passwd.splitlines():
            fields = line.split(":")
            if len(fields) >= 4 and not line.startswith("#"):
                entries.append((fields[0], fields[2]))
        if who.isdigit():
            match = [e for e in entries if e[1] == who]
            if not match:
                self.fail(
                    "user", f"uid {who} (User {user!r}) has no entry in /etc/passwd"
                )
                return
        else:
            match = [e for e in entries if e[0] == who]
            if not match:
                self.fail(
                    "user", f"user {who!r} (User {user!r}) has no entry in /etc/passwd"
                )
                return
            if match[0][1] == "0":
                self.fail("user", f"user {who!r} has uid 0 in /etc/passwd: root")
                return
        name, uid = match[0]
        expected = self.exp.get("user")
        if expected is not None and str(expected) not in (uid, name):
            self.fail("user", f"runs as {name} (uid {uid}), expected {expected}")

    def temp_dirs(self) -> None:
        """/tmp and /var/tmp are directories anyone may write, sticky (1777):
        without the sticky bit, any user may delete anyone's files there."""
        for path in TEMP_DIRS:
            node = self.tree.nodes.get(_rel(path))
            if node is None or node.kind != DIR:
                self.fail("temp dirs", f"{path} is missing or not a directory")
            elif node.mode != 0o1777:
                self.fail(
                    "temp dirs",
                    f"{path} has mode {node.mode:04o}, expected 1777 (sticky, "
                    "world-writable)",
                )

    # ---- (g)

    def symlinks(self) -> None:
        """Absolute symlinks resolve inside the image (none into a host path)."""
        broken = []
        for path, node in sorted(self.tree.nodes.items()):
            if node.kind != SYMLINK or not (node.target or "").startswith("/"):
                continue
            try:
                self.tree.resolve(path)
            except Unresolvable:
                broken.append(f"/{path} -> {node.target}")
        if broken:
            self.fail(
                "symlinks",
                "absolute links that lead nowhere inside the image: "
                + _shorten(broken),
            )

    def _loader(self, candidate: str, resolved: str) -> None:
        """A dynamically linked entrypoint's ELF interpreter exists in the image."""
        interpreter = elf_interpreter(
            self.tree.read_file("/" + resolved, 64 << 20)[:65536]
        )
        if interpreter is None:
            return
        try:
            self.tree.regular_file(interpreter)
        except Unresolvable as e:
            self.fail(
                "entrypoint",
                f"{candidate} needs the loader {interpreter}, which does not "
                f"resolve inside the image: {e}",
            )

    # ---- (f)

    def entrypoint(self) -> None:
        argv = list(self.config.get("Entrypoint") or []) + list(
            self.config.get("Cmd") or []
        )
        if not argv:
            self.fail("entrypoint", "the image has neither Entrypoint nor Cmd")
            return
        exe = argv[0]
        if "/" in exe:
            candidates = [posixpath.join(self.config.get("WorkingDir") or "/", exe)]
        else:
            env = dict(e.partition("=")[::2] for e in self.config.get("Env") or [])
            dirs = [
                d for d in env.get("PATH", DEFAULT_PATH).split(":") if d.startswith("/")
            ]
            candidates = [posixpath.join(d, exe) for d in dirs]
        reasons = []
        for candidate in candidates:
            try:
                resolved, node = self.tree.regular_file(candidate)
            except Unresolvable as e:
                reasons.append(str(e))
                continue
            if not node.mode & 0o111:
                self.fail(
                    "entrypoint",
                    f"{candidate} (/{resolved}) is not executable "
                    f"(mode {node.mode:04o})",
                )
            self._loader(candidate, resolved)
            return
        where = candidates[0] if len(candidates) == 1 else f"{exe!r} on PATH"
        self.fail(
            "entrypoint",
            f"{where} does not resolve inside the image: {'; '.join(reasons)}",
        )


def elf_interpreter(header: bytes) -> str | None:
    """The PT_INTERP path of a 64-bit little-endian ELF file, or None."""
    if len(header) < 64 or header[:4] != b"\x7fELF" or header[4:6] != b"\x02\x01":
        return None
    phoff = int.from_bytes(header[32:40], "little")
    phentsize = int.from_bytes(header[54:56], "little")
    phnum = int.from_bytes(header[56:58], "little")
    for i in range(phnum):
        ph = header[phoff + i * phentsize : phoff + (i + 1) * phentsize]
        if len(ph) < 56:
            return None
        if int.from_bytes(ph[0:4], "little") == 3:  # PT_INTERP
            offset = int.from_bytes(ph[8:16], "little")
            size = int.from_bytes(ph[32:40], "little")
            return header[offset : offset + size].rstrip(b"\0").decode()
    return None


def check(
    layout_dir: str,
    expectations: dict[str, Any],
    *,
    zstd: str | None = None,
    ref: str | None = None,
) -> list[str]:
    """All structural problems of the image in `layout_dir` (empty: it passes)."""
    if not isinstance(expectations, dict):
        raise cli.UserError("expectations: expected a JSON object")
    unknown = set(expectations) - EXPECTATION_KEYS
    if unknown:
        raise cli.UserError(f"expectations: unknown keys {sorted(unknown)}")
    image = layouts.read_image(layout_dir, ref)
    tree = MergedTree.from_image(image, zstd)
    gate = _Gate(image, tree, expectations)
    gate.layers()
    gate.python()
    gate.user()
    gate.temp_dirs()
    gate.entrypoint()
    gate.symlinks()
    return gate.problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True, help="OCI image layout directory")
    parser.add_argument("--expect", required=True, help="expectations JSON")
    parser.add_argument("--zstd", help="zstd binary, for zstd-compressed layers")
    parser.add_argument(
        "--ref", help="org.opencontainers.image.ref.name to pick from index.json"
    )
    args = parser.parse_args(argv)
    try:
        with open(args.expect, encoding="utf-8") as f:
            expectations = json.load(f)
    except json.JSONDecodeError as e:
        raise cli.UserError(f"{args.expect}: not valid JSON: {e}") from None
    problems = check(args.layout, expectations, zstd=args.zstd, ref=args.ref)
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        print(f"{PROG}: {len(problems)} problem(s) in {args.layout}", file=sys.stderr)
        return 1
    print(f"{PROG}: {args.layout}: all structural checks passed")
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
