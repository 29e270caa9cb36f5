"""Tests for simple_index.py: both page formats, credentials, and a real HTTP
exchange with index servers on loopback (http.server)."""

from __future__ import annotations

import http.server
import json
import os
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import simple_index as si
from pypi.private.index_fixtures_http import answer, serve
from rules_common.cli import UserError

SHA = "ab" * 32

TORCH_26 = "torch-2.6.0+cu124-cp311-cp311-linux_x86_64.whl"
TORCH_251 = "torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl"
HTML_PAGE = (
    "<!DOCTYPE html>\n<html><body><h1>Links for torch</h1>\n"
    f'<a href="/whl/cu124/torch-2.6.0%2Bcu124-cp311-cp311-linux_x86_64.whl'
    f'#sha256={SHA.upper()}"\n'
    f'   data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256=00">'
    f"{TORCH_26}</a><br/>\n"
    f'<a href="{TORCH_251}" data-yanked="">{TORCH_251}</a>\n'
    '<a href="https://other.example/torch-1.0-py3-none-any.whl#md5=00">'
    "torch-1.0-py3-none-any.whl</a>\n"
    "</body></html>\n"
)


class PagesTest(unittest.TestCase):
    def test_html_page(self) -> None:
        files = si.files_from_html(
            HTML_PAGE, "https://download.pytorch.org/whl/cu124/torch/"
        )
        self.assertEqual(
            files[0],
            {
                "filename": "torch-2.6.0+cu124-cp311-cp311-linux_x86_64.whl",
                "url": "https://download.pytorch.org/whl/cu124/torch-2.6.0%2Bcu124-cp311-cp311-linux_x86_64.whl",
                "sha256": SHA,
                "size": None,
                "yanked": False,
                "requires_python": ">=3.9",
                "core_metadata": True,
            },
        )
        self.assertEqual(
            files[1]["url"],
            "https://download.pytorch.org/whl/cu124/torch/torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl",
        )
        self.assertTrue(files[1]["yanked"])
        self.assertEqual(files[1]["sha256"], "", "no fragment: no hash")
        self.assertEqual(files[2]["sha256"], "", "an md5 fragment is not a sha256")

    def test_json_page(self) -> None:
        page = {
            "meta": {"api-version": "1.1"},
            "files": [
                {
                    "filename": "x-1.0-py3-none-any.whl",
                    "url": "../../packages/x-1.0-py3-none-any.whl",
                    "hashes": {"sha256": SHA.upper()},
                    "size": 10,
                    "yanked": "broken",
                    "requires-python": ">=3.8",
                },
                "not a file",
            ],
        }
        files = si.files_from_json(page, "https://mirror.example/simple/x/")
        self.assertEqual(
            files,
            [
                {
                    "filename": "x-1.0-py3-none-any.whl",
                    "url": "https://mirror.example/packages/x-1.0-py3-none-any.whl",
                    "sha256": SHA,
                    "size": 10,
                    "yanked": True,
                    "requires_python": ">=3.8",
                    "core_metadata": False,
                }
            ],
        )
        with self.assertRaisesRegex(UserError, "not a PEP 691 project page"):
            si.files_from_json({"projects": []}, "https://mirror.example/simple/x/")

    def test_project_url_normalizes_the_name(self) -> None:
        index = si.Index("corp", "https://corp.example/api/pypi/simple/")
        self.assertEqual(
            si.project_url(index, "Typing_Extensions"),
            "https://corp.example/api/pypi/simple/typing-extensions/",
        )


class CredentialsTest(unittest.TestCase):
    INDEX = si.Index("corp-mirror", "https://corp.example/simple/")

    def test_from_the_environment(self) -> None:
        env = {
            "MLIMAGE_INDEX_CORP_MIRROR_USERNAME": "ci",
            "MLIMAGE_INDEX_CORP_MIRROR_PASSWORD": "s3cret",
        }
        self.assertEqual(si.credentials(self.INDEX, env), ("ci", "s3cret"))
        with self.assertRaisesRegex(UserError, "set both"):
            si.credentials(self.INDEX, {"MLIMAGE_INDEX_CORP_MIRROR_USERNAME": "ci"})

    def test_from_netrc(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "netrc")
            with open(path, "w") as f:
                f.write("machine corp.example login robot password token123\n")
            os.chmod(path, 0o600)
            self.assertEqual(
                si.credentials(self.INDEX, {"NETRC": path}), ("robot", "token123")
            )
            other = si.Index("x", "https://elsewhere.example/simple/")
            self.assertIsNone(si.credentials(other, {"NETRC": path}))
        self.assertIsNone(si.credentials(self.INDEX, {"HOME": "/nonexistent"}))

    def test_redact(self) -> None:
        self.assertEqual(
            si.redact("https://user:pw@corp.example:8443/simple/x/?token=1#sha256=ab"),
            "https://corp.example:8443/simple/x/",
        )


# --------------------------------------------------------------------------
# Real HTTP on loopback


