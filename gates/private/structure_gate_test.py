"""Tests for structure_gate.py on small synthetic images built with our tools."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from gates.private import structure_gate  # noqa: E402
from oci.testing import Dir, Entry, File, Link, write_layer, write_layout  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SP = "/usr/local/lib/python3.11/dist-packages"
PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
)


def dist(name: str, version: str) -> dict[str, Entry]:
    """A fake installed distribution: dist-info plus a package."""
    info = f"{SP}/{name}-{version}.dist-info"
    return {
        f"{info}/METADATA": f"Name: {name}\nVersion: {version}\n",
        f"{info}/RECORD": "",
        f"{SP}/{name}/__init__.py": "",
    }


def good_layers() -> dict[str, dict[str, Entry]]:
    return {
        "base": {
            "/etc/passwd": PASSWD,
            "/etc/group": "root:x:0:\n",
            "/tmp": Dir("1777"),
            "/var/tmp": Dir("1777"),
        },
        "python": {
            "/usr/bin/python3.11": File("\x7fELF", "0755"),
            "/usr/bin/python3": Link("python3.11"),
            "/usr/lib/python3/dist-packages": Dir(),  # empty: allowed
        },
        "nvidia": {
            **dist("nvidia_cublas_cu12", "12.4.5.8"),
            f"{SP}/nvidia/cublas/lib/libcublas.so.12": "",
        },
        "torch": {
            **dist("torch", "2.5.1"),
            **dist("numpy", "1.26.4"),
            # Not copies of numpy: headers dir and a sub-package named numpy.
            f"{SP}/numpy/core/include/numpy/ndarrayobject.h": "",
            f"{SP}/scipy/_lib/array_api_compat/__init__.py": "",
            f"{SP}/scipy/_lib/array_api_compat/numpy/__init__.py": "",
            **dist("scipy", "1.14.1"),
            # Vendored metadata inside a package is not an installation.
            f"{SP}/setuptools/_vendor/packaging-24.1.dist-info/METADATA": "",
            **dist("setuptools", "75.6.0"),
        },
        "app": {"/app/main.py": "print('hi')\n"},
    }


CONFIG: dict[str, Any] = {
    "entrypoint": ["/usr/bin/python3", "-m", "app"],
    "env": {"PATH": "/usr/local/bin:/usr/bin:/bin"},
    "user": "65532:65532",
    "workdir": "/app",
}

EXPECT: dict[str, Any] = {
    "layers": ["base", "python", "nvidia", "torch", "app"],
    "site_packages": SP,
    "distributions": {
        "numpy": "1.26.4",
        "torch": "2.5.1",
        "nvidia-cublas-cu12": "12.4.5.8",
        "scipy": "1.14.1",
        "setuptools": "75.6.0",
    },
    "user": "65532",
}


def elf_with_interpreter(interpreter: str) -> bytes:
    """A minimal 64-bit little-endian ELF whose only program header is PT_INTERP."""
    path = interpreter.encode() + b"\0"
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    header[32:40] = (64).to_bytes(8, "little")  # e_phoff
    header[54:56] = (56).to_bytes(2, "little")  # e_phentsize
    header[56:58] = (1).to_bytes(2, "little")  # e_phnum
    phdr = bytearray(56)
    phdr[0:4] = (3).to_bytes(4, "little")  # PT_INTERP
    phdr[8:16] = (120).to_bytes(8, "little")  # p_offset
    phdr[32:40] = len(path).to_bytes(8, "little")  # p_filesz
    return bytes(header + phdr + path)


class StructureGateTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.count = 0

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def layout(
        self, layers: dict[str, dict[str, Entry]], config: dict[str, Any] | None = None
    ) -> str:
        self.count += 1
        work = os.path.join(self.tmp, f"image{self.count}")
        os.mkdir(work)
        inputs = [write_layer(work, name, entries) for name, entries in layers.items()]
        return write_layout(work, inputs, CONFIG if config is None else config)

    def check(
        self,
        layers: dict[str, dict[str, Entry]] | None = None,
        config: dict[str, Any] | None = None,
        expect: dict[str, Any] | None = None,
    ) -> list[str]:
        layout = self.layout(good_layers() if layers is None else layers, config)
        return structure_gate.check(layout, EXPECT if expect is None else expect)

    def assertProblems(self, problems: list[str], *expected: str) -> None:
        """Each fragment is in exactly one problem, and no other problem."""
        for fragment in expected:
            hits = [p for p in problems if fragment in p]
            self.assertEqual(len(hits), 1, f"{fragment!r} in {problems}")
        unexplained = [p for p in problems if not any(f in p for f in expected)]
        self.assertEqual(unexplained, [])

    # ---- (g) symlinks and the entrypoint's loader

    def test_absolute_symlink_into_a_host_path_fails(self) -> None:
        layers = good_layers()
        layers["base"]["/lib64/ld-linux-x86-64.so.2"] = Link(
            "/root/.cache/bazel/external/debian_base/root/lib/ld-linux-x86-64.so.2"
        )
        self.assertProblems(
            self.check(layers), "symlinks: absolute links that lead nowhere"
        )

    def test_entrypoint_loader_must_exist_in_the_image(self) -> None:
        loader = "/lib64/ld-linux-x86-64.so.2"
        layers = good_layers()
        layers["python"]["/usr/bin/python3.11"] = File(
            elf_with_interpreter(loader), "0755"
        )
        self.assertProblems(self.check(layers), f"needs the loader {loader}")
        layers["base"]["/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"] = File(
            "\x7fELF", "0755"
        )
        layers["base"][loader] = Link("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
        self.assertEqual(self.check(layers), [])

    # ---- the good image

    def test_good_image_passes(self) -> None:
        self.assertEqual(self.check(), [])

    def test_good_image_passes_from_the_cli(self) -> None:
        layout = self.layout(good_layers())
        expect = os.path.join(self.tmp, "expect.json")
        with open(expect, "w") as f:
            json.dump(EXPECT, f)
        for argv in (
            [sys.executable, "gates/private/structure_gate.py"],
            [sys.executable, "-m", "gates.private.structure_gate"],
        ):
            r = subprocess.run(
                [*argv, "--layout", layout, "--expect", expect],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
            )
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("all structural checks passed", r.stdout)

    # ---- (a) layers

    def test_wrong_layer_order(self) -> None:
        layers = good_layers()
        reordered = {k: layers[k] for k in ("base", "python", "torch", "nvidia", "app")}
        self.assertProblems(
            self.check(reordered),
            "layers: expected ['base', 'python', 'nvidia', 'torch', 'app'], "
            "image has ['base', 'python', 'torch', 'nvidia', 'app']",
        )

    def test_layer_digest_not_the_declared_one(self) -> None:
        layout = self.layout(good_layers())
        with open(os.path.join(layout, "index.json"), encoding="utf-8") as f:
            index = json.load(f)
        manifest_digest = index["manifests"][0]["digest"].split(":")[1]
        with open(os.path.join(layout, "blobs", "sha256", manifest_digest)) as f:
            manifest = json.load(f)
        digests = [layer["digest"] for layer in manifest["layers"]]
        expect = dict(EXPECT, layer_digests=digests)
        self.assertEqual(structure_gate.check(layout, expect), [])
        wrong = list(digests)
        wrong[3] = "sha256:" + "0" * 64
        problems = structure_gate.check(layout, dict(EXPECT, layer_digests=wrong))
        self.assertProblems(
            problems,
            f"layer 'torch' is {digests[3]} in the manifest, "
            f"but the image's .layers file says sha256:{'0' * 64}",
        )

    def test_missing_layer(self) -> None:
        layers = good_layers()
        layers["app"].update(layers.pop("nvidia"))
        self.assertProblems(self.check(layers), "layers: expected")

    # ---- (b) distributions

    def test_torch_dist_info_in_two_layers(self) -> None:
        layers = good_layers()
        layers["app"].update(dist("torch", "2.5.1"))  # same paths, second layer
        self.assertProblems(
            self.check(layers),
            f"distributions: {SP}/torch-2.5.1.dist-info "
            "is supplied by 2 layers (torch, app)",
        )

    def test_whiteout_removes_a_dist_info(self) -> None:
        layers = good_layers()
        layers["app"][f"{SP}/.wh.torch-2.5.1.dist-info"] = ""
        problems = self.check(layers)
        self.assertProblems(
            problems, "distributions: torch 2.5.1 is expected but not installed"
        )
        self.assertFalse(
            any("supplied by" in p or "installed 2 times" in p for p in problems)
        )

    def test_whiteout_then_reinstall_is_one_copy(self) -> None:
        layers = good_layers()
        layers["app"][f"{SP}/.wh.scipy-1.14.1.dist-info"] = ""
        layers["extra"] = {f"{SP}/scipy-1.14.1.dist-info/METADATA": "Name: scipy\n"}
        expect = {**EXPECT, "layers": [*EXPECT["layers"], "extra"]}
        self.assertEqual(self.check(layers, expect=expect), [])

    def test_wrong_version_and_unlisted(self) -> None:
        layers = good_layers()
        del layers["torch"][f"{SP}/torch-2.5.1.dist-info/METADATA"]
        del layers["torch"][f"{SP}/torch-2.5.1.dist-info/RECORD"]
        layers["torch"].update(dist("torch", "2.4.0"))
        layers["app"].update(dist("fastapi", "0.115.5"))
        self.assertProblems(
            self.check(layers),
            "distributions: torch is 2.4.0, expected 2.5.1",
            "distributions: not in the expected list: fastapi 0.115.5",
        )
        self.assertEqual(
            self.check(
                layers,
                expect={
                    **EXPECT,
                    "allow_unlisted_distributions": True,
                    "distributions": {"numpy": "1.26.4"},
                },
            ),
            [],
        )

    # ---- (c) numpy

    def test_second_numpy_in_another_site_dir(self) -> None:
        layers = good_layers()
        layers["app"].update(
            {
                "/usr/lib/python3/dist-packages/numpy-2.1.3.dist-info/METADATA": "",
                "/usr/lib/python3/dist-packages/numpy/__init__.py": "",
            }
        )
        self.assertProblems(
            self.check(layers),
            "numpy: 2 numpy distributions: "
            "/usr/lib/python3/dist-packages/numpy-2.1.3.dist-info, "
            f"{SP}/numpy-1.26.4.dist-info",
            "numpy: numpy package outside",
            "site-packages: Python distributions installed outside",
            "site-packages: /usr/lib/python3/dist-packages holds",
        )

    def test_second_numpy_in_the_same_site_packages(self) -> None:
        layers = good_layers()
        layers["app"][f"{SP}/numpy-2.1.3.dist-info/METADATA"] = ""
        self.assertProblems(
            self.check(layers),
            "distributions: numpy is installed 2 times",
            "distributions: numpy is 1.26.4, 2.1.3, expected 1.26.4",
            "numpy: 2 numpy distributions",
        )

    def test_vendored_top_level_numpy_package(self) -> None:
        layers = good_layers()
        layers["app"]["/app/vendor/numpy/__init__.py"] = ""
        self.assertProblems(self.check(layers), "numpy: numpy package outside")

    # ---- (d) outside site-packages

    def test_package_in_another_site_dir(self) -> None:
        layers = good_layers()
        layers["app"]["/usr/lib/python3.11/site-packages/requests/__init__.py"] = ""
        self.assertProblems(
            self.check(layers),
            "site-packages: /usr/lib/python3.11/site-packages holds 2 entries",
        )

    def test_temp_dirs_without_the_sticky_bit(self) -> None:
        layers = good_layers()
        layers["base"]["/var/tmp"] = Dir("0777")  # what the image had before
        self.assertProblems(
            self.check(layers),
            "temp dirs: /var/tmp has mode 0777, expected 1777",
        )
        layers = good_layers()
        del layers["base"]["/tmp"]
        self.assertProblems(self.check(layers), "temp dirs: /tmp is missing")

    # ---- (e) user

    def test_root_user(self) -> None:
        for user, message in [
            ("0", "user: User '0' is root"),
            ("root", "user: User 'root' is root"),
            ("0:0", "user: User '0:0' is root"),
            ("", "user: no User set"),
        ]:
            with self.subTest(user=user):
                self.assertProblems(
                    self.check(
                        config={**CONFIG, "user": user}, expect={**EXPECT, "user": None}
                    ),
                    message,
                )

    def test_user_without_passwd_entry(self) -> None:
        self.assertProblems(
            self.check(
                config={**CONFIG, "user": "1234"}, expect={**EXPECT, "user": None}
            ),
            "user: uid 1234 (User '1234') has no entry in /etc/passwd",
        )
        self.assertProblems(
            self.check(
                config={**CONFIG, "user": "app"}, expect={**EXPECT, "user": None}
            ),
            "user: user 'app' (User 'app') has no entry in /etc/passwd",
        )

    def test_user_by_name_and_expected_uid(self) -> None:
        self.assertEqual(self.check(config={**CONFIG, "user": "nonroot"}), [])
        layers = good_layers()
        layers["base"]["/etc/passwd"] = PASSWD + "toor:x:0:0::/:/bin/sh\n"
        self.assertProblems(
            self.check(
                layers,
                config={**CONFIG, "user": "toor"},
                expect={**EXPECT, "user": None},
            ),
            "user: user 'toor' has uid 0",
        )
        self.assertProblems(
            self.check(expect={**EXPECT, "user": "1000"}),
            "user: runs as nonroot (uid 65532), expected 1000",
        )

    def test_missing_passwd(self) -> None:
        layers = good_layers()
        del layers["base"]["/etc/passwd"]
        self.assertProblems(
            self.check(layers),
            "user: cannot read /etc/passwd: /etc/passwd does not exist",
        )

    # ---- (f) entrypoint

    def test_entrypoint_missing(self) -> None:
        self.assertProblems(
            self.check(config={**CONFIG, "entrypoint": ["/usr/bin/python4"]}),
            "entrypoint: /usr/bin/python4 does not resolve inside the image: "
            "/usr/bin/python4 does not exist",
        )

    def test_entrypoint_dangling_symlink_and_not_executable(self) -> None:
        layers = good_layers()
        layers["python"]["/usr/bin/python3"] = Link("/opt/python/bin/python3.11")
        self.assertProblems(
            self.check(layers),
            "/opt does not exist",
            "symlinks: absolute links that lead nowhere inside the image: "
            "/usr/bin/python3 -> /opt/python/bin/python3.11",
        )
        layers = good_layers()
        layers["python"]["/usr/bin/python3.11"] = File("\x7fELF", "0644")
        self.assertProblems(
            self.check(layers),
            "entrypoint: /usr/bin/python3 (/usr/bin/python3.11) is not executable",
        )

    def test_entrypoint_on_path_and_cmd_only(self) -> None:
        self.assertEqual(self.check(config={**CONFIG, "entrypoint": ["python3"]}), [])
        no_entrypoint = {k: v for k, v in CONFIG.items() if k != "entrypoint"}
        self.assertEqual(
            self.check(config={**no_entrypoint, "cmd": ["python3.11", "-V"]}), []
        )
        self.assertProblems(
            self.check(config={**no_entrypoint, "cmd": ["uvicorn"]}),
            "entrypoint: 'uvicorn' on PATH does not resolve",
        )
        self.assertProblems(
            self.check(config=no_entrypoint),
            "entrypoint: the image has neither Entrypoint nor Cmd",
        )

    # ---- the CLI on a bad image

    def test_cli_reports_failures(self) -> None:
        layers = good_layers()
        layers["app"].update(dist("torch", "2.5.1"))
        layout = self.layout(layers, {**CONFIG, "user": "0"})
        expect = os.path.join(self.tmp, "expect.json")
        with open(expect, "w") as f:
            json.dump(copy.deepcopy(EXPECT), f)
        r = subprocess.run(
            [
                sys.executable,
                "gates/private/structure_gate.py",
                "--layout",
                layout,
                "--expect",
                expect,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2, r.stdout)
        self.assertTrue(all(line.startswith("FAIL ") for line in lines))
        self.assertIn("2 problem(s)", r.stderr)
        with open(expect, "w") as f:
            json.dump({"layer": []}, f)
        r = subprocess.run(
            [
                sys.executable,
                "gates/private/structure_gate.py",
                "--layout",
                layout,
                "--expect",
                expect,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)
        self.assertIn(
            "structure_gate: error: expectations: unknown keys ['layer']", r.stderr
        )
        self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
