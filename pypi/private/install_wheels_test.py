"""Tests for install_wheels.py on synthetic wheels."""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import json
import os
import stat
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import install_wheels, wheel_install, wheel_plan, wheel_tree
from rules_common import cli

SITE = "lib/python3.11/site-packages"


def b64(content: bytes) -> str:
    digest = hashlib.sha256(content).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_wheel(
    directory: str,
    name: str,
    version: str,
    files: dict[str, bytes | tuple[bytes, int]],
    *,
    purelib: bool = True,
    entry_points: str | None = None,
    corrupt_record: str | None = None,
    filename: str | None = None,
    metadata_name: str | None = None,
    dist_info: str | None = None,
    unrecorded: str | None = None,
    record_extra: str | None = None,
) -> str:
    """Write a wheel; `files` maps archive paths to content or (content, unix mode).

    The broken-wheel options: `metadata_name` (METADATA's Name instead of
    `name`), `dist_info` (another dist-info directory name), `unrecorded` (a
    member left out of RECORD), `record_extra` (a RECORD row for a file the
    wheel lacks).
    """
    stem = f"{name.replace('-', '_')}-{version}"
    dist_info = dist_info or f"{stem}.dist-info"
    members: dict[str, tuple[bytes, int]] = {}
    for path, value in files.items():
        members[path] = value if isinstance(value, tuple) else (value, 0o644)
    members[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {metadata_name or name}\n"
        f"Version: {version}\n".encode(),
        0o644,
    )
    members[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: test\n"
        f"Root-Is-Purelib: {str(purelib).lower()}\n"
        "Tag: py3-none-any\n".encode(),
        0o644,
    )
    if entry_points is not None:
        members[f"{dist_info}/entry_points.txt"] = (entry_points.encode(), 0o644)
    rows = [
        (path, b64(content), str(len(content)))
        for path, (content, _) in members.items()
    ]
    if corrupt_record:
        rows = [(p, b64(b"other") if p == corrupt_record else h, s) for p, h, s in rows]
    rows = [row for row in rows if row[0] != unrecorded]
    if record_extra:
        rows.append((record_extra, b64(b""), "0"))
    rows.append((f"{dist_info}/RECORD", "", ""))
    record = io.StringIO()
    csv.writer(record, lineterminator="\n").writerows(rows)
    members[f"{dist_info}/RECORD"] = (record.getvalue().encode(), 0o644)
    path = os.path.join(directory, filename or f"{stem}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, (content, mode) in members.items():
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return path


def tree(root: str) -> dict[str, tuple[int, bytes | None, int]]:
    """Relative path -> (mode, content or None for directories, mtime)."""
    found: dict[str, tuple[int, bytes | None, int]] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            st = os.lstat(path)
            content = None
            if name in files:
                with open(path, "rb") as f:
                    content = f.read()
            found[os.path.relpath(path, root)] = (
                stat.S_IMODE(st.st_mode),
                content,
                int(st.st_mtime),
            )
    return found


class InstallTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.wheels = os.path.join(self.tmp.name, "wheels")
        os.mkdir(self.wheels)
        self.alpha = make_wheel(
            self.wheels,
            "Alpha_Pkg",
            "1.0",
            {
                "alpha/__init__.py": b"print('alpha')\n",
                "alpha/tool.sh": (b"#!/bin/sh\necho hi\n", 0o755),
                "ns/__init__.py": b"",
                "Alpha_Pkg-1.0.data/scripts/alpha-run": b"#!python\nimport alpha\n",
                "Alpha_Pkg-1.0.data/data/share/alpha/x.txt": b"data\n",
                "Alpha_Pkg-1.0.data/headers/alpha.h": b"int alpha;\n",
            },
            entry_points=(
                "[console_scripts]\nalpha = alpha.cli:main\n"
                "Alpha-Obj = alpha.cli:App.run [x]\n"
                "[alpha.plugins]\nignored = alpha.plugin\n"
            ),
        )
        self.beta = make_wheel(
            self.wheels,
            "beta",
            "2.0",
            {
                "beta/__init__.py": b"",
                "beta/_native.so": (b"\x7fELF", 0o755),
                "ns/__init__.py": b"",
                "beta-2.0.data/platlib/beta_extra.py": b"x = 1\n",
            },
            purelib=False,
        )
        self.out = os.path.join(self.tmp.name, "out")

    def install(
        self, *wheels: str, prefix: str = "", jobs: int = 1, **kwargs: str
    ) -> dict:
        prefix = prefix or os.path.join(self.out, "prefix")
        with contextlib.redirect_stderr(io.StringIO()):
            return install_wheels.install(
                list(wheels), dest=os.path.join(prefix, SITE), jobs=jobs, **kwargs
            )

    def test_layout_record_and_manifest(self) -> None:
        manifest_path = os.path.join(self.out, "manifest.json")
        manifest = self.install(self.beta, self.alpha, manifest=manifest_path)
        prefix = os.path.join(self.out, "prefix")
        site = os.path.join(prefix, SITE)
        files = tree(prefix)

        self.assertEqual(
            files[f"{SITE}/alpha/__init__.py"][:2], (0o644, b"print('alpha')\n")
        )
        self.assertEqual(files[f"{SITE}/alpha/tool.sh"][0], 0o755)
        self.assertEqual(files[f"{SITE}/beta/_native.so"][0], 0o755)
        self.assertEqual(files[f"{SITE}/beta_extra.py"][1], b"x = 1\n")
        self.assertEqual(files["share/alpha/x.txt"][1], b"data\n")
        self.assertEqual(
            files["include/python3.11/Alpha_Pkg/alpha.h"][1], b"int alpha;\n"
        )
        self.assertEqual(
            files["bin/alpha-run"],
            (0o755, b"#!/usr/bin/python3\nimport alpha\n", 315532800),
        )
        launcher = files["bin/alpha"]
        self.assertEqual(launcher[0], 0o755)
        assert launcher[1] is not None
        self.assertTrue(launcher[1].startswith(b"#!/usr/bin/python3\n"))
        # installer's launcher template.
        self.assertIn(b"from alpha.cli import main\n", launcher[1])
        self.assertIn(b"sys.exit(main())", launcher[1])
        obj = files["bin/Alpha-Obj"][1]
        assert obj is not None
        self.assertIn(b"from alpha.cli import App\n", obj)
        self.assertIn(b"sys.exit(App.run())", obj)
        self.assertNotIn("bin/ignored", files)
        compile(launcher[1], "alpha", "exec")

        # Reproducible metadata: one mtime, normalized modes, no bytecode.
        self.assertEqual({mtime for _, _, mtime in files.values()}, {315532800})
        self.assertEqual(int(os.stat(prefix).st_mtime), 315532800)
        for path, (mode, content, _) in files.items():
            self.assertIn(mode, (0o644, 0o755), path)
            if content is None:
                self.assertEqual(mode, 0o755, path)
            self.assertFalse(path.endswith(".pyc") or "__pycache__" in path, path)

        dist_info = os.path.join(site, "Alpha_Pkg-1.0.dist-info")
        with open(os.path.join(dist_info, "INSTALLER"), "rb") as f:
            self.assertEqual(f.read(), b"bazel-pypi\n")
        with open(os.path.join(dist_info, "RECORD"), newline="") as f:
            rows = list(csv.reader(f))
        by_path = {row[0]: row for row in rows}
        self.assertEqual(
            by_path["Alpha_Pkg-1.0.dist-info/RECORD"],
            ["Alpha_Pkg-1.0.dist-info/RECORD", "", ""],
        )
        self.assertEqual(
            by_path["Alpha_Pkg-1.0.dist-info/INSTALLER"],
            ["Alpha_Pkg-1.0.dist-info/INSTALLER", b64(b"bazel-pypi\n"), "11"],
        )
        self.assertIn("../../../bin/alpha", by_path)
        self.assertIn("../../../bin/alpha-run", by_path)
        self.assertIn("../../../include/python3.11/Alpha_Pkg/alpha.h", by_path)
        self.assertIn("../../../share/alpha/x.txt", by_path)
        self.assertNotIn("Alpha_Pkg-1.0.data/scripts/alpha-run", by_path)
        for path, digest, size in rows:
            if digest:
                with open(os.path.normpath(os.path.join(site, path)), "rb") as f:
                    content = f.read()
                self.assertEqual(
                    (digest, int(size)), (b64(content), len(content)), path
                )
        # 6 files, METADATA, WHEEL, entry_points.txt, 2 launchers, INSTALLER, RECORD
        self.assertEqual(len(rows), 13)

        # Every installed file belongs to some distribution in the manifest.
        with open(manifest_path) as f:
            self.assertEqual(json.load(f), manifest)
        self.assertEqual(sorted(manifest), ["alpha-pkg", "beta"])
        self.assertEqual(manifest["beta"]["version"], "2.0")
        self.assertEqual(manifest["beta"]["dist_info"], "beta-2.0.dist-info")
        listed = {p for entry in manifest.values() for p in entry["files"]}
        on_disk = {p for p, (_, content, _) in files.items() if content is not None}
        self.assertEqual(listed, on_disk)
        for entry in manifest.values():
            self.assertEqual(entry["files"], sorted(entry["files"]))
        # The manifest says which files are executable: exactly those 0755 here
        # (layers take modes from it; a remote worker's disk says 0755 for all).
        executables = {p for entry in manifest.values() for p in entry["executables"]}
        on_disk_exec = {
            p
            for p, (mode, content, _) in files.items()
            if content is not None and mode == 0o755
        }
        self.assertEqual(executables, on_disk_exec)
        self.assertIn("bin/alpha-run", executables)
        self.assertNotIn(f"{SITE}/ns/__init__.py", executables)
        # The identical namespace file is listed under both distributions.
        self.assertIn(f"{SITE}/ns/__init__.py", manifest["alpha-pkg"]["files"])
        self.assertIn(f"{SITE}/ns/__init__.py", manifest["beta"]["files"])
        self.assertEqual(sorted(os.listdir(self.out)), ["manifest.json", "prefix"])

    def test_parallel_is_identical(self) -> None:
        self.install(
            self.alpha, self.beta, prefix=os.path.join(self.out, "one"), jobs=1
        )
        self.install(
            self.alpha, self.beta, prefix=os.path.join(self.out, "two"), jobs=2
        )
        self.assertEqual(
            tree(os.path.join(self.out, "one")), tree(os.path.join(self.out, "two"))
        )
        self.assertEqual(sorted(os.listdir(self.out)), ["one", "two"])

    def test_scripts_dir_option(self) -> None:
        prefix = os.path.join(self.out, "p")
        with contextlib.redirect_stderr(io.StringIO()):
            install_wheels.install(
                [self.alpha],
                dest=os.path.join(prefix, SITE),
                scripts_dir=os.path.join(prefix, "usr", "bin"),
            )
        self.assertTrue(os.path.isfile(os.path.join(prefix, "usr", "bin", "alpha")))
        with open(os.path.join(prefix, SITE, "Alpha_Pkg-1.0.dist-info", "RECORD")) as f:
            self.assertIn("../../../usr/bin/alpha,", f.read())

    def assert_fails(self, pattern: str, *wheels: str) -> None:
        with self.assertRaisesRegex(install_wheels.UserError, pattern):
            self.install(*wheels)
        self.assertEqual(os.listdir(self.out) if os.path.exists(self.out) else [], [])

    def test_conflicting_files(self) -> None:
        gamma = make_wheel(self.wheels, "gamma", "1", {"ns/__init__.py": b"different"})
        self.assert_fails(
            r"Alpha_Pkg-1\.0-py3-none-any\.whl and gamma-1-py3-none-any\.whl "
            r"both install lib/python3\.11/site-packages/ns/__init__\.py "
            "with different content",
            self.alpha,
            gamma,
        )

    def test_file_versus_directory(self) -> None:
        gamma = make_wheel(self.wheels, "gamma", "1", {"alpha": b"file"})
        self.assert_fails(
            "installs the file lib/python3.11/site-packages/alpha", self.alpha, gamma
        )

    def test_conflicting_scripts(self) -> None:
        gamma = make_wheel(
            self.wheels,
            "gamma",
            "1",
            {"g.py": b""},
            entry_points="[console_scripts]\nalpha=g:f\n",
        )
        self.assert_fails("both install bin/alpha", self.alpha, gamma)

    def test_duplicate_distribution(self) -> None:
        other = os.path.join(self.tmp.name, "other")
        os.mkdir(other)
        again = make_wheel(other, "alpha.pkg", "1.1", {"a.py": b""})
        self.assert_fails("distribution alpha-pkg appears twice", self.alpha, again)

    def test_not_a_zip(self) -> None:
        bad = os.path.join(self.wheels, "bad-1.0-py3-none-any.whl")
        with open(bad, "wb") as f:
            f.write(b"<html>proxy error</html>")
        self.assert_fails(
            r"bad-1\.0-py3-none-any\.whl is not a valid wheel", self.alpha, bad
        )

    def test_missing_dist_info(self) -> None:
        path = os.path.join(self.wheels, "x-1-py3-none-any.whl")
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("x.py", b"")
        self.assert_fails("exactly one .dist-info directory", path)

    def test_record_mismatch(self) -> None:
        bad = make_wheel(
            self.wheels, "gamma", "1", {"g.py": b"code"}, corrupt_record="g.py"
        )
        self.assert_fails(
            r"gamma-1-py3-none-any\.whl does not match its RECORD:\n.*hash / size "
            "of g.py didn't match RECORD",
            bad,
        )

    def test_record_mismatch_in_data_and_scripts(self) -> None:
        for member in ("gamma-1.data/purelib/g2.py", "gamma-1.data/scripts/g-run"):
            with self.subTest(member=member):
                bad = make_wheel(
                    self.wheels,
                    "gamma",
                    "1",
                    {member: b"#!python\ncode\n"},
                    corrupt_record=member,
                )
                self.assert_fails("hash / size of .*didn't match RECORD", bad)
                os.unlink(bad)

    def test_invalid_project_name(self) -> None:
        bad = make_wheel(
            self.wheels,
            "gamma",
            "1",
            {"g.py": b""},
            metadata_name="-gamma!",
        )
        self.assert_fails("METADATA Name `-gamma!` is not a valid project name", bad)

    def test_name_disagrees_with_filename(self) -> None:
        bad = make_wheel(
            self.wheels,
            "gamma",
            "1",
            {"g.py": b""},
            metadata_name="delta",
        )
        self.assert_fails(
            "METADATA Name `delta` disagrees with the filename \\(`gamma`\\)", bad
        )

    def test_dist_info_disagrees_with_filename(self) -> None:
        bad = make_wheel(
            self.wheels,
            "gamma",
            "1",
            {"g.py": b""},
            dist_info="delta-1.dist-info",
        )
        self.assert_fails("dist-info directory doesn't match wheel filename", bad)

    def test_file_missing_from_record(self) -> None:
        bad = make_wheel(self.wheels, "gamma", "1", {"g.py": b""}, unrecorded="g.py")
        self.assert_fails("g.py is not mentioned in RECORD", bad)

    def test_record_lists_a_file_the_wheel_lacks(self) -> None:
        bad = make_wheel(
            self.wheels, "gamma", "1", {"g.py": b""}, record_extra="gone.py"
        )
        self.assert_fails("RECORD lists files the wheel does not hold: gone.py", bad)

    def test_data_path_outside_the_root(self) -> None:
        bad = make_wheel(
            self.wheels, "gamma", "1", {"gamma-1.data/purelib/../../../evil": b""}
        )
        self.assert_fails("unsafe path", bad)

    def test_unsafe_path(self) -> None:
        bad = make_wheel(self.wheels, "gamma", "1", {"../evil.py": b""})
        self.assert_fails("unsafe path", bad)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "evil.py")))

    def test_bad_entry_point(self) -> None:
        bad = make_wheel(
            self.wheels,
            "gamma",
            "1",
            {"g.py": b""},
            entry_points="[console_scripts]\nx = g:f()\n",
        )
        self.assert_fails("invalid entry point in gamma-1.dist-info/entry_points", bad)

    def test_nonempty_prefix(self) -> None:
        prefix = os.path.join(self.out, "prefix")
        os.makedirs(prefix)
        with open(os.path.join(prefix, "keep"), "w"):
            pass
        with self.assertRaisesRegex(install_wheels.UserError, "not empty"):
            self.install(self.alpha)

    def test_empty_prefix_is_reused(self) -> None:
        os.makedirs(os.path.join(self.out, "prefix"))
        self.install(self.alpha)
        self.assertTrue(os.path.isdir(os.path.join(self.out, "prefix", SITE, "alpha")))

    def test_failure_leaves_no_partial_tree(self) -> None:
        gamma = make_wheel(self.wheels, "gamma", "1", {"ns/__init__.py": b"different"})
        with self.assertRaises(install_wheels.UserError):
            self.install(self.alpha, self.beta, gamma, jobs=2)
        self.assertEqual(os.listdir(self.out), [])