class HttpTest(unittest.TestCase):
    def setUp(self) -> None:
        patcher = mock.patch.dict(os.environ, {"HOME": "/nonexistent"}, clear=False)
        patcher.start()
        self.addCleanup(patcher.stop)
        for key in [
            k for k in os.environ if k.startswith("MLIMAGE_INDEX_") or k == "NETRC"
        ]:
            patcher2 = mock.patch.dict(os.environ)
            patcher2.start()
            self.addCleanup(patcher2.stop)
            del os.environ[key]
        sleep = mock.patch("time.sleep")
        sleep.start()
        self.addCleanup(sleep.stop)

    def test_html_index_and_json_index(self) -> None:
        seen: list[str | None] = []

        def handle(h: http.server.BaseHTTPRequestHandler) -> None:
            seen.append(h.headers.get("Accept"))
            if h.path == "/html/torch/":
                answer(h, 200, "text/html; charset=utf-8", HTML_PAGE.encode())
            elif h.path == "/json/x/":
                page = {
                    "files": [
                        {
                            "filename": "x-1.0-py3-none-any.whl",
                            "url": "x-1.0-py3-none-any.whl",
                            "hashes": {"sha256": SHA},
                        }
                    ]
                }
                answer(h, 200, si.SIMPLE_JSON, json.dumps(page).encode())
            else:
                answer(h, 404, "text/plain", b"no")

        with serve(handle) as base:
            html_files = si.project_files(si.Index("pt", base + "/html/"), "torch")
            json_files = si.project_files(si.Index("corp", base + "/json/"), "X")
            missing = si.project_files(si.Index("corp", base + "/json/"), "absent")
        self.assertEqual(len(html_files), 3)
        self.assertEqual(json_files[0]["url"], base + "/json/x/x-1.0-py3-none-any.whl")
        self.assertEqual(missing, [])
        self.assertTrue(all(a is not None and si.SIMPLE_JSON in a for a in seen))

    def test_credentials_go_to_the_index_host_only(self) -> None:
        got: dict[str, str | None] = {}

        def cdn(h: http.server.BaseHTTPRequestHandler) -> None:
            got["cdn"] = h.headers.get("Authorization")
            answer(
                h,
                200,
                "text/html",
                b"<a href='f-1.0-py3-none-any.whl#sha256="
                + SHA.encode()
                + b"'>f-1.0-py3-none-any.whl</a>",
            )

        with serve(cdn) as cdn_base:

            def index(h: http.server.BaseHTTPRequestHandler) -> None:
                got.setdefault("index", h.headers.get("Authorization"))
                if h.path == "/simple/f":
                    # A same-host redirect keeps the credentials...
                    h.send_response(301)
                    h.send_header("Location", "/simple/f/")
                    h.end_headers()
                    return
                got["index-after-redirect"] = h.headers.get("Authorization")
                # ...one to another host does not.
                h.send_response(302)
                h.send_header("Location", cdn_base + "/pages/f/")
                h.end_headers()

            with serve(index) as base:
                env = {
                    "MLIMAGE_INDEX_CORP_USERNAME": "ci",
                    "MLIMAGE_INDEX_CORP_PASSWORD": "pw",
                }
                with mock.patch.dict(os.environ, env):
                    idx = si.Index("corp", base + "/simple/")
                    files = si.http_get(base + "/simple/f", idx)
        self.assertIsNotNone(files)
        self.assertEqual(got["index"], "Basic Y2k6cHc=")
        self.assertEqual(got["index-after-redirect"], "Basic Y2k6cHc=")
        self.assertIsNone(
            got["cdn"], "credentials must not follow a redirect to another host"
        )

    def test_errors_name_the_index_and_never_the_secret(self) -> None:
        def handle(h: http.server.BaseHTTPRequestHandler) -> None:
            if h.path.startswith("/denied/"):
                answer(h, 401, "text/plain", b"who are you")
            elif h.path.startswith("/odd/"):
                answer(h, 200, "application/octet-stream", b"\x00")
            else:
                answer(h, 200, "text/html", b"x" * 100)

        with serve(handle) as base:
            env = {
                "MLIMAGE_INDEX_CORP_USERNAME": "ci",
                "MLIMAGE_INDEX_CORP_PASSWORD": "hunter2",
            }
            with mock.patch.dict(os.environ, env):
                with self.assertRaises(UserError) as denied:
                    si.project_files(si.Index("corp", base + "/denied/"), "x")
            with self.assertRaisesRegex(
                UserError, "neither a PEP 691 JSON nor a PEP 503 HTML"
            ):
                si.project_files(si.Index("odd", base + "/odd/"), "x")
            with mock.patch.object(si, "MAX_PAGE_BYTES", 10):
                with self.assertRaisesRegex(UserError, "over 10 bytes; refused"):
                    si.project_files(si.Index("big", base + "/big/"), "x")
        message = str(denied.exception)
        self.assertIn("index corp", message)
        self.assertIn("HTTP 401", message)
        self.assertIn("MLIMAGE_INDEX_CORP_USERNAME", message)
        self.assertNotIn("hunter2", message)

    def test_unreachable(self) -> None:
        with self.assertRaisesRegex(
            UserError, "index gone: cannot reach http://127.0.0.1:9/simple/x/"
        ):
            si.project_files(si.Index("gone", "http://127.0.0.1:9/simple/"), "x")


if __name__ == "__main__":
    unittest.main()
