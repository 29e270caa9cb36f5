"""What the lock tools' index tests share: tiny valid wheels and an HTTP
server on loopback (simple_index_test, index_router_test, real_index_test)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Handle = Callable[[http.server.BaseHTTPRequestHandler], None]


@contextmanager
def serve(handle: Handle) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose GETs `handle` answers; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def answer(
    handler: http.server.BaseHTTPRequestHandler, status: int, ctype: str, body: bytes
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def make_wheel(
    name: str, version: str, requires: tuple[str, ...] = ()
) -> tuple[str, bytes, bytes]:
    """(filename, wheel bytes, METADATA bytes) of a tiny pure wheel."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires)
    ).encode()
    files = {
        f"{dist}/__init__.py": b"",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = ""
    for path, data in files.items():
        digest = (
            base64.urlsafe_b64encode(hashlib.sha256(data).digest())
            .rstrip(b"=")
            .decode()
        )
        record += f"{path},sha256={digest},{len(data)}\n"
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in files.items():
            z.writestr(zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0)), data)
    return f"{dist}-{version}-py3-none-any.whl", buf.getvalue(), metadata