class FinishTreeTest(unittest.TestCase):
    def test_a_symlink_in_the_tree_is_refused(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "lib", "pkg"))
            with open(os.path.join(tmp, "lib", "pkg", "a.py"), "w") as f:
                f.write("")
            install_wheels.finish_tree(tmp)  # no link: fine
            os.symlink("a.py", os.path.join(tmp, "lib", "pkg", "b.py"))
            with self.assertRaisesRegex(
                install_wheels.UserError, r"pkg/b\.py is a symlink"
            ):
                install_wheels.finish_tree(tmp)


class WheelInstallTest(unittest.TestCase):
    """wheel_install: one wheel, one layer, streamed from the wheel."""

    def run_tool(self, tmp: str, wheel: str) -> tuple[int, str, str]:
        info = os.path.join(tmp, "python.json")
        with open(info, "w") as f:
            json.dump({"site_packages": "usr/local/lib/python3.11/dist-packages"}, f)
        out = os.path.join(tmp, "layer.tar")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cli.guarded(
                "wheel_install",
                wheel_install.main,
                [
                    "--wheel", wheel, "--python-info", info, "--out", out,
                    "--descriptor-out", os.path.join(tmp, "layer.tar.json"),
                    "--manifest-out", os.path.join(tmp, "m.json"),
                ],
            )  # fmt: skip
        return code, out, err.getvalue()

    def rich_wheel(self, tmp: str) -> str:
        """A wheel with what installer rewrites or generates: a launcher, a
        `#!python` script in .data, data and headers, an executable member,
        and a .pyc (left out of layers)."""
        return make_wheel(
            tmp,
            "a",
            "1",
            {
                "a/__init__.py": b"x = 1\n",
                "a/run": (b"#!/bin/sh\n", 0o755),
                "a/big.bin": bytes(range(256)) * 5000,
                "a/__init__.cpython-311.pyc": b"bytecode",
                "a-1.data/scripts/a-tool": (b"#!python\nprint(1)\n", 0o755),
                "a-1.data/data/share/a/readme.txt": b"readme\n",
                "a-1.data/headers/a.h": b"int a;\n",
            },
            entry_points="[console_scripts]\na-cli = a:main\n",
        )

    def test_the_layer_holds_what_installer_writes(self) -> None:
        """The layer, unpacked, is file for file, byte for byte and mode for
        mode the tree installer writes for the same wheel (but the .pyc)."""
        with tempfile.TemporaryDirectory() as tmp:
            wheel = self.rich_wheel(tmp)
            code, out, err = self.run_tool(tmp, wheel)
            self.assertEqual(code, 0, err)
            self.assertIn("left out 1 .pyc", err)
            unpacked = os.path.join(tmp, "tree")
            self.assertEqual(wheel_tree.main(["--layer", out, "--out", unpacked]), 0)
            expected = os.path.join(tmp, "expected")
            os.mkdir(expected)
            install_wheels.extract_wheel(
                install_wheels.read_wheel_info(wheel),
                expected,
                install_wheels.Layout(purelib="lib/python3.11/dist-packages"),
            )
            os.unlink(
                os.path.join(
                    expected, "lib/python3.11/dist-packages/a/__init__.cpython-311.pyc"
                )
            )
            install_wheels.finish_tree(expected)
            self.assertEqual(tree(unpacked), tree(expected))
            site = "lib/python3.11/dist-packages"
            with open(os.path.join(tmp, "m.json")) as f:
                [(key, entry)] = json.load(f).items()
            self.assertEqual((key, entry["version"]), ("a", "1"))
            self.assertEqual(
                sorted(entry["files"]),
                sorted(
                    p
                    for p, (_, content, _) in tree(unpacked).items()
                    if content is not None
                ),
            )
            self.assertEqual(
                entry["executables"], ["bin/a-cli", "bin/a-tool", f"{site}/a/run"]
            )
            with open(os.path.join(unpacked, site, "a/__init__.py"), "rb") as f:
                self.assertEqual(
                    hashlib.sha256(f.read()).hexdigest(),
                    entry["files"][f"{site}/a/__init__.py"],
                )
            with open(os.path.join(tmp, "layer.tar.json")) as f:
                descriptor = json.load(f)
            with open(out, "rb") as f:
                layer = f.read()
            self.assertEqual(
                descriptor,
                {
                    "diff_id": "sha256:" + hashlib.sha256(layer).hexdigest(),
                    "size": len(layer),
                },
            )

    def test_the_layer_is_reproducible(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = self.rich_wheel(tmp)
            self.assertEqual(self.run_tool(tmp, wheel)[0], 0)
            with open(os.path.join(tmp, "layer.tar"), "rb") as f:
                first = f.read()
            os.unlink(os.path.join(tmp, "layer.tar"))
            self.assertEqual(self.run_tool(tmp, wheel)[0], 0)
            with open(os.path.join(tmp, "layer.tar"), "rb") as f:
                self.assertEqual(f.read(), first)

    def test_a_member_that_does_not_match_record_leaves_no_layer(self) -> None:
        """The content is checked as it streams into the layer: a mismatch
        fails the action and no tar is left behind."""
        with tempfile.TemporaryDirectory() as tmp:
            wheel = make_wheel(tmp, "a", "1", {"a.py": b""}, corrupt_record="a.py")
            code, out, err = self.run_tool(tmp, wheel)
            self.assertEqual(code, 1)
            self.assertIn("does not match its RECORD", err)
            self.assertNotIn("Traceback", err)
            self.assertFalse(os.path.lexists(out))
            self.assertEqual(
                sorted(os.listdir(tmp)), [os.path.basename(wheel), "python.json"]
            )

    def test_the_plan_refuses_a_path_leaving_its_scheme(self) -> None:
        layout = install_wheels.Layout(purelib=SITE)
        destination = wheel_plan._PlanningDestination(
            scheme_dict=layout.schemes(wheel_plan._ROOT, "a"),
            interpreter="/usr/bin/python3",
            script_kind="posix",
        )
        self.assertEqual(destination._relative("purelib", "a/b.py"), f"{SITE}/a/b.py")
        self.assertEqual(destination._relative("data", "share/a"), "share/a")
        for scheme, path in [
            ("purelib", "../../../etc/passwd"),
            ("purelib", "/etc/passwd"),
            ("data", "../x"),
            ("scripts", "../lib/x"),
        ]:
            with self.subTest(scheme=scheme, path=path):
                with self.assertRaisesRegex(
                    cli.UserError, "outside the install prefix"
                ):
                    destination._relative(scheme, path)

    def test_a_missing_wheel_is_named(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            code, _, err = self.run_tool(tmp, "missing-1-py3-none-any.whl")
            self.assertEqual(code, 1)
            self.assertIn("wheel missing-1-py3-none-any.whl does not exist", err)


if __name__ == "__main__":
    unittest.main()
