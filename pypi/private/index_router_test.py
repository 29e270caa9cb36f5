"""index_router and update_lock's pip-compile against real index servers on
loopback: a company index (PEP 691 JSON, PEP 658 metadata) and a PyTorch-style
index (PEP 503 HTML, behind credentials), with small test wheels whose names
collide across them at higher versions. No network beyond 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import index_config, index_router, update_lock
from pypi.private.index_fixtures_http import answer, make_wheel, serve
from rules_common.cli import UserError

SECRET = "s3cret-token"


class Upstream:
    """An index server: `html` (PEP 503) or JSON (PEP 691 with metadata)."""

    def __init__(
        self,
        wheels: list[tuple[str, str, tuple[str, ...]]],
        html: bool,
        password: str | None = None,
    ) -> None:
        self.files: dict[str, tuple[str, bytes, bytes]] = {}
        self.projects: dict[str, list[str]] = {}
        for name, version, requires in wheels:
            filename, data, metadata = make_wheel(name, version, requires)
            self.files[filename] = (name, data, metadata)
            self.projects.setdefault(name, []).append(filename)
        self.html = html
        self.password = password
        self.requests: list[str] = []

    def sha(self, filename: str) -> str:
        return hashlib.sha256(self.files[filename][1]).hexdigest()

    def handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        self.requests.append(h.path)
        if self.password is not None:
            token = base64.b64encode(f"ci:{self.password}".encode()).decode()
            if h.headers.get("Authorization") != f"Basic {token}":
                return answer(h, 401, "text/plain", b"credentials, please")
        parts = h.path.split("/")
        if h.path.startswith("/simple/") and len(parts) == 4:
            names = self.projects.get(parts[2], [])
            if not names:
                return answer(h, 404, "text/plain", b"no")
            if self.html:
                body = "".join(
                    f'<a href="/files/{n}#sha256={self.sha(n)}">{n}</a><br>'
                    for n in names
                )
                return answer(h, 200, "text/html", body.encode())
            page = {
                "meta": {"api-version": "1.1"},
                "name": parts[2],
                "files": [
                    {
                        "filename": n,
                        "url": f"/files/{n}",
                        "hashes": {"sha256": self.sha(n)},
                        "core-metadata": True,
                    }
                    for n in names
                ],
            }
            return answer(
                h, 200, "application/vnd.pypi.simple.v1+json", json.dumps(page).encode()
            )
        if h.path.startswith("/files/"):
            filename = parts[2]
            if (
                filename.endswith(".metadata")
                and filename[: -len(".metadata")] in self.files
            ):
                return answer(
                    h,
                    200,
                    "application/octet-stream",
                    self.files[filename[: -len(".metadata")]][2],
                )
            if filename in self.files:
                return answer(
                    h, 200, "application/octet-stream", self.files[filename][1]
                )
        answer(h, 404, "text/plain", b"no")


# The company index: the app, numpy, and a torch 99.0 published under torch's
# name (the confusion attack). The PyTorch index: the real torch, and a numpy
# 5.0 that must not be taken either (numpy is not assigned to it).
CORP = [
    ("app", "1.0", ("torch", "numpy")),
    ("numpy", "1.0", ()),
    ("torch", "99.0", ()),
    ("helper", "1.0", ()),
]
PYTORCH = [("torch", "2.6.0+cu124", ("helper",)), ("numpy", "5.0", ())]


@contextmanager
def serve_index(upstream: Upstream) -> Iterator[str]:
    """The upstream on loopback; yields its simple API root."""
    with serve(upstream.handle) as base:
        yield base + "/simple/"


class RouterTest(unittest.TestCase):
    def setUp(self) -> None:
        self.corp = Upstream(CORP, html=False)
        self.pytorch = Upstream(PYTORCH, html=True, password=SECRET)
        env = {
            "MLIMAGE_INDEX_PYTORCH_USERNAME": "ci",
            "MLIMAGE_INDEX_PYTORCH_PASSWORD": SECRET,
        }
        patcher = mock.patch.dict(os.environ, env)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.tmp = tempfile.mkdtemp()

    def config(
        self, corp: str, pytorch: str, packages: dict[str, str]
    ) -> index_config.IndexConfig:
        return index_config.parse(
            {
                "default": "corp",
                "indexes": [
                    {"name": "corp", "url": corp},
                    {"name": "pytorch", "url": pytorch},
                ],
                "packages": packages,
            },
            "indexes.json",
        )

    def test_each_project_from_its_index_only(self) -> None:
        with serve_index(self.corp) as corp, serve_index(self.pytorch) as pytorch:
            config = self.config(corp, pytorch, {"torch": "pytorch"})
            with index_router.serve(config) as url:
                with urllib.request.urlopen(url + "torch/") as r:
                    torch = json.load(r)
                with urllib.request.urlopen(url + "numpy/") as r:
                    numpy = json.load(r)
                wheel = torch["files"][0]["url"]
                with urllib.request.urlopen(urllib.parse.urljoin(url, wheel)) as r:
                    data = r.read()
                with self.assertRaises(urllib.error.HTTPError) as unlisted:
                    urllib.request.urlopen(
                        urllib.parse.urljoin(url, "/files/0123/evil.whl")
                    )
                unlisted.exception.close()
        self.assertEqual(
            [f["filename"] for f in torch["files"]],
            ["torch-2.6.0+cu124-py3-none-any.whl"],
        )
        self.assertEqual(
            [f["filename"] for f in numpy["files"]], ["numpy-1.0-py3-none-any.whl"]
        )
        self.assertEqual(
            hashlib.sha256(data).hexdigest(), torch["files"][0]["hashes"]["sha256"]
        )
        self.assertEqual(unlisted.exception.code, 404)
        self.assertNotIn(
            "/simple/torch/",
            self.corp.requests,
            "the default index is never asked for torch",
        )

    def test_pip_compile_takes_no_colliding_version(self) -> None:
        with open(os.path.join(self.tmp, "requirements.in"), "w") as f:
            f.write("app\n")
        with serve_index(self.corp) as corp, serve_index(self.pytorch) as pytorch:
            config = self.config(corp, pytorch, {"torch": "pytorch"})
            update_lock.pip_compile(
                self.tmp, "requirements.in", "requirements_lock.txt", "update", config
            )
        with open(os.path.join(self.tmp, "requirements_lock.txt")) as f:
            lock = f.read()
        self.assertIn("torch==2.6.0+cu124", lock)
        self.assertIn("numpy==1.0", lock)
        self.assertNotIn("99.0", lock)
        self.assertNotIn("numpy==5.0", lock)
        self.assertIn(self.pytorch.sha("torch-2.6.0+cu124-py3-none-any.whl"), lock)
        self.assertNotIn("127.0.0.1", lock, "no index URL in the lock")
        self.assertNotIn(SECRET, lock)
        # Metadata came from PEP 658 files, not by downloading the wheels.
        self.assertIn("/files/app-1.0-py3-none-any.whl.metadata", self.corp.requests)

    def test_without_the_router_the_colliding_version_wins(self) -> None:
        """The hazard itself: pip-compile with both indexes merged takes the
        higher torch published on the company index."""
        with open(os.path.join(self.tmp, "requirements.in"), "w") as f:
            f.write("app\n")
        open_pytorch = Upstream(PYTORCH, html=True)
        with serve_index(self.corp) as corp, serve_index(open_pytorch) as pytorch:
            with mock.patch.object(
                update_lock,
                "PIP_COMPILE_FLAGS",
                [*update_lock.PIP_COMPILE_FLAGS, "--extra-index-url", pytorch],
            ):
                update_lock._pip_compile(
                    self.tmp, "requirements.in", "requirements_lock.txt", "update", corp
                )
        with open(os.path.join(self.tmp, "requirements_lock.txt")) as f:
            self.assertIn("torch==99.0", f.read())

    def test_an_assigned_package_missing_from_its_index_fails(self) -> None:
        with open(os.path.join(self.tmp, "requirements.in"), "w") as f:
            f.write("helper\n")
        with serve_index(self.corp) as corp, serve_index(self.pytorch) as pytorch:
            config = self.config(
                corp, pytorch, {"helper": "pytorch", "torch": "pytorch"}
            )
            with (
                mock.patch.object(index_router, "log") as log,
                self.assertRaises(SystemExit),
            ):
                update_lock.pip_compile(
                    self.tmp,
                    "requirements.in",
                    "requirements_lock.txt",
                    "update",
                    config,
                )
        self.assertIn(
            "/simple/helper/", self.pytorch.requests, "resolution reached helper"
        )
        said = "\n".join(str(c.args[0]) for c in log.call_args_list)
        self.assertIn("index_router: helper: index pytorch (http://127.0.0.1:", said)
        self.assertIn("assigned to it in indexes.json) has no such project", said)
        self.assertNotIn("/simple/helper/", self.corp.requests)

    def test_upstream_refusal_is_reported_naming_the_index(self) -> None:
        os.environ["MLIMAGE_INDEX_PYTORCH_PASSWORD"] = "wrong"
        with serve_index(self.corp) as corp, serve_index(self.pytorch) as pytorch:
            config = self.config(corp, pytorch, {"torch": "pytorch"})
            with self.assertRaises(UserError) as refused:
                with index_router.serve(config) as url:
                    with self.assertRaises(urllib.error.HTTPError) as e:
                        urllib.request.urlopen(url + "torch/")
                    e.exception.close()
        self.assertIn("index pytorch", str(refused.exception))
        self.assertIn("HTTP 401", str(refused.exception))
        self.assertNotIn("wrong", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
