"""The lock tools against real index servers on loopback.

- The company mirror is pypiserver (pinned in third_party/dev_tools) serving
  real locked wheels (installer and packaging, the build_tools lock's files)
  and a `torch` 99.0 published under torch's name.
- The PyTorch index is a static PEP 503 tree (directories and index.html
  files, served as files) with a small `torch` 2.6.0+cu124 test wheel.

Shown: a lock made against the mirror alone, with the real wheels' own
hashes; torch taken only from its index and the colliding 99.0 ignored; the
wheel map pointing at each file's index; a file missing from its assigned
index failing with a message naming the package and the index. Network:
127.0.0.1 only.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import index_config, pypi_files, update_lock, wheel_index
from pypi.private.fake_pypi import TARGET
from pypi.private.index_fixtures_http import make_wheel
from pypi.private.pip_lock_file import read_lock
from rules_common.cli import UserError

REAL_WHEELS = [os.environ["INSTALLER_WHEEL"], os.environ["PACKAGING_WHEEL"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class RealIndexTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp()
        # The company mirror: pypiserver over a directory of wheels.
        cls.mirror_dir = os.path.join(cls.tmp, "mirror")
        os.makedirs(cls.mirror_dir)
        for wheel in REAL_WHEELS:
            shutil.copy(wheel, cls.mirror_dir)
        evil, data, _ = make_wheel("torch", "99.0")
        with open(os.path.join(cls.mirror_dir, evil), "wb") as f:
            f.write(data)
        port = free_port()
        cls.server = subprocess.Popen(
            [
                os.environ["PYPISERVER"],
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "-a",
                ".",
                "-P",
                ".",
                "--hash-algo",
                "sha256",
                cls.mirror_dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Its own stack and interpreter: not this test's.
            env={
                k: v
                for k, v in os.environ.items()
                if k not in ("PYTHONHOME", "PYTHONPATH")
            },
        )
        cls.mirror = f"http://127.0.0.1:{port}/simple/"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(cls.mirror, timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if cls.server.poll() is not None or time.monotonic() > deadline:
                    err = cls.server.stderr.read().decode() if cls.server.stderr else ""
                    raise AssertionError(f"pypiserver did not start: {err}") from None
                time.sleep(0.2)
        # The PyTorch index: a static PEP 503 tree, its pages plain files.
        cls.pytorch_dir = os.path.join(cls.tmp, "pytorch")
        name, data, _ = make_wheel("torch", "2.6.0+cu124", ("packaging",))
        cls.torch_wheel = name
        os.makedirs(os.path.join(cls.pytorch_dir, "whl", "cu124", "torch"))
        with open(os.path.join(cls.pytorch_dir, "whl", name), "wb") as f:
            f.write(data)
        cls.torch_sha = hashlib.sha256(data).hexdigest()
        cls.write_torch_page(present=True)
        handler = functools.partial(
            http.server.SimpleHTTPRequestHandler, directory=cls.pytorch_dir
        )
        handler.log_message = lambda *args: None  # type: ignore[attr-defined]
        cls.static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=cls.static.serve_forever, daemon=True).start()
        cls.pytorch = f"http://127.0.0.1:{cls.static.server_address[1]}/whl/cu124/"

    @classmethod
    def write_torch_page(cls, present: bool) -> None:
        link = (
            f'<a href="../../{cls.torch_wheel.replace("+", "%2B")}'
            f'#sha256={cls.torch_sha}">'
            f"{cls.torch_wheel}</a>"
        )
        with open(
            os.path.join(cls.pytorch_dir, "whl", "cu124", "torch", "index.html"), "w"
        ) as f:
            f.write(
                f"<!DOCTYPE html><html><body>{link if present else ''}</body></html>\n"
            )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.terminate()
        cls.server.wait(10)
        if cls.server.stderr:
            cls.server.stderr.close()
        cls.static.shutdown()
        cls.static.server_close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def config(self) -> index_config.IndexConfig:
        return index_config.parse(
            {
                "default": "corp",
                "indexes": [
                    {"name": "corp", "url": self.mirror},
                    {"name": "pytorch-cu124", "url": self.pytorch},
                ],
                "packages": {"torch": "pytorch-cu124"},
            },
            "indexes.json",
        )

    def test_lock_and_wheel_map_from_the_mirror_and_the_pytorch_index(self) -> None:
        self.write_torch_page(present=True)
        work = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(work, "requirements.in"), "w") as f:
            f.write("installer\ntorch\n")
        config = self.config()
        update_lock.pip_compile(
            work, "requirements.in", "requirements_lock.txt", "update", config
        )
        lock = read_lock(os.path.join(work, "requirements_lock.txt"))
        pins = {pin.name: pin for pin in lock.pins}
        self.assertEqual(sorted(pins), ["installer", "packaging", "torch"])
        self.assertEqual(
            pins["torch"].version, "2.6.0+cu124", "not the mirror's torch 99.0"
        )
        for wheel in REAL_WHEELS:
            name = os.path.basename(wheel).split("-")[0]
            self.assertIn(
                sha256(wheel), pins[name].hashes, f"{name}: the real wheel's hash"
            )
        self.assertEqual(list(pins["torch"].hashes), [self.torch_sha])

        index = wheel_index.build_index(
            lock, TARGET, config=config, size_of=pypi_files.head_size(config)
        )
        wheels = index["wheels"]
        self.assertEqual(wheels["torch"]["index"], "pytorch-cu124")
        self.assertTrue(
            wheels["torch"]["url"].startswith(self.pytorch.rsplit("/whl/", 1)[0])
        )
        for name in ("installer", "packaging"):
            self.assertEqual(wheels[name]["index"], "corp")
            self.assertTrue(
                wheels[name]["url"].startswith(self.mirror.rsplit("/simple/", 1)[0])
            )
        packaging = [
            w for w in REAL_WHEELS if os.path.basename(w).startswith("packaging-")
        ][0]
        self.assertEqual(wheels["packaging"]["size"], os.path.getsize(packaging))
        self.assertEqual(wheel_index.check_index(lock, index, TARGET, config), [])

    def test_a_lock_against_the_mirror_alone(self) -> None:
        """The mirror as the only index: the same pins and hashes as the
        build_tools lock those wheels come from."""
        work = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(work, "requirements.in"), "w") as f:
            f.write("installer\npackaging\n")
        config = index_config.parse(
            {"default": "corp", "indexes": [{"name": "corp", "url": self.mirror}]},
            "indexes.json",
        )
        update_lock.pip_compile(
            work, "requirements.in", "requirements_lock.txt", "update", config
        )
        ours = {p.name: p for p in read_lock(os.environ["BUILD_TOOLS_LOCK"]).pins}
        made = read_lock(os.path.join(work, "requirements_lock.txt")).pins
        self.assertEqual(sorted(p.name for p in made), ["installer", "packaging"])
        for pin in made:
            self.assertEqual(pin.version, ours[pin.name].version)
            self.assertTrue(set(pin.hashes) <= set(ours[pin.name].hashes), pin.name)

    def test_a_file_missing_from_its_assigned_index_fails_naming_both(self) -> None:
        work = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(work, "requirements_lock.txt"), "w") as f:
            f.write(f"torch==2.6.0+cu124 \\\n    --hash=sha256:{self.torch_sha}\n")
        lock = read_lock(os.path.join(work, "requirements_lock.txt"))
        self.write_torch_page(present=False)
        try:
            with self.assertRaises(UserError) as missing:
                wheel_index.build_index(lock, TARGET, config=self.config())
        finally:
            self.write_torch_page(present=True)
        self.assertIn("torch==2.6.0+cu124: index pytorch-cu124", str(missing.exception))
        self.assertIn(
            "it is assigned to that index in indexes.json", str(missing.exception)
        )


if __name__ == "__main__":
    unittest.main()
