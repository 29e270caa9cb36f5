"""Serve an OCI layout, read-only, as a registry on 127.0.0.1.

    with layout_registry.serving(LAYOUT) as ref:   # "127.0.0.1:PORT/image:latest"
        subprocess.run([crane, "validate", "--remote", ref], check=True)

A registry client (crane, skopeo, a scanner) then reads the layout's bytes
where they lie, through the layout's links, without a copy of the image on
disk: a docker-archive of the CUDA image would be 6 GB more. Only what the
distribution spec needs for a pull is answered: `GET|HEAD /v2/`, the image's
manifest by the tag or by its digest, and a blob of the layout by digest;
any other path is 404, any other method
501. The server listens on loopback only, on a
port the kernel picks, for as long as the `with` block runs.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator

from oci.private import layout_reader, media_types

REPOSITORY = "image"
TAG = "latest"
_PATH = re.compile(
    r"^/v2/(?P<name>[a-z0-9._/-]+)/(?P<kind>manifests|blobs)/(?P<ref>[A-Za-z0-9_.:-]+)$"
)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class _Handler(http.server.BaseHTTPRequestHandler):
    layout = ""
    manifest = b""
    manifest_digest = ""
    server_version = "mlimage-layout-registry"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # requests are not news; errors reach the client as statuses

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def _send(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def _answer(self, body: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/v2", "/v2/"):
            self._send(200, {"Content-Length": "2", "Content-Type": "application/json"})
            if body:
                self.wfile.write(b"{}")
            return
        match = _PATH.match(path)
        if not match or match["name"] != REPOSITORY:
            self._send(404, {"Content-Length": "0"})
            return
        ref = match["ref"]
        if match["kind"] == "manifests":
            if ref not in (TAG, self.manifest_digest):
                self._send(404, {"Content-Length": "0"})
                return
            self._send(
                200,
                {
                    "Content-Length": str(len(self.manifest)),
                    "Content-Type": media_types.MANIFEST,
                    "Docker-Content-Digest": self.manifest_digest,
                },
            )
            if body:
                self.wfile.write(self.manifest)
            return
        blob = layout_reader.blob_path(self.layout, ref) if _DIGEST.match(ref) else ""
        if not blob or not os.path.isfile(blob):
            self._send(404, {"Content-Length": "0"})
            return
        self._send(
            200,
            {
                "Content-Length": str(os.path.getsize(blob)),
                "Content-Type": "application/octet-stream",
                "Docker-Content-Digest": ref,
            },
        )
        if body:
            with open(blob, "rb") as f:
                shutil.copyfileobj(f, self.wfile, 1 << 20)


@contextlib.contextmanager
def serving(layout: str) -> Iterator[str]:
    """Serve `layout`'s image; yields the reference to pull it by."""
    image = layout_reader.read_image(layout)
    manifest = layout_reader.read_blob(layout, image.manifest_descriptor, "manifest")
    handler = type(
        "LayoutHandler",
        (_Handler,),
        {
            "layout": os.path.abspath(layout),
            "manifest": manifest,
            "manifest_digest": image.manifest_descriptor["digest"],
        },
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}/{REPOSITORY}:{TAG}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
